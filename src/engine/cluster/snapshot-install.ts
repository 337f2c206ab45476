// The follower's side of catching up by snapshot: installing a store received from the leader
// (snapshot-stream.ts put it, verified and durable, in the snap dir) once raft hands the
// snapshot over in a Ready (etcd's applySnapshot).
//
// The order makes a kill -9 at any point leave the member whole:
//   1. the snapshot record (snap-meta.ts) is saved with the new index: the commit point. Before
//      it, a restart finds the old record, the old store and the old log, and drops the
//      received file; after it, a restart moves the received file into place first
//      (snapshot-files.ts), so the store always holds at least the record's index;
//   2. the received file is renamed over the store's file and the store rebuilt from it
//      (key index, leases, auth, alarms; watchers catch up from it or are cancelled as compacted);
//   3. meanwhile (after the record, a restart finishes either step), the log continues after
//      the snapshot's index in a new segment and older segments go.
// The rename in step 2 is not made durable by syncing the directories (as etcd does not):
// should it be lost, the received file is still in the snap dir under its name and the record
// names it, so the next open moves it into place again (snapshot-files.ts) and the log replays
// from its consistent index. On a loaded machine such a sync waited seconds for every other
// file's dirty pages (12 s once, at a million keys).
import type {KvStore} from '../mvcc/kv.js'
import type {Snapshot} from '../raft/index.js'
import type {RaftDisk} from './raft-disk.js'
import type {SavedMember} from './roster.js'
import {receivedDbFile, removeReceivedBefore} from './snapshot-files.js'
import {type SnapMeta, saveSnapMeta} from './snap-meta.js'

/** The roster a snapshot carries as its data (the leader's at the snapshot's index). */
export function decodeSnapshotRoster(data: Uint8Array): SavedMember[] {
  return JSON.parse(Buffer.from(data).toString('utf8')) as SavedMember[]
}

/** What an install did: the record saved, and how long each step took (for the log). */
export interface Installed {
  meta: SnapMeta
  steps: string
}

/** Installs the received store of `snapshot`; returns the record saved. No entry may be applied meanwhile. */
export async function installSnapshot(memberDir: string, store: KvStore, disk: RaftDisk, snapshot: Snapshot): Promise<Installed> {
  const {index, term, confState} = snapshot.metadata
  const meta: SnapMeta = {index, term, confState, roster: decodeSnapshotRoster(snapshot.data)}
  const steps: string[] = []
  let last = performance.now()
  const step = (name: string) => {
    const now = performance.now()
    steps.push(`${name} ${Math.round(now - last)} ms`)
    last = now
  }
  await saveSnapMeta(memberDir, meta)
  step('record')
  // After the record, the store and the log are independent (a restart finishes either from
  // the record), so they go at once: the log's new segment waits on the disk while the store
  // loads its key index.
  const timed = async (name: string, work: () => Promise<void>) => {
    const started = performance.now()
    await work()
    return `${name} ${Math.round(performance.now() - started)} ms`
  }
  const parts = await Promise.all([
    timed('store', () => store.restoreFrom(receivedDbFile(memberDir, index))),
    timed('log', async () => {
      await disk.wal.restartAt(BigInt(index) + 1n)
      disk.storage.applySnapshot(snapshot)
      await disk.wal.releaseTo(BigInt(index))
      await removeReceivedBefore(memberDir, index)
    }),
  ])
  step(`store and log at once (${parts.join(', ')})`)
  return {meta, steps: steps.join(', ')}
}
