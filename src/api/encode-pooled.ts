// Protobuf encoding for the hot paths (every request's log entry, every unary answer) through
// one reused writer.
//
// A generated `encode(message).finish()` makes a BinaryWriter with a fresh 128-byte array,
// doubles it (allocate, copy) as the message grows, and copies the result out with slice():
// for a 100-byte put two or three typed arrays, each above V8's on-heap limit, so each a
// separately allocated, zero-filled backing store the GC must track. Here the writer and its
// buffer are kept, and the bytes are copied once into a Buffer from Node's pool (Buffer.allocUnsafe).
//
// The writer's `buffer` and `pos` are private in @bufbuild/protobuf's typings: they are
// checked once here, and if they are not what this expects, every call takes the plain path.
import {BinaryWriter} from '@bufbuild/protobuf/wire'

interface Encoder<T> {
  /** A generated encoder writes into `writer` and returns it; one that does not is used as it is. */
  encode(message: T, writer?: BinaryWriter): {finish(): Uint8Array}
}

interface WriterInternals {
  buffer: Uint8Array
  pos: number
  stackPos: number[]
}

/** A writer that grew past this is dropped after use, so one huge message is not kept alive. */
const maxKeptBytes = 64 * 1024

let writer = new BinaryWriter()
/** Set while the shared writer is in use (an encoder does not call back into this, but be safe). */
let busy = false

function internalsOf(candidate: BinaryWriter): WriterInternals | undefined {
  const fields = candidate as unknown as Partial<WriterInternals>
  return fields.buffer instanceof Uint8Array && typeof fields.pos === 'number' && Array.isArray(fields.stackPos) ? (fields as WriterInternals) : undefined
}

const supported = internalsOf(writer) !== undefined

/**
 * `message` encoded into a new Buffer of `prefixBytes + its length` bytes, the message after
 * the first `prefixBytes` (left unwritten, for the caller to fill).
 */
export function encodeAfterPrefix<T>(codec: Encoder<T>, message: T, prefixBytes: number): Buffer {
  if (!supported || busy) return copyAfterPrefix(codec.encode(message).finish(), prefixBytes)
  busy = true
  try {
    const used = codec.encode(message, writer)
    if (used !== writer) return copyAfterPrefix(used.finish(), prefixBytes)
    const state = internalsOf(writer)!
    const out = Buffer.allocUnsafe(prefixBytes + state.pos)
    out.set(state.buffer.subarray(0, state.pos), prefixBytes)
    return out
  } finally {
    const state = internalsOf(writer)!
    state.pos = 0
    state.stackPos.length = 0
    if (state.buffer.length > maxKeptBytes) writer = new BinaryWriter()
    busy = false
  }
}

function copyAfterPrefix(bytes: Uint8Array, prefixBytes: number): Buffer {
  const out = Buffer.allocUnsafe(prefixBytes + bytes.length)
  out.set(bytes, prefixBytes)
  return out
}

/** The length of `message` encoded (nothing is kept). */
export function encodedLength<T>(codec: Encoder<T>, message: T): number {
  if (!supported || busy) return codec.encode(message).finish().length
  busy = true
  try {
    const used = codec.encode(message, writer)
    return used === writer ? internalsOf(writer)!.pos : used.finish().length
  } finally {
    const state = internalsOf(writer)!
    state.pos = 0
    state.stackPos.length = 0
    if (state.buffer.length > maxKeptBytes) writer = new BinaryWriter()
    busy = false
  }
}

/** `message` encoded into a new Buffer of exactly its length. */
export function encodePooled<T>(codec: Encoder<T>, message: T): Buffer {
  return encodeAfterPrefix(codec, message, 0)
}
