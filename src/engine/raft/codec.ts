// A compact binary encoding of entries, hard states, conf changes, snapshots and messages, for
// the peer transport and the log. Integers are unsigned LEB128 varints (as protobuf's), byte
// strings are length-prefixed; every record starts with a version byte so the format can grow.
//
// Decoding untrusted bytes never crashes: anything malformed, truncated or oversized throws a
// CodecError. Snapshots travel whole inside MsgSnap; cutting a large one into chunks is the
// transport's job.
import {
  type ConfChange,
  ConfChangeType,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Message,
  MessageType,
  type NodeId,
  type Snapshot,
} from './types.js'

const version = 1
/** Bound of one decoded byte string (a snapshot may be large; 1 GiB is still a limit). */
const maxBytesLength = 1024 * 1024 * 1024
const maxU64 = (1n << 64n) - 1n

export class CodecError extends Error {
  constructor(message: string) {
    super(`raft codec: ${message}`)
    this.name = 'CodecError'
  }
}

class Writer {
  private buffer = new Uint8Array(64)
  private length = 0

  private ensure(n: number): void {
    if (this.length + n <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.length))
    this.buffer = next
  }

  byte(b: number): void {
    this.ensure(1)
    this.buffer[this.length++] = b
  }

  /** A non-negative safe integer. */
  uint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new CodecError(`cannot encode ${n} as an unsigned integer`)
    this.ensure(8)
    while (n >= 0x80) {
      this.buffer[this.length++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.buffer[this.length++] = n
  }

  /** A 64-bit unsigned id. */
  u64(n: bigint): void {
    if (n < 0n || n > maxU64) throw new CodecError(`cannot encode ${n} as a 64-bit id`)
    this.ensure(10)
    while (n >= 0x80n) {
      this.buffer[this.length++] = Number(n & 0x7fn) | 0x80
      n >>= 7n
    }
    this.buffer[this.length++] = Number(n)
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length)
    this.ensure(b.length)
    this.buffer.set(b, this.length)
    this.length += b.length
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }
}

class Reader {
  private pos = 0

  constructor(private readonly buffer: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buffer.length) throw new CodecError('truncated input')
    return this.buffer[this.pos++]!
  }

  uint(): number {
    let result = 0
    let scale = 1
    for (let i = 0; ; i++) {
      if (i >= 8) throw new CodecError('integer too long')
      const b = this.byte()
      result += (b & 0x7f) * scale
      if (b < 0x80) break
      scale *= 0x80
    }
    if (!Number.isSafeInteger(result)) throw new CodecError('integer beyond 2^53')
    return result
  }

  u64(): bigint {
    let result = 0n
    let shift = 0n
    for (let i = 0; ; i++) {
      if (i >= 10) throw new CodecError('id too long')
      const b = this.byte()
      result |= BigInt(b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7n
    }
    if (result > maxU64) throw new CodecError('id beyond 64 bits')
    return result
  }

  bytes(): Uint8Array {
    const n = this.uint()
    if (n > maxBytesLength) throw new CodecError(`byte string of ${n} bytes is over the limit`)
    if (this.pos + n > this.buffer.length) throw new CodecError('truncated input')
    const b = this.buffer.slice(this.pos, this.pos + n)
    this.pos += n
    return b
  }

  /** A count of items, each at least minBytes long, that must fit in the rest of the input. */
  count(minBytes: number): number {
    const n = this.uint()
    if (n * minBytes > this.buffer.length - this.pos) throw new CodecError(`count ${n} exceeds the input`)
    return n
  }

  enumValue<T extends number>(valid: (v: number) => v is T, what: string): T {
    const v = this.uint()
    if (!valid(v)) throw new CodecError(`unknown ${what} ${v}`)
    return v
  }

  end(): void {
    if (this.pos !== this.buffer.length) throw new CodecError(`${this.buffer.length - this.pos} trailing bytes`)
  }

  header(): void {
    const v = this.byte()
    if (v !== version) throw new CodecError(`unknown version ${v}`)
  }
}

const isEntryType = (v: number): v is EntryType => v === EntryType.Normal || v === EntryType.ConfChange
const isConfChangeType = (v: number): v is ConfChangeType => v >= 0 && v <= 3
const isMessageType = (v: number): v is MessageType => v >= 0 && v <= 18

function writeEntry(w: Writer, e: Entry): void {
  w.uint(e.term)
  w.uint(e.index)
  w.uint(e.type)
  w.bytes(e.data)
}

function readEntry(r: Reader): Entry {
  const term = r.uint()
  const index = r.uint()
  const type = r.enumValue(isEntryType, 'entry type')
  return {term, index, type, data: r.bytes()}
}

function writeConfState(w: Writer, cs: ConfState): void {
  w.uint(cs.voters.length)
  for (const id of cs.voters) w.u64(id)
  w.uint(cs.learners.length)
  for (const id of cs.learners) w.u64(id)
}

function readIds(r: Reader): NodeId[] {
  const n = r.count(1)
  const ids: NodeId[] = []
  for (let i = 0; i < n; i++) ids.push(r.u64())
  return ids
}

function readConfState(r: Reader): ConfState {
  const voters = readIds(r)
  return {voters, learners: readIds(r)}
}

function writeSnapshot(w: Writer, s: Snapshot): void {
  w.uint(s.metadata.index)
  w.uint(s.metadata.term)
  writeConfState(w, s.metadata.confState)
  w.bytes(s.data)
}

function readSnapshot(r: Reader): Snapshot {
  const index = r.uint()
  const term = r.uint()
  const confState = readConfState(r)
  return {metadata: {index, term, confState}, data: r.bytes()}
}

function encodeWith(write: (w: Writer) => void): Uint8Array {
  const w = new Writer()
  w.byte(version)
  write(w)
  return w.finish()
}

function decodeWith<T>(bytes: Uint8Array, read: (r: Reader) => T): T {
  const r = new Reader(bytes)
  r.header()
  const value = read(r)
  r.end()
  return value
}

export function encodeEntry(e: Entry): Uint8Array {
  return encodeWith((w) => writeEntry(w, e))
}

export function decodeEntry(bytes: Uint8Array): Entry {
  return decodeWith(bytes, readEntry)
}

export function encodeHardState(hs: HardState): Uint8Array {
  return encodeWith((w) => {
    w.uint(hs.term)
    w.u64(hs.vote)
    w.uint(hs.commit)
  })
}

export function decodeHardState(bytes: Uint8Array): HardState {
  return decodeWith(bytes, (r) => ({term: r.uint(), vote: r.u64(), commit: r.uint()}))
}

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return encodeWith((w) => {
    w.uint(cc.type)
    w.u64(cc.nodeId)
    w.bytes(cc.context)
  })
}

export function decodeConfChange(bytes: Uint8Array): ConfChange {
  return decodeWith(bytes, (r) => ({type: r.enumValue(isConfChangeType, 'conf change type'), nodeId: r.u64(), context: r.bytes()}))
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  return encodeWith((w) => writeSnapshot(w, s))
}

export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  return decodeWith(bytes, readSnapshot)
}

export function encodeMessage(m: Message): Uint8Array {
  return encodeWith((w) => {
    w.uint(m.type)
    w.u64(m.to)
    w.u64(m.from)
    w.uint(m.term)
    w.uint(m.logTerm)
    w.uint(m.index)
    w.uint(m.commit)
    w.byte(m.reject ? 1 : 0)
    w.uint(m.rejectHint)
    w.bytes(m.context)
    w.uint(m.entries.length)
    for (const e of m.entries) writeEntry(w, e)
    if (m.snapshot === undefined) {
      w.byte(0)
    } else {
      w.byte(1)
      writeSnapshot(w, m.snapshot)
    }
  })
}

export function decodeMessage(bytes: Uint8Array): Message {
  return decodeWith(bytes, (r) => {
    const type = r.enumValue(isMessageType, 'message type')
    const to = r.u64()
    const from = r.u64()
    const term = r.uint()
    const logTerm = r.uint()
    const index = r.uint()
    const commit = r.uint()
    const rejectByte = r.byte()
    if (rejectByte > 1) throw new CodecError(`bad reject flag ${rejectByte}`)
    const rejectHint = r.uint()
    const context = r.bytes()
    // An entry is at least four bytes (term, index, type, data length).
    const n = r.count(4)
    const entries: Entry[] = []
    for (let i = 0; i < n; i++) entries.push(readEntry(r))
    const hasSnapshot = r.byte()
    if (hasSnapshot > 1) throw new CodecError(`bad snapshot flag ${hasSnapshot}`)
    const m: Message = {type, to, from, term, logTerm, index, commit, reject: rejectByte === 1, rejectHint, context, entries}
    if (hasSnapshot === 1) m.snapshot = readSnapshot(r)
    return m
  })
}
