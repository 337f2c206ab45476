// A checkpoint of the in-memory key index, kept in the backend so that a clean reopen reads it
// (one sequential read, keys already sorted, no value page touched) instead of scanning every
// revision and decoding each value to learn its key.
//
// Validity: the checkpoint is written in ONE backend transaction together with a stamp of the
// backend state it reflects: the consistent index, the scheduled and finished compaction
// revisions, the number of stored revisions and the highest one. Every applied batch moves the
// consistent index in its own transaction, and every physical compaction chunk changes the
// revision count, so any write after the checkpoint makes the stamp differ from the backend's:
// the checkpoint is then stale and the open scans. A kill -9 leaves the last checkpoint in
// place, stale as soon as anything was applied after it. Nothing has to be deleted for the
// invalidation to be durable.
//
// Layout: a JSON header and numbered chunks of about CHUNK_TARGET_BYTES. A chunk is a run of
// records, keys in increasing byte order:
//   varint keyLength, key bytes, entry
// entry: varint 0, varint main             — one live revision (main, 0)
//        varint 1, varint -packed - 1      — one live revision packed with its sub (key-history.ts)
//        varint 2, varint generations, per generation: varint pairs, then (varint main, varint sub) × pairs
import zlib from 'node:zlib'
import type {Backend} from './backend.js'
import {MetaKey} from './backend.js'
import {KeyHistory, type KeyEntry} from './key-history.js'
import {varintSize, writeVarint} from '../../api/varint.js'
import type {FrozenIndex, TreeIndex} from './tree-index.js'

const FORMAT_VERSION = 1
/** A chunk is cut at the first record boundary past this size. */
const CHUNK_TARGET_BYTES = 1 << 20
/** Bytes a record may take beyond its key and its revision varints: key length, tag, counts. */
const ENTRY_HEADER_MAX_BYTES = 32
const MAX_VARINT_BYTES = 8

const TAG_SINGLE = 0
const TAG_PACKED = 1
const TAG_HISTORY = 2

/** The backend state a checkpoint reflects; equal stamps mean the index would scan the same. */
interface BackendStamp {
  consistentIndex: string
  scheduledCompactRev: number
  finishedCompactRev: number
  revisionCount: number
  lastRevision: string
}

interface CheckpointHeader {
  version: number
  stamp: BackendStamp
  currentRev: number
  compactMainRev: number
  keyCount: number
  chunkCount: number
  crc: number
}

/** The store state beside the index that a checkpoint carries. */
export interface CheckpointState {
  currentRev: number
  compactMainRev: number
}

export type LoadedCheckpoint =
  | ({ok: true; keys: string[]; entries: KeyEntry[]} & CheckpointState)
  | {ok: false; reason: string}

function backendStamp(backend: Backend): BackendStamp {
  return {
    consistentIndex: backend.getMetaBigint(MetaKey.consistentIndex).toString(),
    scheduledCompactRev: backend.getMetaNumber(MetaKey.scheduledCompactRev) ?? -1,
    finishedCompactRev: backend.getMetaNumber(MetaKey.finishedCompactRev) ?? -1,
    revisionCount: backend.revisionCount(),
    lastRevision: backend.lastRevisionKey()?.toString('hex') ?? '',
  }
}

function sameStamp(a: BackendStamp, b: BackendStamp): boolean {
  return (
    a.consistentIndex === b.consistentIndex &&
    a.scheduledCompactRev === b.scheduledCompactRev &&
    a.finishedCompactRev === b.finishedCompactRev &&
    a.revisionCount === b.revisionCount &&
    a.lastRevision === b.lastRevision
  )
}

/** Appends records to chunks; a buffer grows only for a record larger than a chunk. */
class ChunkWriter {
  private buf = Buffer.allocUnsafe(CHUNK_TARGET_BYTES * 2)
  private pos = 0
  readonly chunks: Buffer[] = []

  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes))
    this.buf.copy(grown, 0, 0, this.pos)
    this.buf = grown
  }

  varint(n: number): void {
    this.pos = writeVarint(this.buf, this.pos, n)
  }

  latin1(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1')
  }

  endRecord(): void {
    if (this.pos >= CHUNK_TARGET_BYTES) this.cut()
  }

  finish(): Buffer[] {
    if (this.pos > 0) this.cut()
    return this.chunks
  }

  private cut(): void {
    this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)))
    this.pos = 0
  }
}

function writeEntry(w: ChunkWriter, key: string, entry: KeyEntry): void {
  const pairs = typeof entry === 'number' ? 1 : entry.generations.reduce((n, g) => n + g.length / 2 + 1, 0)
  w.reserve(varintSize(key.length) + key.length + ENTRY_HEADER_MAX_BYTES + pairs * 2 * MAX_VARINT_BYTES)
  w.varint(key.length)
  w.latin1(key)
  if (typeof entry === 'number') {
    if (entry >= 0) {
      w.varint(TAG_SINGLE)
      w.varint(entry)
    } else {
      w.varint(TAG_PACKED)
      w.varint(-entry - 1)
    }
  } else {
    w.varint(TAG_HISTORY)
    w.varint(entry.generations.length)
    for (const gen of entry.generations) {
      w.varint(gen.length / 2)
      for (const n of gen) w.varint(n)
    }
  }
  w.endRecord()
}

/** A key index encoded as checkpoint chunks, not yet tied to a backend state. */
export interface EncodedKeyIndex {
  chunks: Buffer[]
  keyCount: number
  crc: number
  state: CheckpointState
}

/** Encodes `index` (synchronously: the result is the index as it is now). */
export function encodeKeyIndex(index: TreeIndex, state: CheckpointState): EncodedKeyIndex {
  const w = new ChunkWriter()
  let keyCount = 0
  index.forEachEntry((key, entry) => {
    writeEntry(w, key, entry)
    keyCount++
  })
  return finishEncoding(w, keyCount, state)
}

/** Keys encoded between two turns of the event loop (a few ms of work). */
const KEYS_PER_SLICE = 20_000

/**
 * Encodes a frozen view of the index (the index as it was when frozen) a slice of keys at a
 * time, letting the event loop run between slices: a million keys take about a second of CPU,
 * which must not stop a leader's heartbeats. The caller releases the view.
 */
export async function encodeFrozenKeyIndex(view: FrozenIndex, state: CheckpointState): Promise<EncodedKeyIndex> {
  const w = new ChunkWriter()
  let keyCount = 0
  const visit = (key: string, entry: KeyEntry) => {
    writeEntry(w, key, entry)
    keyCount++
  }
  while (view.next(KEYS_PER_SLICE, visit)) await new Promise((resolve) => setImmediate(resolve))
  return finishEncoding(w, keyCount, state)
}

function finishEncoding(w: ChunkWriter, keyCount: number, state: CheckpointState): EncodedKeyIndex {
  const chunks = w.finish()
  let crc = 0
  for (const chunk of chunks) crc = zlib.crc32(chunk, crc)
  return {chunks, keyCount, crc, state: {...state}}
}

/**
 * Stores `encoded` as the checkpoint of `backend` as it is now, in place of the previous one.
 * The caller vouches that the index was encoded from exactly this backend state (the state
 * the stamp records). Must run inside backend.write(), so the checkpoint and its stamp are one
 * transaction. Writes nothing (and returns false) while a compaction is scheduled but not
 * finished: a checkpoint cannot carry the revisions still to delete, and the open must redo
 * that compaction.
 */
export function storeKeyIndexCheckpoint(backend: Backend, encoded: EncodedKeyIndex): boolean {
  const stamp = backendStamp(backend)
  if (stamp.scheduledCompactRev !== stamp.finishedCompactRev) return false
  const header: CheckpointHeader = {
    version: FORMAT_VERSION,
    stamp,
    currentRev: encoded.state.currentRev,
    compactMainRev: encoded.state.compactMainRev,
    keyCount: encoded.keyCount,
    chunkCount: encoded.chunks.length,
    crc: encoded.crc,
  }
  backend.replaceCheckpoint(Buffer.from(JSON.stringify(header)), encoded.chunks)
  return true
}

/**
 * Writes a checkpoint of `index` in place of the previous one (inside backend.write(); see
 * storeKeyIndexCheckpoint). Returns false while a compaction is scheduled but not finished.
 */
export function writeKeyIndexCheckpoint(backend: Backend, index: TreeIndex, state: CheckpointState): boolean {
  const stamp = backendStamp(backend)
  if (stamp.scheduledCompactRev !== stamp.finishedCompactRev) return false
  return storeKeyIndexCheckpoint(backend, encodeKeyIndex(index, state))
}

/** A cursor over one chunk. */
class ChunkReader {
  pos = 0
  constructor(readonly buf: Buffer) {}

  varint(): number {
    let result = 0
    let scale = 1
    for (;;) {
      const b = this.buf[this.pos++]
      if (b === undefined) throw new Error('truncated checkpoint chunk')
      result += (b & 0x7f) * scale
      if (b < 0x80) return result
      scale *= 128
    }
  }
}

function readEntry(r: ChunkReader): KeyEntry {
  const tag = r.varint()
  if (tag === TAG_SINGLE) return r.varint()
  if (tag === TAG_PACKED) return -r.varint() - 1
  if (tag !== TAG_HISTORY) throw new Error(`unknown checkpoint entry tag ${tag}`)
  const generations: number[][] = new Array<number[]>(r.varint())
  for (let g = 0; g < generations.length; g++) {
    const revs = new Array<number>(r.varint() * 2)
    for (let i = 0; i < revs.length; i++) revs[i] = r.varint()
    generations[g] = revs
  }
  return new KeyHistory(generations)
}

/**
 * Reads the checkpoint if it reflects the backend as it is now; otherwise says why not (no
 * checkpoint, stale, or damaged), and the caller scans.
 */
export function readKeyIndexCheckpoint(backend: Backend): LoadedCheckpoint {
  const raw = backend.checkpointHeader()
  if (raw === undefined) return {ok: false, reason: 'no checkpoint'}
  let header: CheckpointHeader
  try {
    header = JSON.parse(raw.toString('utf8')) as CheckpointHeader
  } catch {
    return {ok: false, reason: 'unreadable checkpoint header'}
  }
  if (header.version !== FORMAT_VERSION) return {ok: false, reason: `checkpoint format ${header.version}`}
  if (!sameStamp(header.stamp, backendStamp(backend))) return {ok: false, reason: 'stale checkpoint'}
  const keys = new Array<string>(header.keyCount)
  const entries = new Array<KeyEntry>(header.keyCount)
  let n = 0
  let crc = 0
  try {
    for (let c = 0; c < header.chunkCount; c++) {
      const chunk = backend.checkpointChunk(c)
      if (chunk === undefined) return {ok: false, reason: `checkpoint chunk ${c} missing`}
      crc = zlib.crc32(chunk, crc)
      const r = new ChunkReader(chunk)
      while (r.pos < chunk.length) {
        if (n >= header.keyCount) return {ok: false, reason: 'checkpoint holds more keys than its header says'}
        const len = r.varint()
        keys[n] = chunk.toString('latin1', r.pos, r.pos + len)
        r.pos += len
        entries[n] = readEntry(r)
        n++
      }
      if (r.pos !== chunk.length) return {ok: false, reason: `checkpoint chunk ${c} overruns`}
    }
  } catch (error) {
    return {ok: false, reason: `damaged checkpoint: ${String(error)}`}
  }
  if (n !== header.keyCount) return {ok: false, reason: 'checkpoint holds fewer keys than its header says'}
  if (crc !== header.crc) return {ok: false, reason: 'checkpoint checksum mismatch'}
  return {ok: true, keys, entries, currentRev: header.currentRev, compactMainRev: header.compactMainRev}
}
