// The on-disk record format of the write-ahead log.
//
// Every record is a fixed 9-byte header followed by its payload:
//
//   offset 0  u32 LE  payload length in bytes
//   offset 4  u32 LE  CRC32 of bytes [8, 9 + length): the type byte and the payload
//   offset 8  u8      record type
//   offset 9  payload
//
// The CRC covers the type too, so a flipped type byte is caught like a flipped payload byte;
// a flipped length byte makes the CRC run over the wrong bytes and is caught the same way.
// Integers in payloads are u64 little-endian.
import assert from 'node:assert/strict'
import {crc32} from 'node:zlib'
import type {HardState, WalEntry} from './log.js'

export const recordHeaderBytes = 9
/** Largest payload we write or accept; far above etcd's 1.5 MiB request limit. */
export const maxPayloadBytes = 64 * 1024 * 1024

export const RecordType = {
  /** First record of every segment: magic, format version, sequence, first index. */
  segmentHeader: 1,
  /**
   * Opens one write (one group commit): the byte length of the records that follow in it, and
   * the offset in the segment below which every write was durable when this one started (see
   * BatchHeader).
   */
  batch: 2,
  /** A log entry: index, term, data. */
  entry: 3,
  /** Raft's hard state: term, vote, commit. */
  hardState: 4,
} as const
export type RecordTypeValue = (typeof RecordType)[keyof typeof RecordType]

const knownTypes = new Set<number>(Object.values(RecordType))
export function isKnownRecordType(type: number): type is RecordTypeValue {
  return knownTypes.has(type)
}

export const segmentMagic = Buffer.from('ECTLWAL\0', 'latin1')
export const segmentFormatVersion = 1
const segmentHeaderPayloadBytes = segmentMagic.length + 4 + 8 + 8
/** A batch record's payload: u32 byte length of its records, u64 its durable-before offset. */
const batchPayloadBytes = 12
/** The first form of the batch record (no durable-before offset), still read. */
const serialBatchPayloadBytes = 4
const entryFixedBytes = 16
const hardStatePayloadBytes = 24

export interface SegmentHeader {
  sequence: bigint
  firstIndex: bigint
}

/** Allocates a record of `payloadBytes` and returns it with a view of its payload to fill. */
function allocRecord(type: RecordTypeValue, payloadBytes: number): {record: Buffer; payload: Buffer} {
  assert.ok(payloadBytes <= maxPayloadBytes, `wal record payload of ${payloadBytes} bytes is over the limit`)
  const record = Buffer.allocUnsafe(recordHeaderBytes + payloadBytes)
  record.writeUInt32LE(payloadBytes, 0)
  record[8] = type
  return {record, payload: record.subarray(recordHeaderBytes)}
}

/** Seals a record filled by allocRecord: computes its CRC. */
function seal(record: Buffer): Buffer {
  record.writeUInt32LE(crc32(record.subarray(8)), 4)
  return record
}

export function encodeSegmentHeader(header: SegmentHeader): Buffer {
  const {record, payload} = allocRecord(RecordType.segmentHeader, segmentHeaderPayloadBytes)
  segmentMagic.copy(payload, 0)
  payload.writeUInt32LE(segmentFormatVersion, 8)
  payload.writeBigUInt64LE(header.sequence, 12)
  payload.writeBigUInt64LE(header.firstIndex, 20)
  return seal(record)
}

/**
 * A batch record. The log may have more than one write on its way to disk at a time, so after a
 * crash a later write can be whole where an earlier one is torn; `durableBytes` tells replay
 * which damage that can be: every byte of the segment before it was durable (written and
 * acknowledged) when this batch's write started, so damage below it is not a torn write.
 */
export interface BatchHeader {
  recordsBytes: number
  /** undefined in the first form of the record: written once everything before it was durable. */
  durableBytes: number | undefined
}

export function encodeBatch(recordsBytes: number, durableBytes: number): Buffer {
  const {record, payload} = allocRecord(RecordType.batch, batchPayloadBytes)
  payload.writeUInt32LE(recordsBytes, 0)
  payload.writeBigUInt64LE(BigInt(durableBytes), 4)
  return seal(record)
}

export function encodeEntry(entry: WalEntry): Buffer {
  const {record, payload} = allocRecord(RecordType.entry, entryFixedBytes + entry.data.length)
  payload.writeBigUInt64LE(entry.index, 0)
  payload.writeBigUInt64LE(entry.term, 8)
  payload.set(entry.data, entryFixedBytes)
  return seal(record)
}

/**
 * The records of one append (its entries, then the hard state if any) laid out back to back in
 * ONE buffer: the same bytes as concatenating encodeEntry of each and encodeHardState, with one
 * allocation instead of one per record.
 */
export function encodeRecords(entries: readonly WalEntry[], hardState: HardState | undefined): Buffer {
  let total = hardState === undefined ? 0 : recordHeaderBytes + hardStatePayloadBytes
  for (const entry of entries) {
    const payloadBytes = entryFixedBytes + entry.data.length
    assert.ok(payloadBytes <= maxPayloadBytes, `wal record payload of ${payloadBytes} bytes is over the limit`)
    total += recordHeaderBytes + payloadBytes
  }
  const out = Buffer.allocUnsafe(total)
  let at = 0
  for (const entry of entries) {
    const payloadBytes = entryFixedBytes + entry.data.length
    out.writeUInt32LE(payloadBytes, at)
    out[at + 8] = RecordType.entry
    out.writeBigUInt64LE(entry.index, at + recordHeaderBytes)
    out.writeBigUInt64LE(entry.term, at + recordHeaderBytes + 8)
    out.set(entry.data, at + recordHeaderBytes + entryFixedBytes)
    const end = at + recordHeaderBytes + payloadBytes
    out.writeUInt32LE(crc32(out.subarray(at + 8, end)), at + 4)
    at = end
  }
  if (hardState !== undefined) out.set(encodeHardState(hardState), at)
  return out
}

export function encodeHardState(state: HardState): Buffer {
  const {record, payload} = allocRecord(RecordType.hardState, hardStatePayloadBytes)
  payload.writeBigUInt64LE(state.term, 0)
  payload.writeBigUInt64LE(state.vote, 8)
  payload.writeBigUInt64LE(state.commit, 16)
  return seal(record)
}

/** A record read back from disk; `payload` is a view into the segment's buffer. */
export interface RawRecord {
  type: RecordTypeValue
  payload: Buffer
  /** Byte offset of the record's header in its segment. */
  offset: number
  /** Byte offset just past the record. */
  end: number
}

/** Why a record could not be read; the message is worded for WalCorruptError. */
export type RecordFault =
  | {kind: 'short-header'}
  | {kind: 'short-payload'}
  | {kind: 'bad-length'; length: number}
  | {kind: 'bad-crc'}
  | {kind: 'bad-type'; type: number}

export function describeFault(fault: RecordFault): string {
  switch (fault.kind) {
    case 'short-header':
      return 'record header cut short by end of file'
    case 'short-payload':
      return 'record payload cut short by end of file'
    case 'bad-length':
      return `record length ${fault.length} is over the limit`
    case 'bad-crc':
      return 'record CRC mismatch'
    case 'bad-type':
      return `unknown record type ${fault.type}`
  }
}

/** Reads the record at `offset` of `buf` (which ends where the file ends). */
export function readRecord(buf: Buffer, offset: number): RawRecord | RecordFault {
  if (buf.length - offset < recordHeaderBytes) return {kind: 'short-header'}
  const length = buf.readUInt32LE(offset)
  if (length > maxPayloadBytes) return {kind: 'bad-length', length}
  const end = offset + recordHeaderBytes + length
  if (end > buf.length) return {kind: 'short-payload'}
  if (crc32(buf.subarray(offset + 8, end)) !== buf.readUInt32LE(offset + 4)) return {kind: 'bad-crc'}
  const type = buf[offset + 8]
  if (!isKnownRecordType(type)) return {kind: 'bad-type', type}
  return {type, payload: buf.subarray(offset + recordHeaderBytes, end), offset, end}
}

export function isFault(read: RawRecord | RecordFault): read is RecordFault {
  return 'kind' in read
}

/** Payload decoders: return undefined (or, for the segment header, the reason) when the payload has the wrong shape. */
export function decodeSegmentHeader(payload: Buffer): SegmentHeader | string {
  if (payload.length !== segmentHeaderPayloadBytes) return `segment header of ${payload.length} bytes`
  if (!payload.subarray(0, segmentMagic.length).equals(segmentMagic)) return 'not a wal segment (bad magic)'
  const version = payload.readUInt32LE(8)
  if (version !== segmentFormatVersion) return `unsupported wal format version ${version}`
  return {sequence: payload.readBigUInt64LE(12), firstIndex: payload.readBigUInt64LE(20)}
}

export function decodeBatch(payload: Buffer): BatchHeader | undefined {
  if (payload.length === serialBatchPayloadBytes) return {recordsBytes: payload.readUInt32LE(0), durableBytes: undefined}
  if (payload.length !== batchPayloadBytes) return undefined
  return {recordsBytes: payload.readUInt32LE(0), durableBytes: Number(payload.readBigUInt64LE(4))}
}

/** Whether `payloadBytes` is the payload length of a batch record (either form). */
export function isBatchPayloadLength(payloadBytes: number): boolean {
  return payloadBytes === batchPayloadBytes || payloadBytes === serialBatchPayloadBytes
}

/** The entry's data is copied out, so the segment buffer can be dropped. */
export function decodeEntry(payload: Buffer): WalEntry | undefined {
  if (payload.length < entryFixedBytes) return undefined
  return {
    index: payload.readBigUInt64LE(0),
    term: payload.readBigUInt64LE(8),
    data: Buffer.from(payload.subarray(entryFixedBytes)),
  }
}

export function decodeHardState(payload: Buffer): HardState | undefined {
  if (payload.length !== hardStatePayloadBytes) return undefined
  return {term: payload.readBigUInt64LE(0), vote: payload.readBigUInt64LE(8), commit: payload.readBigUInt64LE(16)}
}
