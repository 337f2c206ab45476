// A LeaseKeepAliveResponse as one framed gRPC message, written directly: the header (kept
// encoded while it stays the same, header-field.ts), the lease id and the TTL as varints. The
// bytes are exactly LeaseKeepAliveResponse.encode's (the test holds it to that); the generated
// encoder built a writer, a fork for the header and a copy per response.
import type {LeaseKeepAliveResponse} from '../../../api/proto/rpc.js'
import {headerField} from './header-field.js'

const PREFIX_BYTES = 5
const TAG_ID = (2 << 3) | 0
const TAG_TTL = (3 << 3) | 0
/** The most a tag (1 byte) and an int64 varint (10 bytes) take. */
const MAX_INT64_FIELD_BYTES = 11

/** Writes an int64 as protobuf does (a negative one as its 64-bit two's complement, 10 bytes); returns the position after it. */
function writeInt64(out: Buffer, pos: number, value: bigint): number {
  if (value >= 0n && value <= 0x7fffffffn) {
    let n = Number(value)
    while (n >= 0x80) {
      out[pos++] = (n & 0x7f) | 0x80
      n >>>= 7
    }
    out[pos++] = n
    return pos
  }
  let rest = BigInt.asUintN(64, value)
  while (rest >= 0x80n) {
    out[pos++] = Number(rest & 0x7fn) | 0x80
    rest >>= 7n
  }
  out[pos++] = Number(rest)
  return pos
}

/** The response framed for the wire (prefix included): the bytes of LeaseKeepAliveResponse.encode behind the gRPC prefix. */
export function frameKeepAliveResponse(response: LeaseKeepAliveResponse): Buffer {
  const {ID, TTL} = response
  if (BigInt.asIntN(64, ID) !== ID || BigInt.asIntN(64, TTL) !== TTL) throw new Error('a lease id or TTL beyond int64')
  const header = response.header === undefined ? undefined : headerField(response.header)
  const scratch = Buffer.allocUnsafe(PREFIX_BYTES + (header?.length ?? 0) + 2 * MAX_INT64_FIELD_BYTES)
  let at = PREFIX_BYTES
  if (header !== undefined) at += header.copy(scratch, at)
  if (ID !== 0n) {
    scratch[at++] = TAG_ID
    at = writeInt64(scratch, at, ID)
  }
  if (TTL !== 0n) {
    scratch[at++] = TAG_TTL
    at = writeInt64(scratch, at, TTL)
  }
  scratch[0] = 0
  scratch.writeUInt32BE(at - PREFIX_BYTES, 1)
  return scratch.subarray(0, at)
}
