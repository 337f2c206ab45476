// A revision is (main, sub): main is the store revision of a change, sub the position of a
// write inside that change (a txn's ops take 0, 1, 2 …). In the backend a revision is stored
// as etcd stores it, so the B+tree sorts by revision: 8 bytes big-endian main, '_', 8 bytes
// big-endian sub, and a trailing 't' for a tombstone (a delete).

export const REV_BYTES_LEN = 17
export const TOMBSTONE_REV_BYTES_LEN = 18
const SEPARATOR = 0x5f // '_'
const TOMBSTONE_MARK = 0x74 // 't'
const TWO_POW_32 = 2 ** 32

/** Encodes (main, sub) into a fresh buffer; main and sub are non-negative safe integers. */
export function revToBytes(main: number, sub: number, tombstone = false): Buffer {
  const out = Buffer.allocUnsafe(tombstone ? TOMBSTONE_REV_BYTES_LEN : REV_BYTES_LEN)
  writeRev(out, main, sub)
  if (tombstone) out[REV_BYTES_LEN] = TOMBSTONE_MARK
  return out
}

/** Writes the 17-byte (main, sub) encoding at the start of `out`. */
export function writeRev(out: Buffer, main: number, sub: number): void {
  out.writeUInt32BE(Math.floor(main / TWO_POW_32), 0)
  out.writeUInt32BE(main >>> 0, 4)
  out[8] = SEPARATOR
  out.writeUInt32BE(Math.floor(sub / TWO_POW_32), 9)
  out.writeUInt32BE(sub >>> 0, 13)
}

export function revMain(bytes: Uint8Array): number {
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return view.readUInt32BE(0) * TWO_POW_32 + view.readUInt32BE(4)
}

export function revSub(bytes: Uint8Array): number {
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return view.readUInt32BE(9) * TWO_POW_32 + view.readUInt32BE(13)
}

export function isTombstoneRev(bytes: Uint8Array): boolean {
  return bytes.length === TOMBSTONE_REV_BYTES_LEN && bytes[REV_BYTES_LEN] === TOMBSTONE_MARK
}
