// The raft log: stable storage plus the unstable tail, with the commit and apply marks, as
// etcd's raftLog.
//
// Invariants: applied <= committed <= lastIndex(); firstIndex()-1 <= applied (what storage
// compacted was applied); every index in [firstIndex()-1, lastIndex()] has a term.
import {invariant} from './assert.js'
import {RaftError, isRaftError} from './errors.js'
import {Unstable} from './log-unstable.js'
import {type Storage, limitSize} from './storage.js'
import type {Entry, Snapshot} from './types.js'

const noLimit = Number.MAX_SAFE_INTEGER

export class RaftLog {
  readonly storage: Storage
  readonly unstable: Unstable
  committed: number
  applied: number
  /**
   * The last index handed to the application to apply (>= applied): committed entries are
   * handed out once, though they count as applied only when the driver says so.
   */
  applying: number
  /** Bound of the total size of committedEntries in one Ready. */
  readonly maxNextEntsSizeBytes: number

  constructor(storage: Storage, maxNextEntsSizeBytes: number = noLimit) {
    this.storage = storage
    this.maxNextEntsSizeBytes = maxNextEntsSizeBytes
    const first = storage.firstIndex()
    const last = storage.lastIndex()
    this.unstable = new Unstable(last + 1)
    this.committed = first - 1
    this.applied = first - 1
    this.applying = first - 1
  }

  toString(): string {
    return `committed=${this.committed}, applied=${this.applied}, unstable.offset=${this.unstable.offset}, unstable.entries=${this.unstable.entries.length}`
  }

  /**
   * Appends entries that follow (index, logTerm) if the log matches there; returns the new
   * last index, or undefined if it does not match. Commits up to min(committed, last new).
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined
    const lastNew = index + entries.length
    const conflict = this.findConflict(entries)
    if (conflict !== 0) {
      invariant(conflict > this.committed, () => `entry ${conflict} conflicts with committed entry [committed(${this.committed})]`)
      this.append(entries.slice(conflict - (index + 1)))
    }
    this.commitTo(Math.min(committed, lastNew))
    return lastNew
  }

  append(entries: Entry[]): number {
    if (entries.length === 0) return this.lastIndex()
    const after = entries[0]!.index - 1
    invariant(after >= this.committed, () => `after(${after}) is out of range [committed(${this.committed})]`)
    this.unstable.truncateAndAppend(entries)
    return this.lastIndex()
  }

  /**
   * The index of the first entry that conflicts with the log (same index, other term), or of
   * the first new entry if none conflicts, or 0 if all are already there.
   */
  findConflict(entries: Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index
    }
    return 0
  }

  /**
   * The largest index <= index whose term is <= term (or the first index we know no term for
   * minus one): where a leader's probe can next look after a rejection.
   */
  findConflictByTerm(index: number, term: number): number {
    const last = this.lastIndex()
    if (index > last) return index
    for (;;) {
      const t = this.termOrUndefined(index)
      if (t === undefined || t <= term) return index
      index--
    }
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries
  }

  /** Committed entries not yet handed out to apply, bounded by maxNextEntsSizeBytes. */
  nextEnts(): Entry[] {
    const off = Math.max(this.applying + 1, this.firstIndex())
    if (this.committed + 1 > off) return this.slice(off, this.committed + 1, this.maxNextEntsSizeBytes)
    return []
  }

  hasNextEnts(): boolean {
    return this.committed + 1 > Math.max(this.applying + 1, this.firstIndex())
  }

  /** Committed entries up to index were handed out to apply. */
  applyingTo(index: number): void {
    invariant(index <= this.committed, () => `applying(${index}) is past committed(${this.committed})`)
    if (index > this.applying) this.applying = index
  }

  /**
   * The last index of the log on stable storage: what the driver has made durable (entries
   * before the unstable part). 0 while a snapshot is being installed: nothing of the log
   * before it counts then.
   */
  stableLastIndex(): number {
    if (this.unstable.snapshot !== undefined) return 0
    return this.unstable.offset - 1
  }

  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== undefined && this.unstable.snapshot.metadata.index !== 0
  }

  snapshot(): Snapshot {
    if (this.unstable.snapshot !== undefined) return this.unstable.snapshot
    return this.storage.snapshot()
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex()
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex()
  }

  commitTo(toCommit: number): void {
    if (this.committed < toCommit) {
      invariant(this.lastIndex() >= toCommit, () => `tocommit(${toCommit}) is out of range [lastIndex(${this.lastIndex()})]. Was the raft log corrupted, truncated, or lost?`)
      this.committed = toCommit
    }
  }

  appliedTo(index: number): void {
    if (index === 0) return
    invariant(this.committed >= index && index >= this.applied, () => `applied(${index}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`)
    this.applied = index
    if (index > this.applying) this.applying = index
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term)
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index)
  }

  lastTerm(): number {
    const t = this.termOrUndefined(this.lastIndex())
    invariant(t !== undefined, 'the last entry has a term')
    return t
  }

  /** Term of the entry at index; throws 'compacted'/'unavailable' as storage does. */
  term(index: number): number {
    // The valid term range is [index of dummy entry, last index].
    const dummy = this.firstIndex() - 1
    if (index < dummy) throw new RaftError('compacted', `index ${index}`)
    if (index > this.lastIndex()) throw new RaftError('unavailable', `index ${index}`)
    return this.termWithin(index)
  }

  /** Term of an entry between the dummy entry and the last index: unstable first, then storage. */
  private termWithin(index: number): number {
    return this.unstable.maybeTerm(index) ?? this.storage.term(index)
  }

  /** Term at index, or undefined where it is compacted or beyond the log. */
  termOrUndefined(index: number): number | undefined {
    // Checked here rather than caught from term(): a follower asks for the term of every entry
    // it is sent that it does not have yet, and an error's stack trace is costly to build.
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined
    try {
      return this.termWithin(index)
    } catch (error) {
      if (isRaftError(error, 'compacted') || isRaftError(error, 'unavailable')) return undefined
      throw error
    }
  }

  entries(index: number, maxSizeBytes: number): Entry[] {
    if (index > this.lastIndex()) return []
    return this.slice(index, this.lastIndex() + 1, maxSizeBytes)
  }

  allEntries(): Entry[] {
    return this.entries(this.firstIndex(), noLimit)
  }

  /** Whether a log ending at (lastIndex, term) is at least as up to date as ours. */
  isUpToDate(lastIndex: number, term: number): boolean {
    return term > this.lastTerm() || (term === this.lastTerm() && lastIndex >= this.lastIndex())
  }

  matchTerm(index: number, term: number): boolean {
    const t = this.termOrUndefined(index)
    return t !== undefined && t === term
  }

  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.termOrUndefined(maxIndex) === term) {
      this.commitTo(maxIndex)
      return true
    }
    return false
  }

  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index
    this.unstable.restore(snapshot)
  }

  /** Entries in [lo, hi), bounded by maxSizeBytes (at least one). Throws 'compacted' below firstIndex(). */
  slice(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    this.mustCheckOutOfBounds(lo, hi)
    if (lo === hi) return []
    let ents: Entry[] = []
    if (lo < this.unstable.offset) {
      const stored = this.storage.entries(lo, Math.min(hi, this.unstable.offset), maxSizeBytes)
      // Storage returned fewer than asked: the size limit was hit.
      if (stored.length < Math.min(hi, this.unstable.offset) - lo) return stored
      ents = stored
    }
    if (hi > this.unstable.offset) {
      const unstable = this.unstable.slice(Math.max(lo, this.unstable.offset), hi)
      ents = ents.length > 0 ? ents.concat(unstable) : unstable
    }
    return limitSize(ents, maxSizeBytes)
  }

  private mustCheckOutOfBounds(lo: number, hi: number): void {
    invariant(lo <= hi, () => `invalid slice ${lo} > ${hi}`)
    const first = this.firstIndex()
    if (lo < first) throw new RaftError('compacted', `index ${lo}`)
    const length = this.lastIndex() + 1 - first
    invariant(hi <= first + length, () => `slice[${lo},${hi}) out of bound [${first},${this.lastIndex()}]`)
  }
}
