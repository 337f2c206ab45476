// A cluster member's Raft state on disk: the snapshot record (snap-meta.ts) and the
// write-ahead log of entries and hard state. On open it rebuilds the in-memory log raft reads
// (a MemoryStorage holding the log since the snapshot); persist() makes each Ready's entries
// and hard state durable (one append: one write and one fdatasync, shared with any append in
// flight) before they enter that storage.
import {join} from 'node:path'
import {
  type ConfState,
  type HardState,
  MemoryStorage,
  type Ready,
} from '../raft/index.js'
import {openWal, type SegmentedWal} from '../wal/wal.js'
import {fromWalEntry, toWalEntry} from './entry-data.js'
import {loadSnapMeta, type SnapMeta, saveSnapMeta} from './snap-meta.js'

/**
 * The log raft reads, since the last snapshot record. Its snapshot is that record's index,
 * term and configuration, with no data: the member sends a follower its store as it is when
 * raft asks (snapshot-sender.ts), not a copy kept from the record's time.
 */
export class ClusterLogStorage extends MemoryStorage {}

export interface RaftDisk {
  readonly storage: ClusterLogStorage
  readonly wal: SegmentedWal
  /** The snapshot record the log starts after. */
  readonly meta: SnapMeta
  readonly hardState: HardState
  /** The hard state as the log last saved it (a commit-only change waits for the next append). */
  saved: HardState
}

/**
 * Opens the Raft state under memberDir; `bootstrap` is the record of a new member (index 1 of
 * the initial configuration) and is written when there is none yet.
 */
export async function openRaftDisk(memberDir: string, bootstrap: SnapMeta): Promise<RaftDisk> {
  let meta = await loadSnapMeta(memberDir)
  if (meta === undefined) {
    meta = bootstrap
    await saveSnapMeta(memberDir, meta)
  }
  const {wal, contents} = await openWal(join(memberDir, 'wal'), {fromIndex: BigInt(meta.index)})
  const storage = new ClusterLogStorage()
  storage.applySnapshot({data: new Uint8Array(0), metadata: {index: meta.index, term: meta.term, confState: meta.confState}})
  storage.append(contents.entries.map(fromWalEntry))
  const saved = contents.hardState
  const hardState: HardState =
    saved === undefined
      ? {term: meta.term, vote: 0n, commit: meta.index}
      : {term: Number(saved.term), vote: saved.vote, commit: Math.max(Number(saved.commit), meta.index)}
  storage.setHardState(hardState)
  return {storage, wal, meta, hardState, saved: {...hardState}}
}

/**
 * Makes the Ready's entries and hard state durable, then gives the entries to raft's storage.
 * As etcd's WAL, a change of the commit index alone is not worth a sync: it is saved with the
 * next append of entries or of a new term or vote. Raft learns the commit index again from the
 * leader after a restart, and the store's consistent index keeps applied entries from being
 * applied twice.
 */
export async function persistReady(disk: RaftDisk, rd: Ready): Promise<void> {
  const hs = rd.hardState ?? disk.storage.hardStateNow()
  const termOrVote = hs.term !== disk.saved.term || hs.vote !== disk.saved.vote
  if (rd.entries.length > 0 || termOrVote) {
    await disk.wal.append(rd.entries.map(toWalEntry), {term: BigInt(hs.term), vote: hs.vote, commit: BigInt(hs.commit)})
    disk.saved = {...hs}
  }
  disk.storage.append(rd.entries)
  if (rd.hardState !== undefined) disk.storage.setHardState(rd.hardState)
}

/** The record of a new cluster: every initial member a voter, at index 1 of term 1. */
export function bootstrapMeta(confState: ConfState, roster: SnapMeta['roster']): SnapMeta {
  return {index: 1, term: 1, confState, roster}
}
