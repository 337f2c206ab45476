// The statistics etcdctl's check perf reports (etcd's pkg/report): requests per second over the
// run, the slowest request and the standard deviation of latencies, in seconds; errors counted
// by message.
export interface PerfStats {
  rps: number
  slowestSeconds: number
  stddevSeconds: number
  errors: Map<string, number>
}

export class PerfReport {
  private readonly latencies: number[] = []
  private readonly errors = new Map<string, number>()
  private firstStartMs: number | undefined
  private lastEndMs = 0

  record(startMs: number, endMs: number, error?: Error): void {
    this.firstStartMs ??= startMs
    this.lastEndMs = Math.max(this.lastEndMs, endMs)
    if (error !== undefined) {
      this.errors.set(error.message, (this.errors.get(error.message) ?? 0) + 1)
      return
    }
    this.latencies.push((endMs - startMs) / 1000)
  }

  stats(): PerfStats {
    const n = this.latencies.length
    const totalSeconds = this.firstStartMs === undefined ? 0 : (this.lastEndMs - this.firstStartMs) / 1000
    const mean = n === 0 ? 0 : this.latencies.reduce((a, b) => a + b, 0) / n
    const variance = n === 0 ? 0 : this.latencies.reduce((a, b) => a + (b - mean) ** 2, 0) / n
    return {
      rps: totalSeconds > 0 ? n / totalSeconds : 0,
      slowestSeconds: n === 0 ? 0 : Math.max(...this.latencies),
      stddevSeconds: Math.sqrt(variance),
      errors: new Map(this.errors),
    }
  }
}

/** etcdctl's verdict lines for a workload of `limit` writes a second; `ok` is the final PASS/FAIL. */
export function verdict(stats: PerfStats, limit: number): {lines: string[]; ok: boolean} {
  const lines: string[] = []
  let ok = true
  if (stats.errors.size > 0) {
    lines.push('FAIL: too many errors')
    for (const [message, count] of stats.errors) lines.push(`FAIL: ERROR(${message}) -> ${count}`)
    ok = false
  }
  const writes = Math.trunc(stats.rps) + 1
  if (stats.rps / limit <= 0.9) {
    lines.push(`FAIL: Throughput too low: ${writes} writes/s`)
    ok = false
  } else {
    lines.push(`PASS: Throughput is ${writes} writes/s`)
  }
  if (stats.slowestSeconds > 0.5) {
    lines.push(`Slowest request took too long: ${stats.slowestSeconds.toFixed(6)}s`)
    ok = false
  } else {
    lines.push(`PASS: Slowest request took ${stats.slowestSeconds.toFixed(6)}s`)
  }
  if (stats.stddevSeconds > 0.1) {
    lines.push(`Stddev too high: ${stats.stddevSeconds.toFixed(6)}s`)
    ok = false
  } else {
    lines.push(`PASS: Stddev is ${stats.stddevSeconds.toFixed(6)}s`)
  }
  lines.push(ok ? 'PASS' : 'FAIL')
  return {lines, ok}
}
