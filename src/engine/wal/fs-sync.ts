// The few file-system steps the log needs to be durable, in one place.
import {write, writeSync} from 'node:fs'
import type {FileHandle} from 'node:fs/promises'
import {open} from 'node:fs/promises'

/** fsyncs a directory, so file creations, renames and removals in it survive power loss. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes all of `buf` at `position` (a write may be partial; keep going until it is whole). */
export async function writeFully(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const {bytesWritten} = await handle.write(buf, done, buf.length - done, position + done)
    if (bytesWritten <= 0) throw new Error(`wal: write made no progress at byte ${position + done}`)
    done += bytesWritten
  }
}

/**
 * writeFully for the log's hot path: the same writes, with a callback instead of promises.
 * FileHandle.write takes a reference on the handle, makes a promise and resolves it through
 * the microtask queue, and writeFully's own await adds two more steps, on every batch; the
 * plain fs.write call hands the result straight to `done`. The caller keeps `fd` open until
 * `done` ran (the log closes a segment only with no write in flight).
 */
export function writeFullyThen(fd: number, buf: Buffer, position: number, done: (error: Error | null) => void): void {
  let written = 0
  const writeRest = () => {
    try {
      write(fd, buf, written, buf.length - written, position + written, next)
    } catch (error) {
      // refused before it started (a closed handle's fd is -1): reported as a failed write is,
      // after the caller's own run, never from inside it
      process.nextTick(done, error instanceof Error ? error : new Error(String(error)))
    }
  }
  const next = (error: Error | null, bytesWritten: number) => {
    if (error !== null) return done(error)
    if (bytesWritten <= 0) return done(new Error(`wal: write made no progress at byte ${position + written}`))
    written += bytesWritten
    if (written < buf.length) writeRest()
    else done(null)
  }
  writeRest()
}

/** writeFully on the calling thread: for a write the caller would only wait for anyway. */
export function writeFullySync(fd: number, buf: Buffer, position: number): void {
  let written = 0
  while (written < buf.length) {
    const bytesWritten = writeSync(fd, buf, written, buf.length - written, position + written)
    if (bytesWritten <= 0) throw new Error(`wal: write made no progress at byte ${position + written}`)
    written += bytesWritten
  }
}
