// The few file-system steps the log needs to be durable, in one place.
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
