// A hand-written codec for mvccpb.KeyValue, the backend's value format. It writes exactly the
// bytes the generated KeyValue.encode writes (fields in number order, zero fields omitted), so
// either can read the other, but it is several times faster on the hot apply and read paths
// and can read single fields without decoding the rest (the open-time scan needs only the key).
import assert from 'node:assert/strict'
import type {KeyValue} from '../../api/proto/kv.js'
import {varintSize, writeVarint} from '../../api/varint.js'

const TAG_KEY = 0x0a // field 1, length-delimited
const TAG_CREATE = 0x10 // field 2, varint
const TAG_MOD = 0x18 // field 3, varint
const TAG_VERSION = 0x20 // field 4, varint
const TAG_VALUE = 0x2a // field 5, length-delimited
const TAG_LEASE = 0x30 // field 6, varint

/** The fields of a stored KeyValue, revisions as numbers (safe integers). */
export interface StoredKv {
  key: Buffer
  createRevision: number
  modRevision: number
  version: number
  value: Buffer
  lease: bigint
}

function leaseBytes(lease: bigint): number[] {
  let u = BigInt.asUintN(64, lease)
  const bytes: number[] = []
  while (u >= 0x80n) {
    bytes.push(Number(u & 0x7fn) | 0x80)
    u >>= 7n
  }
  bytes.push(Number(u))
  return bytes
}

export function encodeKv(kv: StoredKv): Buffer {
  const {key, createRevision, modRevision, version, value, lease} = kv
  const lease7 = lease === 0n ? undefined : leaseBytes(lease)
  let size = 0
  if (key.length > 0) size += 1 + varintSize(key.length) + key.length
  if (createRevision !== 0) size += 1 + varintSize(createRevision)
  if (modRevision !== 0) size += 1 + varintSize(modRevision)
  if (version !== 0) size += 1 + varintSize(version)
  if (value.length > 0) size += 1 + varintSize(value.length) + value.length
  if (lease7 !== undefined) size += 1 + lease7.length
  const out = Buffer.allocUnsafe(size)
  let pos = 0
  if (key.length > 0) {
    out[pos++] = TAG_KEY
    pos = writeVarint(out, pos, key.length)
    pos += key.copy(out, pos)
  }
  if (createRevision !== 0) {
    out[pos++] = TAG_CREATE
    pos = writeVarint(out, pos, createRevision)
  }
  if (modRevision !== 0) {
    out[pos++] = TAG_MOD
    pos = writeVarint(out, pos, modRevision)
  }
  if (version !== 0) {
    out[pos++] = TAG_VERSION
    pos = writeVarint(out, pos, version)
  }
  if (value.length > 0) {
    out[pos++] = TAG_VALUE
    pos = writeVarint(out, pos, value.length)
    pos += value.copy(out, pos)
  }
  if (lease7 !== undefined) {
    out[pos++] = TAG_LEASE
    for (const b of lease7) out[pos++] = b
  }
  assert.equal(pos, size)
  return out
}

/** The value stored for a delete: a KeyValue holding the key alone (as etcd). */
export function encodeTombstone(key: Buffer): Buffer {
  return encodeKv({key, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0n})
}

const EMPTY = Buffer.alloc(0)

/** A cursor over one encoded message; `buf` may be a reused buffer, so bytes are copied out. */
class Reader {
  pos = 0
  constructor(readonly buf: Uint8Array) {}

  varint(): number {
    let result = 0
    let scale = 1
    for (;;) {
      const b = this.buf[this.pos++]
      assert.ok(b !== undefined, 'truncated KeyValue')
      result += (b & 0x7f) * scale
      if (b < 0x80) return result
      scale *= 128
    }
  }

  varintBig(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      const b = this.buf[this.pos++]
      assert.ok(b !== undefined, 'truncated KeyValue')
      result |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return BigInt.asIntN(64, result)
      shift += 7n
    }
  }
}

/**
 * Decodes a stored KeyValue. `buf` may be a reused buffer (the backend's): it is copied ONCE,
 * and the key and value are views of that copy (one allocation instead of two copies).
 */
export function decodeKv(stored: Uint8Array): StoredKv {
  const length = stored.length
  const buf = Buffer.allocUnsafe(length)
  // lmdb's reused read buffer reports a `length` shorter than the array under it, which
  // TypedArray.set would read whole: copy through an explicit view.
  buf.set(stored.subarray(0, length))
  const kv: StoredKv = {key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0n}
  const r = new Reader(buf)
  while (r.pos < buf.length) {
    const tag = buf[r.pos++]
    switch (tag) {
      case TAG_KEY: {
        const len = r.varint()
        kv.key = buf.subarray(r.pos, r.pos + len)
        r.pos += len
        break
      }
      case TAG_CREATE:
        kv.createRevision = r.varint()
        break
      case TAG_MOD:
        kv.modRevision = r.varint()
        break
      case TAG_VERSION:
        kv.version = r.varint()
        break
      case TAG_VALUE: {
        const len = r.varint()
        kv.value = buf.subarray(r.pos, r.pos + len)
        r.pos += len
        break
      }
      case TAG_LEASE:
        kv.lease = r.varintBig()
        break
      default:
        assert.fail(`unexpected tag ${tag} in a stored KeyValue`)
    }
  }
  return kv
}

/** The key of an encoded KeyValue as a latin1 string, reading nothing else. */
export function decodeKeyString(buf: Buffer): string {
  assert.equal(buf[0], TAG_KEY, 'a stored KeyValue starts with its key')
  const r = new Reader(buf)
  r.pos = 1
  const len = r.varint()
  return buf.toString('latin1', r.pos, r.pos + len)
}

/** The wire KeyValue (int64 fields as bigint) of a stored one. */
export function toKeyValue(kv: StoredKv, keysOnly = false): KeyValue {
  return {
    key: kv.key,
    createRevision: BigInt(kv.createRevision),
    modRevision: BigInt(kv.modRevision),
    version: BigInt(kv.version),
    value: keysOnly ? EMPTY : kv.value,
    lease: kv.lease,
  }
}
