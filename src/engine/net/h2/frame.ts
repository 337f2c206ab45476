// HTTP/2 framing (RFC 9113 §4 and §6): the frame types, flags, error codes and settings this
// server reads and writes, and the 9-byte frame header.

export const FrameType = {
  data: 0x0,
  headers: 0x1,
  priority: 0x2,
  rstStream: 0x3,
  settings: 0x4,
  pushPromise: 0x5,
  ping: 0x6,
  goAway: 0x7,
  windowUpdate: 0x8,
  continuation: 0x9,
} as const

export const Flag = {
  endStream: 0x1,
  ack: 0x1,
  endHeaders: 0x4,
  padded: 0x8,
  priority: 0x20,
} as const

/** Error codes of RST_STREAM and GOAWAY (RFC 9113 §7). */
export const ErrorCode = {
  noError: 0x0,
  protocol: 0x1,
  internal: 0x2,
  flowControl: 0x3,
  streamClosed: 0x5,
  frameSize: 0x6,
  refusedStream: 0x7,
  cancel: 0x8,
  compression: 0x9,
  enhanceYourCalm: 0xb,
} as const

/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export const Setting = {
  headerTableSize: 0x1,
  enablePush: 0x2,
  maxConcurrentStreams: 0x3,
  initialWindowSize: 0x4,
  maxFrameSize: 0x5,
  maxHeaderListSize: 0x6,
} as const

export const FRAME_HEADER_BYTES = 9
/** The client connection preface (RFC 9113 §3.4). */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')
/** Every peer accepts frames this large; a larger size must be announced first. */
export const DEFAULT_MAX_FRAME_BYTES = 16_384
/** The largest flow-control window (2^31 - 1). */
export const MAX_WINDOW_BYTES = 0x7fff_ffff
/** The window every stream and the connection start with. */
export const DEFAULT_WINDOW_BYTES = 65_535

/** Writes a frame header at `at` of `target`. */
export function writeFrameHeader(target: Buffer, at: number, length: number, type: number, flags: number, streamId: number): void {
  target[at] = length >>> 16
  target[at + 1] = (length >>> 8) & 0xff
  target[at + 2] = length & 0xff
  target[at + 3] = type
  target[at + 4] = flags
  target.writeUInt32BE(streamId, at + 5)
}

/** A whole frame: its header, then `payload`. */
export function frame(type: number, flags: number, streamId: number, payload?: Buffer): Buffer {
  const length = payload?.length ?? 0
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length)
  writeFrameHeader(out, 0, length, type, flags, streamId)
  if (payload !== undefined) payload.copy(out, FRAME_HEADER_BYTES)
  return out
}

/** A frame whose payload is one 32-bit number (RST_STREAM's error code, WINDOW_UPDATE's increment). */
export function uint32Frame(type: number, streamId: number, value: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4)
  writeFrameHeader(out, 0, 4, type, 0, streamId)
  out.writeUInt32BE(value, FRAME_HEADER_BYTES)
  return out
}

/** SETTINGS with these [identifier, value] pairs. */
export function settingsFrame(settings: ReadonlyArray<readonly [number, number]>): Buffer {
  const payload = Buffer.allocUnsafe(settings.length * 6)
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6)
    payload.writeUInt32BE(value, i * 6 + 2)
  })
  return frame(FrameType.settings, 0, 0, payload)
}

/** GOAWAY naming the last stream this side will have processed, an error code and a reason. */
export function goAwayFrame(lastStreamId: number, code: number, reason: string): Buffer {
  const debug = Buffer.from(reason, 'utf8')
  const payload = Buffer.allocUnsafe(8 + debug.length)
  payload.writeUInt32BE(lastStreamId, 0)
  payload.writeUInt32BE(code, 4)
  debug.copy(payload, 8)
  return frame(FrameType.goAway, 0, 0, payload)
}

/**
 * A header block as HEADERS (then CONTINUATION frames when it is larger than `maxFrameBytes`),
 * in one buffer.
 */
export function headerFrames(block: Buffer, streamId: number, endStream: boolean, maxFrameBytes: number): Buffer {
  const endStreamFlag = endStream ? Flag.endStream : 0
  if (block.length <= maxFrameBytes) {
    const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + block.length)
    writeFrameHeader(out, 0, block.length, FrameType.headers, endStreamFlag | Flag.endHeaders, streamId)
    block.copy(out, FRAME_HEADER_BYTES)
    return out
  }
  const frames: Buffer[] = []
  for (let at = 0; at < block.length; at += maxFrameBytes) {
    const piece = block.subarray(at, at + maxFrameBytes)
    const last = at + maxFrameBytes >= block.length
    const type = at === 0 ? FrameType.headers : FrameType.continuation
    frames.push(frame(type, (at === 0 ? endStreamFlag : 0) | (last ? Flag.endHeaders : 0), streamId, piece))
  }
  return Buffer.concat(frames)
}
