// The snapshot stream: how a leader sends a follower its store when the follower needs entries
// the leader's log no longer holds (etcd's rafthttp snapshot sender and handler).
//
// It is its own TCP connection to the follower's peer port (transport.ts), so a large store
// never holds up the message stream: a hello frame naming the stream 'snapshot', then frames
// (frames.ts) each starting with a kind byte:
//   'M' — the raft MsgSnap (raft/codec.ts): the snapshot's index, term, configuration, and
//         the roster at that index as its data;
//   'D' — the next chunk of the store's backend file (at most chunkBytes);
//   'E' — the end: the file's length (8 bytes, big-endian) and its sha256 (32 bytes).
// The follower answers with one frame: JSON {ok, error?}, once the file is whole, verified and
// durable, and raft has been handed the message (installing it is the member's job).
//
// Memory is bounded on both sides: the sender reads the file a chunk at a time and waits for
// the socket to drain; the receiver stops reading the socket while a chunk is being written.
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {open, rename, rm} from 'node:fs/promises'
import type {Socket} from 'node:net'
import {dirname} from 'node:path'
import {decodeMessage, encodeMessage, type Message} from '../raft/index.js'
import {syncDir, writeFully} from '../wal/fs-sync.js'
import {FrameReader, frame} from './frames.js'

/** Bytes of the backend file per 'D' frame. */
export const chunkBytes = 1024 * 1024
/** A frame on the snapshot stream above this is refused. */
export const maxSnapshotFrameBytes = chunkBytes + 64 * 1024

const Kind = {message: 0x4d, data: 0x44, end: 0x45} as const

interface Answer {
  ok: boolean
  error?: string
}

/** Bytes the sender lets the socket hold unsent before it waits for it to drain. */
const maxUnsentBytes = 4 * chunkBytes

/** Writes one frame of `kind` holding `body` (not copied: its length and kind go first, then it). */
function writeFrame(socket: Socket, kind: number, body: Uint8Array): Promise<void> {
  const head = Buffer.allocUnsafe(5)
  head.writeUInt32BE(1 + body.length, 0)
  head[4] = kind
  socket.cork()
  socket.write(head)
  socket.write(body)
  socket.uncork()
  if (socket.writableLength <= maxUnsentBytes) return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      socket.off('close', onClose)
      resolve()
    }
    const onClose = () => {
      socket.off('drain', onDrain)
      reject(new Error('snapshot stream closed while sending'))
    }
    socket.once('drain', onDrain)
    socket.once('close', onClose)
  })
}

/**
 * Streams `message` (a MsgSnap) and the backend file `file` on `socket` (already greeted), then
 * waits for the follower's answer; rejects if the follower refused it or the stream broke.
 * Returns the bytes of the file sent.
 */
export async function sendSnapshot(socket: Socket, message: Message, file: string): Promise<number> {
  const answer = new Promise<Answer>((resolve, reject) => {
    const reader = new FrameReader(64 * 1024)
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = reader.push(chunk)
      } catch (error) {
        reject(error as Error)
        return
      }
      if (frames.length > 0) {
        try {
          resolve(JSON.parse(frames[0]!.toString('utf8')) as Answer)
        } catch {
          reject(new Error('the follower answered the snapshot with a malformed frame'))
        }
      }
    })
    socket.once('close', () => reject(new Error('the follower closed the snapshot stream before answering')))
    socket.on('error', () => undefined)
  })
  // a rejection that comes before it is awaited (the stream broke while sending) is not unhandled
  answer.catch(() => undefined)
  const hash = createHash('sha256')
  let bytes = 0
  await writeFrame(socket, Kind.message, encodeMessage(message))
  for await (const chunk of createReadStream(file, {highWaterMark: chunkBytes})) {
    const data = chunk as Buffer
    hash.update(data)
    bytes += data.length
    await writeFrame(socket, Kind.data, data)
  }
  const end = Buffer.allocUnsafe(8 + 32)
  end.writeBigUInt64BE(BigInt(bytes), 0)
  hash.digest().copy(end, 8)
  await writeFrame(socket, Kind.end, end)
  const result = await answer
  if (!result.ok) throw new Error(`the follower refused the snapshot: ${result.error ?? 'no reason given'}`)
  return bytes
}

/** Where a received snapshot goes: `fileFor(message)` names the file it is kept in once verified. */
export interface SnapshotSink {
  fileFor(message: Message): string
  /** The file is whole, verified and durable: hand the message to raft. Throws to refuse it. */
  received(message: Message, file: string, bytes: number, ms: number): void
}

/**
 * Receives one snapshot on `socket` (after the hello; `pending` holds frames already read past
 * it). The file is written as `<file>.part`, checked against the length and sha256 of the end
 * frame, synced and renamed to its name; a stream that breaks or does not verify leaves nothing
 * behind. Answers the sender either way.
 */
export async function receiveSnapshot(socket: Socket, reader: FrameReader, pending: Buffer[], sink: SnapshotSink): Promise<void> {
  reader.limit(maxSnapshotFrameBytes)
  const frames = frameQueue(socket, reader, pending)
  const started = performance.now()
  let part: string | undefined
  try {
    const first = await frames.next()
    if (first === undefined || first[0] !== Kind.message) throw new Error('the snapshot stream does not start with its message')
    const message = decodeMessage(first.subarray(1))
    if (message.snapshot === undefined) throw new Error('the snapshot stream carries no snapshot')
    const file = sink.fileFor(message)
    part = `${file}.part`
    const handle = await open(part, 'w')
    const hash = createHash('sha256')
    let bytes = 0
    try {
      for (;;) {
        const next = await frames.next()
        if (next === undefined) throw new Error('the snapshot stream ended before its end frame')
        if (next[0] === Kind.data) {
          const data = next.subarray(1)
          hash.update(data)
          await writeFully(handle, data, bytes)
          bytes += data.length
          continue
        }
        if (next[0] !== Kind.end || next.length !== 1 + 8 + 32) throw new Error('unexpected frame on the snapshot stream')
        const expectedBytes = Number(next.readBigUInt64BE(1))
        if (expectedBytes !== bytes) throw new Error(`snapshot is ${bytes} bytes, the sender sent ${expectedBytes}`)
        const actual = hash.digest()
        if (!actual.equals(next.subarray(9))) throw new Error('snapshot sha256 mismatch')
        break
      }
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(part, file)
    part = undefined
    await syncDir(dirname(file))
    sink.received(message, file, bytes, performance.now() - started)
    socket.end(frame(Buffer.from(JSON.stringify({ok: true} satisfies Answer))))
  } catch (error) {
    if (part !== undefined) await rm(part, {force: true}).catch(() => undefined)
    if (!socket.destroyed) socket.end(frame(Buffer.from(JSON.stringify({ok: false, error: (error as Error).message} satisfies Answer))))
    throw error
  } finally {
    frames.close()
  }
}

/** Bytes of whole frames the receiver holds while it writes: the socket is paused past this. */
const maxQueuedBytes = 4 * chunkBytes

/**
 * The frames of a socket, one at a time. The socket goes on being read while earlier frames
 * are written (so the network and the disk work at once), and is paused while more than
 * maxQueuedBytes of frames wait to be taken: at most that plus one frame is held.
 */
function frameQueue(socket: Socket, reader: FrameReader, pending: Buffer[]) {
  const queue: Buffer[] = [...pending]
  let queuedBytes = 0
  for (const f of queue) queuedBytes += f.length
  let ended = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  const onData = (chunk: Buffer) => {
    try {
      for (const f of reader.push(chunk)) {
        queue.push(f)
        queuedBytes += f.length
      }
    } catch (error) {
      failure = error as Error
      socket.destroy()
    }
    if (queuedBytes > maxQueuedBytes) socket.pause()
    wake?.()
  }
  const onEnd = () => {
    ended = true
    wake?.()
  }
  socket.on('data', onData)
  socket.once('end', onEnd)
  socket.once('close', onEnd)
  if (queuedBytes > maxQueuedBytes) socket.pause()
  return {
    async next(): Promise<Buffer | undefined> {
      for (;;) {
        if (failure !== undefined) throw failure
        const head = queue.shift()
        if (head !== undefined) {
          queuedBytes -= head.length
          if (queuedBytes <= maxQueuedBytes) socket.resume()
          return head
        }
        if (ended) return undefined
        socket.resume()
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
      }
    },
    close(): void {
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('close', onEnd)
      socket.resume()
    },
  }
}
