// Reads one segment file's bytes back into entries and hard states, and decides what a bad
// record means.
//
// A segment is its header record, then batches: each write (one group commit) is a batch
// record giving the byte length of the entry and hard-state records that follow it. Only the
// writes on their way to disk at the crash can be torn, and the log may have a few at once (a
// later one whole, an earlier one torn). Each batch record says where the segment was durable
// when its write started, so a bad record is a torn tail when it is in the last segment AND
// either lies in a batch that runs to the end of the file, or every valid batch record after it
// started while its batch was not durable yet (none may follow it at all for batch records of
// the first form, which carry no such offset). A torn batch is cut whole, at its start, with
// everything after it: one write's records survive a crash together or not at all, and the
// writes after it were never acknowledged (the log acknowledges in order).
// Anything else is damage to acknowledged data and is thrown as WalCorruptError.
import {crc32} from 'node:zlib'
import type {HardState, WalEntry} from './log.js'
import {WalCorruptError} from './errors.js'
import {
  RecordType,
  type SegmentHeader,
  decodeBatch,
  decodeEntry,
  decodeHardState,
  decodeSegmentHeader,
  describeFault,
  isBatchPayloadLength,
  isFault,
  readRecord,
  recordHeaderBytes,
} from './record.js'

export type SegmentItem =
  | {kind: 'entry'; entry: WalEntry; offset: number}
  | {kind: 'hardState'; state: HardState; offset: number}

export interface ReadSegment {
  header: SegmentHeader
  /** Entries and hard states of the whole batches, in file order. */
  items: SegmentItem[]
  /** Bytes that hold whole batches: the file's length, or where a torn tail starts. */
  validBytes: number
  /** Set when a torn tail was found (only ever in the last segment): why it is torn. */
  torn: {offset: number; reason: string} | undefined
}

/**
 * Parses `buf`, the whole content of segment `file`. `isLast`: this is the segment being
 * written, whose tail may be torn. Throws WalCorruptError for any other damage.
 */
export function readSegment(file: string, buf: Buffer, isLast: boolean): ReadSegment {
  const header = readHeader(file, buf)
  const items: SegmentItem[] = []
  let offset = header.end
  let batchStart = offset
  let batchEnd = offset // no batch open
  let itemsAtBatchStart = 0

  // A bad record at `at`: cut the tail there (at its batch's start) or throw.
  const fail = (at: number, reason: string): ReadSegment => {
    const inBatch = at > batchStart && at < batchEnd
    const cutAt = inBatch ? batchStart : at
    const torn = isLast && ((inBatch && batchEnd >= buf.length) || onlyInFlightBatchesAfter(buf, inBatch ? batchEnd : at + 1, cutAt))
    if (!torn) throw new WalCorruptError(file, at, reason)
    items.length = inBatch ? itemsAtBatchStart : items.length
    return {header: header.header, items, validBytes: cutAt, torn: {offset: at, reason}}
  }

  while (offset < buf.length) {
    // The segment being written is grown ahead of its writes with zeros (see wal.ts): zeros
    // from a batch boundary to the end of the file are that space, not a torn write.
    if (offset === batchEnd && isLast && buf[offset] === 0 && isAllZero(buf, offset)) return {header: header.header, items, validBytes: offset, torn: undefined}
    const read = readRecord(buf, offset)
    if (isFault(read)) return fail(offset, describeFault(read))
    if (offset === batchEnd) {
      // Between batches: only a batch record may start here.
      if (read.type !== RecordType.batch) return fail(offset, `expected a batch record, found record type ${read.type}`)
      const batch = decodeBatch(read.payload)
      if (batch === undefined) return fail(offset, 'malformed batch record')
      batchStart = offset
      batchEnd = read.end + batch.recordsBytes
      itemsAtBatchStart = items.length
      offset = read.end
      continue
    }
    if (read.end > batchEnd) return fail(offset, 'record runs past the end of its batch')
    if (read.type === RecordType.entry) {
      const entry = decodeEntry(read.payload)
      if (!entry) return fail(offset, 'malformed entry record')
      items.push({kind: 'entry', entry, offset})
    } else if (read.type === RecordType.hardState) {
      const state = decodeHardState(read.payload)
      if (!state) return fail(offset, 'malformed hard state record')
      items.push({kind: 'hardState', state, offset})
    } else {
      return fail(offset, `record type ${read.type} inside a batch`)
    }
    offset = read.end
  }
  // The file ends inside a batch: its last records are missing.
  if (offset < batchEnd) return fail(offset, 'batch cut short by end of file')
  return {header: header.header, items, validBytes: buf.length, torn: undefined}
}

function readHeader(file: string, buf: Buffer): {header: SegmentHeader; end: number} {
  if (buf.length === 0) throw new WalCorruptError(file, 0, 'empty segment file (no segment header)')
  const read = readRecord(buf, 0)
  if (isFault(read)) throw new WalCorruptError(file, 0, `bad segment header: ${describeFault(read)}`)
  if (read.type !== RecordType.segmentHeader) throw new WalCorruptError(file, 0, `expected a segment header, found record type ${read.type}`)
  const header = decodeSegmentHeader(read.payload)
  if (typeof header === 'string') throw new WalCorruptError(file, 0, header)
  return {header, end: read.end}
}

const zeros = Buffer.alloc(64 * 1024)

/** Whether buf[from, end) holds only zero bytes. */
function isAllZero(buf: Buffer, from: number): boolean {
  for (let at = from; at < buf.length; at += zeros.length) {
    const end = Math.min(at + zeros.length, buf.length)
    if (!buf.subarray(at, end).equals(zeros.subarray(0, end - at))) return false
  }
  return true
}

/**
 * Whether every valid batch record starting in buf[from, end) began its write while the bytes
 * from `cutAt` on were not durable yet (so it is a write that was in flight with the damaged
 * one, never acknowledged). A batch whose write started after them proves the damage hit
 * durable data. Runs only on the rare path of a bad record, and only in the last segment.
 */
function onlyInFlightBatchesAfter(buf: Buffer, from: number, cutAt: number): boolean {
  for (let at = Math.max(from, 0); at + recordHeaderBytes <= buf.length; at++) {
    if (buf[at + 8] !== RecordType.batch) continue
    const payloadBytes = buf.readUInt32LE(at)
    const end = at + recordHeaderBytes + payloadBytes
    if (!isBatchPayloadLength(payloadBytes) || end > buf.length) continue
    if (crc32(buf.subarray(at + 8, end)) !== buf.readUInt32LE(at + 4)) continue
    const batch = decodeBatch(buf.subarray(at + recordHeaderBytes, end))
    if (batch?.durableBytes === undefined || batch.durableBytes > cutAt) return false
  }
  return true
}
