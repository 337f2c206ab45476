// One HTTP/2 stream of a server connection (connection.ts), as the gRPC layer sees it: the
// request's headers, its bytes as they come, and a response written as headers, messages and
// trailers. Callbacks are plain properties, not events: a unary call sets three and is done,
// with no emitter, no Duplex and no native handle behind it.
//
// Sending obeys HTTP/2 flow control: DATA leaves while the stream's and the connection's
// windows allow, the rest waits here for the peer's WINDOW_UPDATE, and trailers wait behind it.
// Header blocks are queued as fields and encoded when the connection writes them
// (connection.ts), so HPACK's table sees them in the order the peer does.
import {DEFAULT_MAX_FRAME_BYTES, ErrorCode, FRAME_HEADER_BYTES, FrameType, uint32Frame, writeFrameHeader} from './frame.js'

/** What a stream needs of its connection. */
export interface StreamOwner {
  /** Room left in the connection's send window. */
  readonly connectionSendWindow: number
  /** The peer's largest frame. */
  readonly maxFrameBytes: number
  /** Queues frame bytes (already encoded) on the stream's queue; `sentData` bytes of DATA leave the connection's window. */
  queueBytes(stream: H2Stream, bytes: Buffer, sentData: number): void
  /** Queues a header block, to be encoded when it is written. */
  queueHeaders(stream: H2Stream, fields: readonly string[], endStream: boolean): void
  /** Bytes queued on the connection and not yet taken by the socket. */
  readonly unsentBytes: number
  /** Request bytes its streams hold (hold()), and how many they may hold together. */
  heldRequestBytes: number
  readonly maxHeldRequestBytes: number
  /** The stream is over: forget it. */
  streamClosed(stream: H2Stream): void
  /** `stream`'s write() returned false: call its checkDrain() when the bytes waiting go down. */
  waitForDrain(stream: H2Stream): void
}

/** Past this many bytes waiting (on the stream and the connection), write() asks the writer to wait for onDrain. */
const highWaterBytes = 1024 * 1024

export class H2Stream {
  /** The request's headers (a field sent twice has its values joined with ', '). */
  headers: Record<string, string> = {}
  /** A chunk of the request's body, as it arrives: a view of the socket's bytes, never written to, so it may be kept. */
  onData: ((chunk: Buffer) => void) | undefined
  /** The client has sent all of its request (END_STREAM). */
  onEnd: (() => void) | undefined
  /** The stream is over: answered and ended both ways, reset by either side, or its connection is gone. Once. */
  onClose: (() => void) | undefined
  /** write() returned false and the bytes waiting have gone below the mark. */
  onDrain: (() => void) | undefined
  /** Writes go after the answers of the same turn (watch events: see flusher.ts). */
  deferred = false

  /** The client's END_STREAM came. */
  remoteEnded = false
  /** Our END_STREAM is queued: nothing more may be sent. */
  localEnded = false
  /** Over: nothing more is sent or delivered. */
  closed = false
  headersSent = false

  /** Room in this stream's send window (the peer's SETTINGS_INITIAL_WINDOW_SIZE, plus its updates). */
  sendWindow: number
  /** Bytes received and consumed, not yet given back by a WINDOW_UPDATE. */
  receivedUnacked = 0
  /** Room in this stream's receive window. */
  receiveWindow: number
  /** DATA waiting for window, in order. */
  private readonly waiting: Buffer[] = []
  private waitingBytes = 0
  private trailersAfterWaiting: readonly string[] | undefined
  private wantsDrain = false
  /** Request bytes counted by hold(). */
  private heldBytes = 0

  constructor(
    readonly id: number,
    private readonly owner: StreamOwner,
    sendWindow: number,
    receiveWindow: number,
  ) {
    this.sendWindow = sendWindow
    this.receiveWindow = receiveWindow
  }

  /**
   * Counts `bytes` of the request as kept by the handler until the stream is over (a unary
   * call's message, read whole before it is decoded). False once the connection's streams hold
   * more than its limit together: the handler then refuses the call. Flow control alone does
   * not bound this, as windows are given back as data is read.
   */
  hold(bytes: number): boolean {
    this.heldBytes += bytes
    this.owner.heldRequestBytes += bytes
    return this.owner.heldRequestBytes <= this.owner.maxHeldRequestBytes
  }

  /** Sends the response headers (no END_STREAM). */
  respond(fields: readonly string[]): void {
    if (this.localEnded || this.closed) return
    this.headersSent = true
    this.owner.queueHeaders(this, fields, false)
  }

  /**
   * Sends DATA (as much as the windows allow now, the rest when they open). Returns false
   * when the bytes waiting to leave pass the high-water mark: onDrain is then called once
   * they are below it.
   */
  write(data: Buffer): boolean {
    if (this.localEnded || this.closed) return false
    if (this.waitingBytes > 0) {
      this.waiting.push(data)
      this.waitingBytes += data.length
    } else {
      const rest = this.sendNow(data)
      if (rest !== undefined) {
        this.waiting.push(rest)
        this.waitingBytes += rest.length
      }
    }
    const below = this.waitingBytes + this.owner.unsentBytes < highWaterBytes
    if (!below && !this.wantsDrain) {
      this.wantsDrain = true
      this.owner.waitForDrain(this)
    }
    return below
  }

  /** Ends the response with trailers (END_STREAM), after any DATA still waiting for window. */
  end(trailers: readonly string[]): void {
    if (this.localEnded || this.closed) return
    this.localEnded = true
    if (this.waitingBytes > 0) this.trailersAfterWaiting = trailers
    else this.finish(trailers)
  }

  /** A response of headers only, which ends the stream (gRPC's trailers-only answer). */
  respondAndEnd(fields: readonly string[]): void {
    if (this.localEnded || this.closed) return
    this.localEnded = true
    this.headersSent = true
    this.owner.queueHeaders(this, fields, true)
    this.afterLocalEnd()
  }

  /** Resets the stream (RST_STREAM) with an HTTP/2 error code. */
  reset(code: number = ErrorCode.cancel): void {
    if (this.closed) return
    this.queueReset(code)
    this.close()
  }

  /** Sends as much of `data` as the windows allow; returns the rest, if any. */
  private sendNow(data: Buffer): Buffer | undefined {
    const room = Math.max(0, Math.min(this.sendWindow, this.owner.connectionSendWindow))
    const now = data.length <= room ? data : data.subarray(0, room)
    if (now.length > 0 || data.length === 0) {
      this.owner.queueBytes(this, dataFrames(now, this.id, this.owner.maxFrameBytes), now.length)
      this.sendWindow -= now.length
    }
    return now.length < data.length ? data.subarray(now.length) : undefined
  }

  /** The windows have grown: sends what waits, then the trailers waiting behind it. */
  windowOpened(): void {
    if (this.closed) return
    while (this.waiting.length > 0 && Math.min(this.sendWindow, this.owner.connectionSendWindow) > 0) {
      const next = this.waiting.shift()!
      this.waitingBytes -= next.length
      const rest = this.sendNow(next)
      if (rest !== undefined) {
        this.waiting.unshift(rest)
        this.waitingBytes += rest.length
        break
      }
    }
    if (this.waitingBytes === 0 && this.trailersAfterWaiting !== undefined) {
      const trailers = this.trailersAfterWaiting
      this.trailersAfterWaiting = undefined
      this.finish(trailers)
    }
  }

  /** Whether DATA waits here for window. */
  get blocked(): boolean {
    return this.waitingBytes > 0
  }

  /** Calls onDrain if a writer waits for it and the bytes waiting are below the mark; true once nobody waits. */
  checkDrain(): boolean {
    if (!this.wantsDrain || this.closed) return true
    if (this.waitingBytes + this.owner.unsentBytes >= highWaterBytes) return false
    this.wantsDrain = false
    this.onDrain?.()
    return true
  }

  private finish(trailers: readonly string[]): void {
    this.owner.queueHeaders(this, trailers, true)
    this.afterLocalEnd()
  }

  /**
   * Our side is done. A client still sending is told to stop (RST_STREAM NO_ERROR, as gRPC
   * servers do once they have answered); the stream is over either way.
   */
  private afterLocalEnd(): void {
    if (!this.remoteEnded) this.queueReset(ErrorCode.noError)
    this.close()
  }

  private queueReset(code: number): void {
    this.owner.queueBytes(this, uint32Frame(FrameType.rstStream, this.id, code), 0)
  }

  /** Over: waiting DATA is dropped, the owner forgets the stream, onClose runs (once). */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.localEnded = true
    this.waiting.length = 0
    this.waitingBytes = 0
    this.trailersAfterWaiting = undefined
    this.owner.heldRequestBytes -= this.heldBytes
    this.heldBytes = 0
    this.owner.streamClosed(this)
    const onClose = this.onClose
    this.onData = this.onEnd = this.onClose = this.onDrain = undefined
    onClose?.()
  }
}

/** `data` as DATA frames of at most `maxFrameBytes` each, in one buffer. */
function dataFrames(data: Buffer, streamId: number, maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const count = Math.max(1, Math.ceil(data.length / maxFrameBytes))
  const out = Buffer.allocUnsafe(data.length + count * FRAME_HEADER_BYTES)
  let at = 0
  let from = 0
  // at least one frame: an empty write is an empty DATA frame
  do {
    const length = Math.min(maxFrameBytes, data.length - from)
    writeFrameHeader(out, at, length, FrameType.data, 0, streamId)
    data.copy(out, at + FRAME_HEADER_BYTES, from, from + length)
    at += FRAME_HEADER_BYTES + length
    from += length
  } while (from < data.length)
  return out
}
