// Segment file names: `<sequence>-<first index>.wal`, both as 16 hex digits (as etcd names
// its WAL files), so a plain sort of the names is the order of the log.
// A segment is written as `<name>.tmp` and renamed once its header is durable, so a file with
// a final name always starts with a complete header.
export const segmentSuffix = '.wal'
export const tempSuffix = '.tmp'

const namePattern = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/

export interface SegmentName {
  sequence: bigint
  firstIndex: bigint
}

export function segmentFileName({sequence, firstIndex}: SegmentName): string {
  return `${hex16(sequence)}-${hex16(firstIndex)}${segmentSuffix}`
}

/** Parses a segment file name; undefined when `name` is not one. */
export function parseSegmentFileName(name: string): SegmentName | undefined {
  const match = namePattern.exec(name)
  if (!match) return undefined
  return {sequence: BigInt(`0x${match[1]}`), firstIndex: BigInt(`0x${match[2]}`)}
}

function hex16(n: bigint): string {
  return n.toString(16).padStart(16, '0')
}
