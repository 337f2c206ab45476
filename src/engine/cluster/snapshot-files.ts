// Where snapshot files live in a member's snap dir, beside the snapshot record (snap-meta.ts):
//   <index, 16 hex digits>.snap.db        a store received from the leader, whole and verified
//   <index>.snap.db.part                  one being received
//   send-<pid>-<n>.db                     a copy of this member's store being sent to a follower
//
// A received store is installed in three steps: it is made durable under its name, the
// snapshot record is saved with its index (the commit point), and it is renamed over the
// store's file. A restart after the record was saved but before the rename finishes the
// install (recoverReceivedSnapshot); anything else found here on open is litter from a
// process that died mid-way, and goes.
import {readdir, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {syncDir} from '../wal/fs-sync.js'

const receivedSuffix = '.snap.db'

export function snapDir(memberDir: string): string {
  return join(memberDir, 'snap')
}

/** The file a store received from the leader at raft index `index` is kept in until installed. */
export function receivedDbFile(memberDir: string, index: number): string {
  return join(snapDir(memberDir), `${index.toString(16).padStart(16, '0')}${receivedSuffix}`)
}

let sendSequence = 0

/** A fresh name for a copy of this member's store on its way to a follower. */
export function sendDbFile(memberDir: string): string {
  return join(snapDir(memberDir), `send-${process.pid}-${++sendSequence}.db`)
}

/**
 * On open, before the store is: moves a received store whose snapshot record was saved (index
 * `recordIndex`) but which was not yet renamed into place to `backendFile`; removes every other
 * snapshot file. Returns whether it finished an install.
 */
export async function recoverReceivedSnapshot(memberDir: string, recordIndex: number, backendFile: string): Promise<boolean> {
  const dir = snapDir(memberDir)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  const pending = receivedDbFile(memberDir, recordIndex)
  let finished = false
  for (const name of names) {
    const path = join(dir, name)
    if (path === pending) {
      await rm(`${backendFile}-lock`, {force: true})
      await rename(path, backendFile)
      await syncDir(join(backendFile, '..'))
      finished = true
    } else if (name.endsWith(receivedSuffix) || name.endsWith(`${receivedSuffix}.part`) || name.startsWith('send-')) {
      await rm(path, {force: true})
    }
  }
  if (finished) await syncDir(dir)
  return finished
}

/** Removes received stores older than `index` (superseded by the one just installed). */
export async function removeReceivedBefore(memberDir: string, index: number): Promise<void> {
  const dir = snapDir(memberDir)
  for (const name of await readdir(dir)) {
    if (!name.endsWith(receivedSuffix) && !name.endsWith(`${receivedSuffix}.part`)) continue
    const fileIndex = Number.parseInt(name.slice(0, 16), 16)
    if (fileIndex < index) await rm(join(dir, name), {force: true})
  }
}
