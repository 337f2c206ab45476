// The contract of the write-ahead log. One log per member directory; Raft will write its
// entries and hard state through the same interface. The file implementation is openWal in
// wal.ts (format: record.ts; crash rules: segment-reader.ts); damage it will not repair is
// thrown as WalCorruptError (errors.ts).
export interface WalEntry {
  index: bigint
  term: bigint
  /** An encoded ectlinternal.InternalRequest (opaque to the log). */
  data: Uint8Array
}

export interface HardState {
  term: bigint
  vote: bigint
  commit: bigint
}

export interface WalContents {
  /** Entries with index > fromIndex, in index order, with later overwrites applied. */
  entries: WalEntry[]
  /** The last hard state saved, if any. */
  hardState: HardState | undefined
}

export interface WriteAheadLog {
  /**
   * Appends entries (and optionally the hard state) and resolves once they are durable
   * (written and fdatasync'ed). Calls made while a sync is in flight are group-committed:
   * they share the next single write + sync. An entry whose index is <= the last index
   * written replaces that entry and every later one (Raft's conflicting suffix).
   */
  append(entries: WalEntry[], hardState?: HardState): Promise<void>
  /** Entries up to `index` are applied durably elsewhere: whole segments below it may be removed. */
  releaseTo(index: bigint): Promise<void>
  /** Waits for pending appends, then closes the files. */
  close(): Promise<void>
}
