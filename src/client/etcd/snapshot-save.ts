// Saving Maintenance.Snapshot's stream to a file, as etcdctl's snapshot save does: write to
// FILE.part, fsync, then rename to FILE, so FILE is either absent or whole.
import {open, rename, rm} from 'node:fs/promises'
import type {EtcdMaintenanceClient} from './client.js'

export interface SaveProgress {
  /** FILE.part was created. */
  created?(partPath: string): void
  /** The stream answered its first message. */
  opened?(): void
  /** The stream ended; `bytes` were received. */
  received?(bytes: number): void
}

/** A part file could not be created (etcdctl: `could not open FILE.part (...)`). */
export class SnapshotFileError extends Error {}

/** Returns the bytes written. The part file is removed if anything fails. */
export async function saveSnapshot(client: Pick<EtcdMaintenanceClient, 'snapshot'>, path: string, progress: SaveProgress = {}): Promise<number> {
  const partPath = `${path}.part`
  await rm(partPath, {force: true})
  let file
  try {
    file = await open(partPath, 'wx', 0o600)
  } catch (error) {
    throw new SnapshotFileError(`could not open ${partPath} (open ${partPath}: ${errnoWords(error)})`)
  }
  progress.created?.(partPath)
  let bytes = 0
  let first = true
  try {
    for await (const message of client.snapshot()) {
      if (first) progress.opened?.()
      first = false
      await file.write(message.blob)
      bytes += message.blob.length
    }
    progress.received?.(bytes)
    await file.sync()
    await file.close()
    file = undefined
    await rename(partPath, path)
    return bytes
  } catch (error) {
    await file?.close().catch(() => undefined)
    await rm(partPath, {force: true})
    throw error
  }
}

/** Go's words for a failed open (what etcdctl prints). */
function errnoWords(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file or directory'
    case 'EACCES':
      return 'permission denied'
    case 'EISDIR':
      return 'is a directory'
    case 'ENOTDIR':
      return 'not a directory'
    default:
      return (error as Error).message
  }
}
