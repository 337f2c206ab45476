// The server side of one HTTP/2 connection (RFC 9113), for gRPC: frames read from the socket,
// streams handed to `onStream`, responses written through the flusher (flusher.ts).
//
// Node's HTTP/2 server (nghttp2 behind a C++ session, a Duplex per stream, a trip between
// JavaScript and C++ for every header block, chunk and end) cost 35–50 µs of CPU per unary call
// on this machine, where gRPC's framing needs a few: read a HEADERS and a DATA frame, write
// HEADERS, DATA and trailers. This reads and writes the frames itself (HPACK in hpack.ts) and
// keeps a stream to a small object (stream.ts).
//
// Limits: a frame's payload up to DEFAULT_MAX_FRAME_BYTES (the size every peer must accept; we
// announce no larger), a header block and its list up to `maxHeaderListBytes`, at most
// `maxConcurrentStreams` streams open. A protocol error ends the connection with GOAWAY and
// its code; an error confined to one stream resets it (RST_STREAM).
import type {Duplex} from 'node:stream'
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WINDOW_BYTES,
  ErrorCode,
  Flag,
  FRAME_HEADER_BYTES,
  FrameType,
  frame,
  goAwayFrame,
  headerFrames,
  MAX_WINDOW_BYTES,
  Setting,
  settingsFrame,
  uint32Frame,
} from './frame.js'
import {forgetFlush, type Flushable, scheduleFlush} from './flusher.js'
import {HpackDecoder, HpackEncoder, HpackError} from './hpack.js'
import {H2Stream, type StreamOwner} from './stream.js'

export interface H2ConnectionOptions {
  /** A new stream, its request headers read: set its callbacks now (its data may follow in this same turn). */
  onStream(stream: H2Stream, fields: readonly string[]): void
  maxConcurrentStreams: number
  maxHeaderListBytes: number
  /** Request bytes the connection's streams may hold together (H2Stream.hold). */
  maxHeldRequestBytes: number
  /** The receive window of each stream (announced as SETTINGS_INITIAL_WINDOW_SIZE). */
  streamWindowBytes: number
  /** The connection's receive window. */
  connectionWindowBytes: number
}

/** A connection-level failure: GOAWAY with this code. */
class ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/** A header block being read over HEADERS and CONTINUATION frames. */
interface PartialBlock {
  streamId: number
  endStream: boolean
  parts: Buffer[]
  bytes: number
}

/** A header block waiting to be encoded, in the order it will be written. */
interface QueuedHeaders {
  streamId: number
  fields: readonly string[]
  endStream: boolean
}

const pseudoRequestHeaders = new Set([':method', ':scheme', ':path', ':authority'])
/** Fields of HTTP/1.1 connections, which make an HTTP/2 message malformed (RFC 9113 §8.2.2); TE is checked on its own. */
const connectionSpecificFields = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade'])

/**
 * Past this many bytes written and not yet taken by the kernel (a client that sends calls but
 * does not read their answers), the connection stops reading until the socket drains.
 */
const maxUnsentSocketBytes = 16 * 1024 * 1024

/** How many streams `discarding` remembers. */
const maxDiscarding = 1024

export class H2ServerConnection implements StreamOwner, Flushable {
  private readonly streams = new Map<number, H2Stream>()
  private readonly decoder: HpackDecoder
  private readonly encoder = new HpackEncoder()
  private prefaceBytesLeft = CLIENT_PREFACE.length
  /** The start of a frame not yet whole. */
  private partial: Buffer | undefined
  private block: PartialBlock | undefined
  private answers: Array<Buffer | QueuedHeaders> = []
  private deferred: Array<Buffer | QueuedHeaders> = []
  private queuedBytes = 0
  /** Streams whose write() returned false: told when the bytes waiting go down. */
  private readonly waitingForDrain = new Set<H2Stream>()
  connectionSendWindow = DEFAULT_WINDOW_BYTES
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES
  private peerInitialWindowBytes = DEFAULT_WINDOW_BYTES
  /** Room in the connection's receive window, counting the WINDOW_UPDATEs we have sent. */
  private receiveWindow: number
  /** The highest stream id the client opened. */
  private lastStreamId = 0
  /**
   * Streams over for us before the client's END_STREAM, whose late frames are dropped: those we
   * reset (or answered and ended) and those opened past our GOAWAY, as frames that crossed our
   * RST_STREAM or GOAWAY must be ignored (RFC 9113 §5.1, §6.8), so late trailers are not taken
   * for a HEADERS on a closed stream; and those the client reset (it may send nothing more; what
   * it does is dropped). Forgotten at the client's END_STREAM, or past maxDiscarding (the RFC
   * lets the period be limited).
   */
  private readonly discarding = new Set<number>()
  /** GOAWAY sent: no new streams; the socket ends once the open ones are over. */
  private goingAway = false
  private endWhenFlushed = false
  private dead = false
  private socketGone = false
  /** Reading stopped for a client that does not read (maxUnsentSocketBytes). */
  private readingPaused = false
  heldRequestBytes = 0
  get maxHeldRequestBytes(): number {
    return this.options.maxHeldRequestBytes
  }
  /** Called once, when the socket is gone. */
  onClose: (() => void) | undefined

  constructor(
    private readonly socket: Duplex,
    firstBytes: Buffer,
    private readonly options: H2ConnectionOptions,
  ) {
    this.decoder = new HpackDecoder(4096, options.maxHeaderListBytes)
    // the window starts at 65535 whatever we want: WINDOW_UPDATE only raises it, so a smaller
    // connectionWindowBytes is reached by giving back less (onData), not announced
    this.receiveWindow = Math.max(options.connectionWindowBytes, DEFAULT_WINDOW_BYTES)
    this.queueControl(
      settingsFrame([
        [Setting.maxConcurrentStreams, options.maxConcurrentStreams],
        [Setting.initialWindowSize, options.streamWindowBytes],
        [Setting.maxHeaderListSize, options.maxHeaderListBytes],
      ]),
    )
    if (options.connectionWindowBytes > DEFAULT_WINDOW_BYTES) {
      this.queueControl(uint32Frame(FrameType.windowUpdate, 0, options.connectionWindowBytes - DEFAULT_WINDOW_BYTES))
    }
    socket.on('data', (chunk: Buffer) => this.read(chunk))
    socket.on('drain', () => {
      if (this.readingPaused) {
        this.readingPaused = false
        socket.resume()
      }
      this.notifyDrain()
    })
    socket.on('error', () => socket.destroy())
    socket.on('end', () => socket.destroy())
    socket.on('close', () => this.gone())
    if (firstBytes.length > 0) this.read(firstBytes)
    socket.resume()
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.streams.size
  }

  /** Bytes queued for the socket and not yet sent by it. */
  get unsentBytes(): number {
    return this.queuedBytes + this.socket.writableLength
  }

  /** Stops taking new streams (GOAWAY NO_ERROR); the connection ends once the open streams are over. */
  shutdown(): void {
    if (this.goingAway || this.dead) return
    this.goingAway = true
    this.queueControl(goAwayFrame(this.lastStreamId, ErrorCode.noError, ''))
    if (this.streams.size === 0) this.endWhenFlushed = true
  }

  /** Closes the socket now; open streams are over. */
  destroy(): void {
    this.socket.destroy()
  }

  // ---- reading ----

  private read(chunk: Buffer): void {
    if (this.dead) return
    const bytes = this.partial === undefined ? chunk : Buffer.concat([this.partial, chunk])
    this.partial = undefined
    let at = 0
    try {
      if (this.prefaceBytesLeft > 0) {
        const offset = CLIENT_PREFACE.length - this.prefaceBytesLeft
        const take = Math.min(this.prefaceBytesLeft, bytes.length)
        if (!bytes.subarray(0, take).equals(CLIENT_PREFACE.subarray(offset, offset + take))) throw new ConnectionError(ErrorCode.protocol, 'invalid connection preface')
        this.prefaceBytesLeft -= take
        at = take
      }
      while (bytes.length - at >= FRAME_HEADER_BYTES) {
        const length = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!
        if (length > DEFAULT_MAX_FRAME_BYTES) throw new ConnectionError(ErrorCode.frameSize, `frame of ${length} bytes is larger than ${DEFAULT_MAX_FRAME_BYTES}`)
        if (bytes.length - at < FRAME_HEADER_BYTES + length) break
        const type = bytes[at + 3]!
        const flags = bytes[at + 4]!
        const streamId = bytes.readUInt32BE(at + 5) & 0x7fff_ffff
        const payload = bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length)
        at += FRAME_HEADER_BYTES + length
        this.onFrame(type, flags, streamId, payload)
        if (this.dead) return
      }
    } catch (error) {
      if (error instanceof ConnectionError) return this.fail(error.code, error.message)
      if (error instanceof HpackError) return this.fail(ErrorCode.compression, error.message)
      throw error
    }
    if (at < bytes.length) this.partial = at === 0 ? bytes : bytes.subarray(at)
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.block !== undefined && (type !== FrameType.continuation || streamId !== this.block.streamId)) {
      throw new ConnectionError(ErrorCode.protocol, 'a header block was interrupted')
    }
    switch (type) {
      case FrameType.data:
        return this.onData(flags, streamId, payload)
      case FrameType.headers:
        return this.onHeaders(flags, streamId, payload)
      case FrameType.continuation:
        return this.onContinuation(flags, streamId, payload)
      case FrameType.priority:
        if (streamId === 0) throw new ConnectionError(ErrorCode.protocol, 'PRIORITY on stream 0')
        if (payload.length !== 5) this.resetStream(streamId, ErrorCode.frameSize)
        return
      case FrameType.rstStream:
        return this.onReset(streamId, payload)
      case FrameType.settings:
        return this.onSettings(flags, streamId, payload)
      case FrameType.pushPromise:
        throw new ConnectionError(ErrorCode.protocol, 'a client may not push')
      case FrameType.ping:
        if (streamId !== 0) throw new ConnectionError(ErrorCode.protocol, 'PING on a stream')
        if (payload.length !== 8) throw new ConnectionError(ErrorCode.frameSize, 'PING of a length other than 8')
        if ((flags & Flag.ack) === 0) this.queueControl(frame(FrameType.ping, Flag.ack, 0, payload))
        return
      case FrameType.goAway:
        if (streamId !== 0) throw new ConnectionError(ErrorCode.protocol, 'GOAWAY on a stream')
        return
      case FrameType.windowUpdate:
        return this.onWindowUpdate(streamId, payload)
      default:
        // unknown frame types are ignored (RFC 9113 §4.1)
        return
    }
  }

  private onData(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ConnectionError(ErrorCode.protocol, 'DATA on stream 0')
    const length = payload.length
    this.receiveWindow -= length
    if (this.receiveWindow < 0) throw new ConnectionError(ErrorCode.flowControl, 'DATA past the connection window')
    // once half is used, topped up to connectionWindowBytes (not by what was used: a window that
    // started at 65535, above a smaller connectionWindowBytes, comes down to it)
    const increment = this.options.connectionWindowBytes - this.receiveWindow
    if (this.receiveWindow <= this.options.connectionWindowBytes / 2 && increment > 0) {
      this.queueControl(uint32Frame(FrameType.windowUpdate, 0, increment))
      this.receiveWindow += increment
    }
    let data = payload
    if (flags & Flag.padded) {
      const padding = payload.length > 0 ? payload[0]! : 0
      if (payload.length === 0 || padding >= payload.length) throw new ConnectionError(ErrorCode.protocol, 'DATA padding past the frame')
      data = payload.subarray(1, payload.length - padding)
    }
    const stream = this.streams.get(streamId)
    if (stream === undefined) {
      if (streamId > this.lastStreamId) throw new ConnectionError(ErrorCode.protocol, 'DATA on an idle stream')
      if (this.discarding.has(streamId)) {
        // a stream reset, or ended by us, before the client's end: what it sent before it knew is dropped
        if (flags & Flag.endStream) this.discarding.delete(streamId)
        return
      }
      // a stream the client had ended, or skipped (§6.1: DATA on a closed stream)
      return this.resetStream(streamId, ErrorCode.streamClosed)
    }
    if (stream.remoteEnded) return this.resetStream(streamId, ErrorCode.streamClosed)
    stream.receiveWindow -= length
    if (stream.receiveWindow < 0) return this.resetStream(streamId, ErrorCode.flowControl)
    const endStream = (flags & Flag.endStream) !== 0
    if (endStream) {
      stream.remoteEnded = true
    } else {
      stream.receivedUnacked += length
      if (stream.receivedUnacked >= this.options.streamWindowBytes / 2) {
        this.queueControl(uint32Frame(FrameType.windowUpdate, streamId, stream.receivedUnacked))
        stream.receiveWindow += stream.receivedUnacked
        stream.receivedUnacked = 0
      }
    }
    if (data.length > 0) stream.onData?.(data)
    if (endStream && !stream.closed) stream.onEnd?.()
  }

  private onHeaders(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0 || streamId % 2 === 0) throw new ConnectionError(ErrorCode.protocol, `HEADERS on stream ${streamId}`)
    let start = 0
    let end = payload.length
    if (flags & Flag.padded) {
      if (payload.length === 0) throw new ConnectionError(ErrorCode.protocol, 'HEADERS padding past the frame')
      end -= payload[0]!
      start = 1
    }
    if (flags & Flag.priority) {
      if (start + 5 <= end && (payload.readUInt32BE(start) & 0x7fff_ffff) === streamId) throw new ConnectionError(ErrorCode.protocol, 'a stream may not depend on itself')
      start += 5
    }
    if (start > end) throw new ConnectionError(ErrorCode.protocol, 'HEADERS padding past the frame')
    const fragment = payload.subarray(start, end)
    const endStream = (flags & Flag.endStream) !== 0
    if ((flags & Flag.endHeaders) === 0) {
      this.block = {streamId, endStream, parts: [fragment], bytes: fragment.length}
      this.checkBlockSize(this.block.bytes)
      return
    }
    this.onHeaderBlock(streamId, endStream, fragment)
  }

  private onContinuation(flags: number, streamId: number, payload: Buffer): void {
    const block = this.block
    if (block === undefined) throw new ConnectionError(ErrorCode.protocol, 'CONTINUATION without HEADERS')
    block.parts.push(payload)
    block.bytes += payload.length
    this.checkBlockSize(block.bytes)
    if ((flags & Flag.endHeaders) === 0) return
    this.block = undefined
    this.onHeaderBlock(streamId, block.endStream, Buffer.concat(block.parts, block.bytes))
  }

  private checkBlockSize(bytes: number): void {
    if (bytes > this.options.maxHeaderListBytes) throw new ConnectionError(ErrorCode.enhanceYourCalm, `header block larger than ${this.options.maxHeaderListBytes} bytes`)
  }

  private onHeaderBlock(streamId: number, endStream: boolean, block: Buffer): void {
    // decoded even for a stream that is refused: the client's HPACK table moved on
    const decoded = this.decoder.decode(block)
    const existing = this.streams.get(streamId)
    if (existing !== undefined) {
      // trailers from the client: they must end its side
      if (existing.remoteEnded) throw new ConnectionError(ErrorCode.streamClosed, `HEADERS on half-closed stream ${streamId}`)
      if (!endStream) return this.resetStream(streamId, ErrorCode.protocol)
      existing.remoteEnded = true
      existing.onEnd?.()
      return
    }
    if (streamId <= this.lastStreamId) {
      if (!this.discarding.has(streamId)) throw new ConnectionError(ErrorCode.streamClosed, `HEADERS on closed stream ${streamId}`)
      // the client's trailers, sent before it saw our RST_STREAM or GOAWAY
      if (endStream) this.discarding.delete(streamId)
      return
    }
    this.lastStreamId = streamId
    if (this.goingAway) {
      // past our GOAWAY's last stream: not served, its frames dropped
      if (!endStream) this.discard(streamId)
      return
    }
    const refused = this.streams.size >= this.options.maxConcurrentStreams
    if (refused || !validRequestFields(decoded.fields)) {
      if (!endStream) this.discard(streamId)
      return this.resetStream(streamId, refused ? ErrorCode.refusedStream : ErrorCode.protocol)
    }
    const stream = new H2Stream(streamId, this, this.peerInitialWindowBytes, this.options.streamWindowBytes)
    stream.headers = decoded.map
    this.streams.set(streamId, stream)
    if (endStream) stream.remoteEnded = true
    this.options.onStream(stream, decoded.fields)
    if (endStream && !stream.closed) stream.onEnd?.()
  }

  private onReset(streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ConnectionError(ErrorCode.protocol, 'RST_STREAM on stream 0')
    if (payload.length !== 4) throw new ConnectionError(ErrorCode.frameSize, 'RST_STREAM of a length other than 4')
    if (streamId > this.lastStreamId) throw new ConnectionError(ErrorCode.protocol, 'RST_STREAM on an idle stream')
    // reset by the client: nothing more is sent on it, not even our own RST_STREAM
    this.streams.get(streamId)?.close()
  }

  private onSettings(flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) throw new ConnectionError(ErrorCode.protocol, 'SETTINGS on a stream')
    if (flags & Flag.ack) {
      if (payload.length !== 0) throw new ConnectionError(ErrorCode.frameSize, 'SETTINGS ACK with a payload')
      return
    }
    if (payload.length % 6 !== 0) throw new ConnectionError(ErrorCode.frameSize, 'SETTINGS of a length not a multiple of 6')
    for (let at = 0; at < payload.length; at += 6) {
      const id = payload.readUInt16BE(at)
      const value = payload.readUInt32BE(at + 2)
      switch (id) {
        case Setting.headerTableSize:
          this.encoder.setMaxTableBytes(value)
          break
        case Setting.enablePush:
          if (value > 1) throw new ConnectionError(ErrorCode.protocol, 'SETTINGS_ENABLE_PUSH other than 0 or 1')
          break
        case Setting.initialWindowSize:
          this.setPeerInitialWindow(value)
          break
        case Setting.maxFrameSize:
          if (value < DEFAULT_MAX_FRAME_BYTES || value > 0xff_ffff) throw new ConnectionError(ErrorCode.protocol, `SETTINGS_MAX_FRAME_SIZE of ${value}`)
          this.maxFrameBytes = value
          break
        default:
          // the client's stream limit and header list size bind the client, not us; unknown settings are ignored
          break
      }
    }
    this.queueControl(frame(FrameType.settings, Flag.ack, 0))
  }

  private setPeerInitialWindow(value: number): void {
    if (value > MAX_WINDOW_BYTES) throw new ConnectionError(ErrorCode.flowControl, `SETTINGS_INITIAL_WINDOW_SIZE of ${value}`)
    const delta = value - this.peerInitialWindowBytes
    this.peerInitialWindowBytes = value
    for (const stream of this.streams.values()) {
      stream.sendWindow += delta
      if (stream.sendWindow > MAX_WINDOW_BYTES) throw new ConnectionError(ErrorCode.flowControl, 'a stream window past 2^31-1')
    }
    if (delta > 0) this.openWindows()
  }

  private onWindowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(ErrorCode.frameSize, 'WINDOW_UPDATE of a length other than 4')
    const increment = payload.readUInt32BE(0) & 0x7fff_ffff
    if (streamId === 0) {
      if (increment === 0) throw new ConnectionError(ErrorCode.protocol, 'WINDOW_UPDATE of 0')
      this.connectionSendWindow += increment
      if (this.connectionSendWindow > MAX_WINDOW_BYTES) throw new ConnectionError(ErrorCode.flowControl, 'connection window past 2^31-1')
      this.openWindows()
      return
    }
    const stream = this.streams.get(streamId)
    if (stream === undefined) {
      if (streamId > this.lastStreamId) throw new ConnectionError(ErrorCode.protocol, 'WINDOW_UPDATE on an idle stream')
      return
    }
    if (increment === 0) return this.resetStream(streamId, ErrorCode.protocol)
    stream.sendWindow += increment
    if (stream.sendWindow > MAX_WINDOW_BYTES) return this.resetStream(streamId, ErrorCode.flowControl)
    if (stream.blocked) stream.windowOpened()
    this.notifyDrain()
  }

  /** The windows grew: streams with DATA waiting send it, while the connection's window lasts. */
  private openWindows(): void {
    for (const stream of this.streams.values()) {
      if (this.connectionSendWindow <= 0) break
      if (stream.blocked) stream.windowOpened()
    }
    this.notifyDrain()
  }

  private resetStream(streamId: number, code: number): void {
    const stream = this.streams.get(streamId)
    if (stream !== undefined) stream.reset(code)
    else this.queueControl(uint32Frame(FrameType.rstStream, streamId, code))
  }

  /** A connection error: GOAWAY with its code, then the socket closes. */
  private fail(code: number, reason: string): void {
    if (this.dead) return
    this.queueControl(goAwayFrame(this.lastStreamId, code, reason))
    this.goingAway = true
    this.endWhenFlushed = true
    this.dead = true
    for (const stream of [...this.streams.values()]) stream.close()
  }

  // ---- writing (StreamOwner, Flushable) ----

  queueBytes(stream: H2Stream, bytes: Buffer, sentData: number): void {
    this.connectionSendWindow -= sentData
    ;(stream.deferred ? this.deferred : this.answers).push(bytes)
    this.queuedBytes += bytes.length
    scheduleFlush(this)
  }

  queueHeaders(stream: H2Stream, fields: readonly string[], endStream: boolean): void {
    ;(stream.deferred ? this.deferred : this.answers).push({streamId: stream.id, fields, endStream})
    scheduleFlush(this)
  }

  private queueControl(bytes: Buffer): void {
    this.answers.push(bytes)
    this.queuedBytes += bytes.length
    scheduleFlush(this)
  }

  flush(deferred: boolean): void {
    const queue = deferred ? this.deferred : this.answers
    if (queue.length > 0) {
      if (deferred) this.deferred = []
      else this.answers = []
      const out: Buffer[] = new Array(queue.length)
      let bytes = 0
      for (let i = 0; i < queue.length; i++) {
        const item = queue[i]!
        if (Buffer.isBuffer(item)) {
          this.queuedBytes -= item.length
          out[i] = item
        } else {
          // encoded now, in the order written: the peer's HPACK table follows ours
          out[i] = headerFrames(this.encoder.encode(item.fields), item.streamId, item.endStream, this.maxFrameBytes)
        }
        bytes += out[i]!.length
      }
      if (!this.socket.destroyed) {
        this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out, bytes))
        if (this.socket.writableLength > maxUnsentSocketBytes && !this.readingPaused) {
          this.readingPaused = true
          this.socket.pause()
        }
      }
    }
    if (deferred) {
      if (this.endWhenFlushed && this.answers.length === 0 && this.deferred.length === 0) this.socket.end()
      this.notifyDrain()
    }
  }

  streamClosed(stream: H2Stream): void {
    this.streams.delete(stream.id)
    this.waitingForDrain.delete(stream)
    if (!stream.remoteEnded && !this.dead) this.discard(stream.id)
    if (this.goingAway && this.streams.size === 0) {
      this.endWhenFlushed = true
      scheduleFlush(this)
    }
  }

  /** The client may still send on `streamId`, over for us: its frames are dropped. */
  private discard(streamId: number): void {
    if (this.discarding.size >= maxDiscarding) this.discarding.delete(this.discarding.values().next().value!)
    this.discarding.add(streamId)
  }

  /** `stream`'s write() returned false. */
  waitForDrain(stream: H2Stream): void {
    this.waitingForDrain.add(stream)
  }

  private notifyDrain(): void {
    if (this.waitingForDrain.size === 0) return
    for (const stream of [...this.waitingForDrain]) {
      if (stream.checkDrain()) this.waitingForDrain.delete(stream)
    }
  }

  private gone(): void {
    if (this.socketGone) return
    this.socketGone = true
    this.dead = true
    forgetFlush(this)
    for (const stream of [...this.streams.values()]) stream.close()
    const onClose = this.onClose
    this.onClose = undefined
    onClose?.()
  }
}

/**
 * A request's fields as RFC 9113 §8.2 and §8.3 have them: pseudo-headers first, only the request
 * ones, each once, :method, :scheme and :path present, :path not empty; names lower-case; no
 * connection-specific field, and TE, if sent, only "trailers".
 */
function validRequestFields(fields: readonly string[]): boolean {
  let regular = false
  const seen = new Set<string>()
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!
    if (name.startsWith(':')) {
      if (regular || !pseudoRequestHeaders.has(name) || seen.has(name)) return false
      if (name === ':path' && fields[i + 1] === '') return false
      seen.add(name)
    } else {
      regular = true
      if (name !== name.toLowerCase() || connectionSpecificFields.has(name)) return false
      if (name === 'te' && fields[i + 1] !== 'trailers') return false
    }
  }
  return seen.has(':method') && seen.has(':scheme') && seen.has(':path')
}
