// etcd's auto-compaction (--auto-compaction-mode, --auto-compaction-retention), as its
// v3compactor does it:
//
// - periodic, retention P: every P/10 (at most 6 minutes) the current revision is sampled;
//   every P (at most an hour) the store is compacted at the oldest sample still kept, the
//   revision of about P ago, so P of history is always kept.
// - revision, retention N: every 5 minutes the store is compacted at current - N, unless that
//   is not positive or was the last compaction.
//
// A compaction that fails (e.g. already compacted) is tried again at the next turn.

export type CompactionMode = 'periodic' | 'revision'

export interface CompactorTarget {
  currentRevision(): number
  compact(revision: number): Promise<void>
}

export interface CompactorTimers {
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

const realTimers: CompactorTimers = {
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms)
    handle.unref()
    return handle
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
}

const hourMs = 3600_000
/** etcd's revision compactor checks this often. */
export const revisionCheckIntervalMs = 5 * 60_000
/** Samples per retention period (etcd's retryDivisor). */
const samplesPerPeriod = 10

/**
 * Parses --auto-compaction-retention: for periodic, a Go duration ('1h', '30m', '90s') or a
 * number of hours ('1', '0.5'); for revision, a number of revisions. 0 disables compaction.
 * Returns milliseconds (periodic) or revisions; throws with etcd's words.
 */
export function parseRetention(mode: CompactionMode, text: string): number {
  if (mode === 'revision') {
    if (!/^\d+$/.test(text)) throw new Error(`error parsing CompactionRetention: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`)
    return Number(text)
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * hourMs
  const units: Record<string, number> = {ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: hourMs}
  const parts = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(text) ? text.match(/\d+(\.\d+)?(ns|us|µs|ms|s|m|h)/g)! : undefined
  if (parts === undefined) throw new Error(`error parsing CompactionRetention: time: invalid duration ${JSON.stringify(text)}`)
  return parts.reduce((total, part) => {
    const [, number, unit] = /^(\d+(?:\.\d+)?)(.+)$/.exec(part)!
    return total + Number(number) * units[unit!]!
  }, 0)
}

export class Compactor {
  private handle: unknown
  private readonly samples: number[] = []
  private sinceCompactMs = 0
  private lastCompacted = 0
  private running: Promise<void> | undefined

  constructor(
    private readonly mode: CompactionMode,
    /** Milliseconds (periodic) or revisions (revision). */
    private readonly retention: number,
    private readonly target: CompactorTarget,
    private readonly timers: CompactorTimers = realTimers,
  ) {}

  start(): void {
    if (this.retention <= 0 || this.handle !== undefined) return
    if (this.mode === 'revision') {
      this.handle = this.timers.setInterval(() => this.turn(() => this.revisionTurn()), revisionCheckIntervalMs)
      return
    }
    const periodMs = Math.min(this.retention, hourMs)
    const sampleMs = Math.max(1, periodMs / samplesPerPeriod)
    const keep = Math.floor(this.retention / sampleMs) + 1
    this.samples.push(this.target.currentRevision())
    this.handle = this.timers.setInterval(() => this.turn(() => this.periodicTurn(sampleMs, periodMs, keep)), sampleMs)
  }

  stop(): Promise<void> {
    if (this.handle !== undefined) this.timers.clearInterval(this.handle)
    this.handle = undefined
    return this.running ?? Promise.resolve()
  }

  /** One turn at a time: a slow compaction skips the turns that come due meanwhile. */
  private turn(work: () => Promise<void>): void {
    if (this.running !== undefined) return
    this.running = work()
      .catch(() => undefined)
      .finally(() => (this.running = undefined))
  }

  private async revisionTurn(): Promise<void> {
    const revision = this.target.currentRevision() - this.retention
    if (revision <= 0 || revision === this.lastCompacted) return
    await this.target.compact(revision)
    this.lastCompacted = revision
  }

  private async periodicTurn(sampleMs: number, periodMs: number, keep: number): Promise<void> {
    this.samples.push(this.target.currentRevision())
    if (this.samples.length > keep) this.samples.shift()
    this.sinceCompactMs += sampleMs
    if (this.sinceCompactMs < periodMs || this.samples.length < keep) return
    const revision = this.samples[0]!
    if (revision <= 0 || revision === this.lastCompacted) return
    this.sinceCompactMs = 0
    await this.target.compact(revision)
    this.lastCompacted = revision
  }
}
