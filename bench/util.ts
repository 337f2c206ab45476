// Small helpers shared by the benchmarks: timing, percentiles, temp dirs, report lines.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export function tempDir(prefix: string): {path: string; remove: () => void} {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return {path, remove: () => rmSync(path, {recursive: true, force: true})}
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const clockTicksPerSecond = 100

/** User + system CPU in microseconds from a /proc stat line (a process's or a thread's). */
export function statCpuUs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[11] is utime, fields[12] stime (the 14th and 15th of the whole line)
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicksPerSecond
}

/** User + system CPU of a process (every thread), in microseconds, from /proc/PID/stat. */
export function processCpuUs(pid: number): number {
  return statCpuUs(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))]
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50)
}

export interface Result {
  name: string
  value: number
  unit: string
  target?: string
  peer?: number
  note?: string
}

/**
 * Runs `op` from `concurrency` workers until `totalOps` complete; returns ops/s and latencies
 * (NaN with `latencies: false`, which spares two clock reads per op for very cheap ops).
 */
export async function runConcurrent(
  totalOps: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
  options: {latencies?: boolean} = {},
): Promise<{opsPerSec: number; p50Ms: number; p99Ms: number}> {
  let next = 0
  const latencies: number[] = []
  const timed = options.latencies ?? true
  const start = performance.now()
  await Promise.all(
    Array.from({length: concurrency}, async () => {
      while (next < totalOps) {
        const i = next++
        if (!timed) {
          await op(i)
          continue
        }
        const t0 = performance.now()
        await op(i)
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return {opsPerSec: totalOps / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99)}
}

export function formatResults(results: Result[]): string {
  const lines = ['| benchmark | result | target | real peer | ratio |', '|---|---|---|---|---|']
  for (const r of results) {
    const value = `${fmt(r.value)} ${r.unit}`
    const peer = r.peer === undefined ? '' : `${fmt(r.peer)} ${r.unit}`
    const lowerIsBetter = r.unit === 'ms' || r.unit === 'MB' || r.unit === 's'
    const ratio = r.peer === undefined ? '' : `${fmt(lowerIsBetter ? r.peer / r.value : r.value / r.peer)}x`
    lines.push(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${value} | ${r.target ?? ''} | ${peer} | ${ratio} |`)
  }
  return lines.join('\n')
}

function fmt(n: number): string {
  if (n >= 1000) return Math.round(n).toLocaleString('en-US')
  if (n >= 10) return n.toFixed(1)
  return n.toFixed(2)
}
