// The stable storage raft reads from, as etcd's raft.Storage. Raft only reads it; the driver
// writes to it (entries, hard state and snapshots of each Ready) before advancing. An error
// from a read is a RaftError ('compacted', 'unavailable', ...); anything else is fatal.
import {invariant} from './assert.js'
import {RaftError} from './errors.js'
import {
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Snapshot,
  emptyHardState,
  entrySizeBytes,
} from './types.js'

export interface Storage {
  /** The saved hard state and the configuration of the latest snapshot. */
  initialState(): {hardState: HardState; confState: ConfState}
  /**
   * Entries in [lo, hi), at least one if any exist, and no more than maxSizeBytes in total
   * otherwise. Throws 'compacted' below firstIndex(), 'unavailable' beyond lastIndex().
   */
  entries(lo: number, hi: number, maxSizeBytes: number): Entry[]
  /** Term of the entry at index, for index in [firstIndex()-1, lastIndex()]. */
  term(index: number): number
  lastIndex(): number
  /** Index of the first entry still held (the one after the snapshot). */
  firstIndex(): number
  /** The latest snapshot; may throw 'snapshot-temporarily-unavailable'. */
  snapshot(): Snapshot
}

/** Entries from `entries` whose total size stays within maxSizeBytes, always at least one. */
export function limitSize(entries: Entry[], maxSizeBytes: number): Entry[] {
  if (entries.length === 0) return entries
  let size = entrySizeBytes(entries[0]!)
  let n = 1
  for (; n < entries.length; n++) {
    size += entrySizeBytes(entries[n]!)
    if (size > maxSizeBytes) break
  }
  return n === entries.length ? entries : entries.slice(0, n)
}

/**
 * Storage in memory, as etcd's MemoryStorage: the whole log since the last compaction plus a
 * snapshot. It is the sim's "disk" and the store a driver keeps the log tail in.
 *
 * Invariant: ents[0] is a dummy entry carrying the index and term of the last compaction (or
 * snapshot); every later element has index ents[0].index + position.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState()
  private snap: Snapshot = {data: new Uint8Array(0), metadata: {index: 0, term: 0, confState: {voters: [], learners: []}}}
  private ents: Entry[] = [{index: 0, term: 0, type: EntryType.Normal, data: new Uint8Array(0)}]

  initialState(): {hardState: HardState; confState: ConfState} {
    return {hardState: {...this.hardState}, confState: cloneConfState(this.snap.metadata.confState)}
  }

  setHardState(hardState: HardState): void {
    this.hardState = {...hardState}
  }

  hardStateNow(): HardState {
    return {...this.hardState}
  }

  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    const offset = this.ents[0]!.index
    if (lo <= offset) throw new RaftError('compacted', `index ${lo}`)
    if (hi > this.lastIndex() + 1) throw new RaftError('unavailable', `entries [${lo}, ${hi}) beyond last index ${this.lastIndex()}`)
    // Only the dummy entry: nothing to return.
    if (this.ents.length === 1) throw new RaftError('unavailable', `index ${lo}`)
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSizeBytes)
  }

  term(index: number): number {
    const offset = this.ents[0]!.index
    if (index < offset) throw new RaftError('compacted', `index ${index}`)
    if (index - offset >= this.ents.length) throw new RaftError('unavailable', `index ${index}`)
    return this.ents[index - offset]!.term
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1
  }

  snapshot(): Snapshot {
    return this.snap
  }

  /** Replaces the whole contents with a snapshot (a follower installing the leader's). */
  applySnapshot(snapshot: Snapshot): void {
    if (this.snap.metadata.index >= snapshot.metadata.index) throw new RaftError('snapshot-out-of-date')
    this.snap = snapshot
    this.ents = [{index: snapshot.metadata.index, term: snapshot.metadata.term, type: EntryType.Normal, data: new Uint8Array(0)}]
  }

  /**
   * Makes a snapshot of the state machine at `index` (which must be applied, hence held) and
   * returns it; the log is unchanged (see compact()).
   */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) throw new RaftError('snapshot-out-of-date')
    const offset = this.ents[0]!.index
    invariant(index <= this.lastIndex(), () => `snapshot ${index} is out of bound last index ${this.lastIndex()}`)
    this.snap = {data, metadata: {index, term: this.ents[index - offset]!.term, confState: cloneConfState(confState)}}
    return this.snap
  }

  /** Discards every entry up to and including compactIndex (which must be applied). */
  compact(compactIndex: number): void {
    const offset = this.ents[0]!.index
    if (compactIndex <= offset) throw new RaftError('compacted', `index ${compactIndex}`)
    invariant(compactIndex <= this.lastIndex(), () => `compact ${compactIndex} is out of bound last index ${this.lastIndex()}`)
    const i = compactIndex - offset
    const dummy: Entry = {index: this.ents[i]!.index, term: this.ents[i]!.term, type: EntryType.Normal, data: new Uint8Array(0)}
    this.ents = [dummy, ...this.ents.slice(i + 1)]
  }

  /**
   * Appends entries (made stable by the driver). An entry at an index already held replaces
   * it and everything after it (the conflicting suffix); entries already compacted are skipped.
   */
  append(entries: Entry[]): void {
    if (entries.length === 0) return
    const first = this.firstIndex()
    const last = entries[0]!.index + entries.length - 1
    if (last < first) return
    if (first > entries[0]!.index) entries = entries.slice(first - entries[0]!.index)
    const offset = entries[0]!.index - this.ents[0]!.index
    invariant(offset <= this.ents.length, () => `missing log entry [last: ${this.lastIndex()}, append at: ${entries[0]!.index}]`)
    // in place: the log holds up to --snapshot-count entries, too many to copy on every append
    // (entries() hands out copies, so no caller sees this array change)
    this.ents.length = offset
    for (const entry of entries) this.ents.push(entry)
  }
}

export function cloneConfState(cs: ConfState): ConfState {
  return {voters: [...cs.voters], learners: [...cs.learners]}
}
