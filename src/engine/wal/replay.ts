// Opening a log directory: list the segments, check they form one unbroken sequence, read
// each in order, and apply the log's rules (later records for an index replace it and every
// higher one; no index may be skipped). The writer starts from what this returns.
import {readFile, readdir, unlink} from 'node:fs/promises'
import {join} from 'node:path'
import type {HardState, WalContents, WalEntry} from './log.js'
import {WalCorruptError} from './errors.js'
import {syncDir} from './fs-sync.js'
import {type SegmentName, parseSegmentFileName, segmentSuffix, tempSuffix} from './segment-name.js'
import {readSegment} from './segment-reader.js'

/** What the writer keeps about each segment on disk. */
export interface SegmentInfo extends SegmentName {
  path: string
  /** Highest entry index ever written in this segment (firstIndex - 1 when it has none). */
  maxIndex: bigint
}

export interface ReplayedLog {
  contents: WalContents
  /** Every segment, in order; the last one is where writing continues. */
  segments: SegmentInfo[]
  /** Index of the last entry in the log (the first segment's firstIndex - 1 when it has none). */
  lastIndex: bigint
  /** Bytes of the last segment that hold whole batches (the file is cut there if longer). */
  tailValidBytes: number
  /** Bytes after tailValidBytes that were a torn write (0 when the tail was clean). */
  tornBytes: number
  /** The last segment file's length: past tailValidBytes, a torn write or space grown ahead. */
  tailFileBytes: number
}

/** Replays the log in `dir`; undefined when it holds no segment yet. */
export async function replayLog(dir: string, fromIndex: bigint): Promise<ReplayedLog | undefined> {
  const segments = await listSegments(dir)
  if (segments.length === 0) return undefined

  const first = segments[0]
  if (first.firstIndex > fromIndex + 1n) {
    throw new WalCorruptError(
      dir,
      undefined,
      `entries from ${fromIndex + 1n} are wanted but the log starts at ${first.firstIndex} (segments before ${first.path} are missing)`,
    )
  }

  // Entries with index > fromIndex, kept so that entries[i].index === fromIndex + 1 + i.
  const entries: WalEntry[] = []
  let hardState: HardState | undefined
  let lastIndex = first.firstIndex - 1n
  let tailValidBytes = 0
  let tornBytes = 0
  let tailFileBytes = 0
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]
    const isLast = i === segments.length - 1
    if (segment.firstIndex > lastIndex + 1n && segment.firstIndex <= fromIndex + 1n) {
      // The log was restarted past a snapshot (openWal with fromIndex beyond the log's end):
      // the skipped indexes are all covered by the snapshot the caller holds.
      entries.length = 0
      lastIndex = segment.firstIndex - 1n
    }
    if (segment.firstIndex !== lastIndex + 1n) {
      throw new WalCorruptError(segment.path, undefined, `segment starts at index ${segment.firstIndex} but the log before it ends at ${lastIndex}`)
    }
    const buf = await readFile(segment.path)
    const read = readSegment(segment.path, buf, isLast)
    if (read.header.sequence !== segment.sequence || read.header.firstIndex !== segment.firstIndex) {
      throw new WalCorruptError(
        segment.path,
        0,
        `segment header says sequence ${read.header.sequence}, first index ${read.header.firstIndex}, unlike the file name`,
      )
    }
    for (const item of read.items) {
      if (item.kind === 'hardState') {
        hardState = item.state
        continue
      }
      const {index} = item.entry
      if (index > lastIndex + 1n || index === 0n) {
        throw new WalCorruptError(segment.path, item.offset, `entry index ${index} follows index ${lastIndex}: the log has a gap`)
      }
      lastIndex = index
      if (index > segment.maxIndex) segment.maxIndex = index
      if (index <= fromIndex) {
        entries.length = 0
      } else {
        entries.length = Number(index - fromIndex - 1n)
        entries.push(item.entry)
      }
    }
    if (isLast) {
      tailValidBytes = read.validBytes
      tornBytes = read.torn ? buf.length - read.validBytes : 0
      tailFileBytes = buf.length
    }
  }
  return {contents: {entries, hardState}, segments, lastIndex, tailValidBytes, tornBytes, tailFileBytes}
}

/** The segments of `dir` in sequence order; removes leftover temp files of an unfinished rotation. */
async function listSegments(dir: string): Promise<SegmentInfo[]> {
  const names = await readdir(dir)
  const temps = names.filter((name) => name.endsWith(segmentSuffix + tempSuffix))
  for (const name of temps) await unlink(join(dir, name))
  if (temps.length > 0) await syncDir(dir)

  const segments: SegmentInfo[] = []
  for (const name of names) {
    if (!name.endsWith(segmentSuffix)) continue
    const parsed = parseSegmentFileName(name)
    if (!parsed) throw new WalCorruptError(join(dir, name), undefined, 'not a valid segment file name (want <16 hex>-<16 hex>.wal)')
    segments.push({...parsed, path: join(dir, name), maxIndex: parsed.firstIndex - 1n})
  }
  segments.sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0))
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].sequence !== segments[i - 1].sequence + 1n) {
      throw new WalCorruptError(
        dir,
        undefined,
        `segment sequence jumps from ${segments[i - 1].sequence} to ${segments[i].sequence}: a segment is missing before ${segments[i].path}`,
      )
    }
  }
  return segments
}
