// A raw HTTP/2 client for the conformance tests of the server connection (connection.test.ts):
// frames written byte by byte as RFC 9113 §4.1 and §6 lay them out (not with the server's own
// builders in frame.ts, so a mistake there cannot hide itself), and the server's frames read back
// in arrival order, header blocks decoded with HPACK (hpack.ts, tested on its own).
import assert from 'node:assert/strict'
import {connect, type Socket} from 'node:net'
import {HpackDecoder, HpackEncoder} from '../../../../src/engine/net/h2/hpack.js'

export const T = {
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

export const F = {endStream: 0x1, ack: 0x1, endHeaders: 0x4, padded: 0x8, priority: 0x20} as const

export const E = {
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

export const S = {headerTableSize: 0x1, enablePush: 0x2, maxConcurrentStreams: 0x3, initialWindowSize: 0x4, maxFrameSize: 0x5, maxHeaderListSize: 0x6} as const

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

const typeNames = Object.fromEntries(Object.entries(T).map(([name, type]) => [type, name])) as Record<number, string>

/**
 * A frame (§4.1): 24-bit length, 8-bit type, 8-bit flags, a reserved bit and a 31-bit stream id,
 * then the payload. `length` overrides the length written (to send a lying header).
 */
export function rawFrame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), length = payload.length): Buffer {
  const head = Buffer.alloc(9)
  head[0] = (length >>> 16) & 0xff
  head[1] = (length >>> 8) & 0xff
  head[2] = length & 0xff
  head[3] = type
  head[4] = flags
  head[5] = (streamId >>> 24) & 0x7f
  head[6] = (streamId >>> 16) & 0xff
  head[7] = (streamId >>> 8) & 0xff
  head[8] = streamId & 0xff
  return Buffer.concat([head, payload])
}

const u32 = (value: number): Buffer => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(value >>> 0)
  return out
}

/** SETTINGS (§6.5): 16-bit identifier, 32-bit value, per setting. */
export function settings(pairs: ReadonlyArray<readonly [number, number]> = []): Buffer {
  const payload = Buffer.alloc(pairs.length * 6)
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6)
    payload.writeUInt32BE(value >>> 0, i * 6 + 2)
  })
  return rawFrame(T.settings, 0, 0, payload)
}

export const settingsAck = (): Buffer => rawFrame(T.settings, F.ack, 0)
export const ping = (opaque: Buffer, flags = 0, streamId = 0): Buffer => rawFrame(T.ping, flags, streamId, opaque)
export const windowUpdate = (streamId: number, increment: number): Buffer => rawFrame(T.windowUpdate, 0, streamId, u32(increment))
export const rstStream = (streamId: number, code: number): Buffer => rawFrame(T.rstStream, 0, streamId, u32(code))
export const priority = (streamId: number, dependsOn: number, weight = 15): Buffer => rawFrame(T.priority, 0, streamId, Buffer.concat([u32(dependsOn), Buffer.from([weight])]))

export interface PayloadOptions {
  endStream?: boolean
  /** Padding octets (PADDED flag, Pad Length first, zero octets last). */
  padding?: number
  /** A Pad Length other than the padding sent (to lie about it). */
  padLength?: number
}

/** DATA (§6.1), with optional padding. */
export function data(streamId: number, bytes: Buffer | string, options: PayloadOptions = {}): Buffer {
  const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  let flags = options.endStream ? F.endStream : 0
  let payload = body
  if (options.padding !== undefined) {
    flags |= F.padded
    payload = Buffer.concat([Buffer.from([options.padLength ?? options.padding]), body, Buffer.alloc(options.padding)])
  }
  return rawFrame(T.data, flags, streamId, payload)
}

export interface HeadersOptions extends PayloadOptions {
  /** Default true; false leaves the block open for CONTINUATION. */
  endHeaders?: boolean
  /** The PRIORITY flag's fields: exclusive bit and stream dependency, weight. */
  priority?: {dependsOn: number; weight: number; exclusive?: boolean}
}

/** HEADERS (§6.2): [Pad Length] [E + Stream Dependency, Weight] Field Block Fragment [Padding]. */
export function headers(streamId: number, block: Buffer, options: HeadersOptions = {}): Buffer {
  let flags = (options.endStream ? F.endStream : 0) | (options.endHeaders === false ? 0 : F.endHeaders)
  const parts: Buffer[] = []
  if (options.padding !== undefined) {
    flags |= F.padded
    parts.push(Buffer.from([options.padLength ?? options.padding]))
  }
  if (options.priority !== undefined) {
    flags |= F.priority
    const dependency = u32(options.priority.dependsOn)
    if (options.priority.exclusive) dependency[0]! |= 0x80
    parts.push(dependency, Buffer.from([options.priority.weight]))
  }
  parts.push(block)
  if (options.padding !== undefined) parts.push(Buffer.alloc(options.padding))
  return rawFrame(T.headers, flags, streamId, Buffer.concat(parts))
}

export const continuation = (streamId: number, block: Buffer, endHeaders: boolean): Buffer => rawFrame(T.continuation, endHeaders ? F.endHeaders : 0, streamId, block)

/** A frame the server sent; a HEADERS frame carries its decoded fields (its CONTINUATIONs folded in). */
export interface Frame {
  type: number
  flags: number
  streamId: number
  payload: Buffer
  fields?: string[]
}

export interface GoAway {
  lastStreamId: number
  code: number
  debug: string
}

export interface Response {
  headers: string[]
  body: Buffer
  trailers: string[] | undefined
  /** The RST_STREAM code, when the stream was reset instead. */
  reset: number | undefined
  /** The DATA frames' payload sizes, in order. */
  dataFrames: number[]
}

export const describeFrame = (frame: Frame): string => `${typeNames[frame.type] ?? `type ${frame.type}`}(stream ${frame.streamId}, flags 0x${frame.flags.toString(16)}, ${frame.payload.length} bytes)`

/** [':method', 'GET', …]: a valid request, then `extra` fields. */
export function requestFields(path = '/', extra: string[] = []): string[] {
  return [':method', 'POST', ':scheme', 'http', ':path', path, ':authority', 'localhost', ...extra]
}

export class RawClient {
  /** Every frame the server sent, in arrival order. */
  readonly log: Frame[] = []
  /** Frames not yet taken by take(). */
  private readonly queue: Frame[] = []
  private waiter: (() => void) | undefined
  private input: Buffer = Buffer.alloc(0)
  private partialHeaders: {frame: Frame; parts: Buffer[]} | undefined
  readonly encoder = new HpackEncoder()
  private readonly decoder = new HpackDecoder(4096, 1 << 20)
  /** Resolves when the server has closed the connection (its FIN, or the socket gone). */
  readonly closed: Promise<void>
  isClosed = false
  private pingCount = 0

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.isClosed = true
        resolve()
        this.wake()
      }
      socket.on('end', done)
      socket.on('close', done)
    })
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => this.read(chunk))
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames))
  }

  /** A header block of `fields`, from this client's HPACK encoder (blocks must then be sent in the order encoded). */
  block(fields: string[]): Buffer {
    return this.encoder.encode(fields)
  }

  /** HEADERS of a valid request for `path` on `streamId`. */
  request(streamId: number, path = '/', options: HeadersOptions = {}): Buffer {
    return headers(streamId, this.block(requestFields(path)), options)
  }

  /**
   * The preface, SETTINGS with `pairs`, then the server's SETTINGS (returned, as a map) is ACKed
   * and the ACK of ours awaited. Frames other than those stay queued.
   */
  async handshake(pairs: ReadonlyArray<readonly [number, number]> = []): Promise<Map<number, number>> {
    this.send(PREFACE, settings(pairs))
    const server = await this.take((f) => f.type === T.settings && (f.flags & F.ack) === 0)
    this.send(settingsAck())
    await this.take((f) => f.type === T.settings && (f.flags & F.ack) !== 0)
    const values = new Map<number, number>()
    for (let at = 0; at < server.payload.length; at += 6) values.set(server.payload.readUInt16BE(at), server.payload.readUInt32BE(at + 2))
    return values
  }

  /** The first queued frame matching `match` (waiting for it), taken off the queue; others stay. */
  async take(match: (frame: Frame) => boolean = () => true, timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const index = this.queue.findIndex(match)
      if (index >= 0) return this.queue.splice(index, 1)[0]!
      if (this.isClosed) assert.fail(`the connection closed first; frames seen: ${this.log.map(describeFrame).join(', ')}`)
      const left = deadline - Date.now()
      if (left <= 0) assert.fail(`no such frame in ${timeoutMs} ms; frames seen: ${this.log.map(describeFrame).join(', ')}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** The GOAWAY, parsed. */
  async goAway(): Promise<GoAway> {
    const frame = await this.take((f) => f.type === T.goAway)
    return {lastStreamId: frame.payload.readUInt32BE(0) & 0x7fff_ffff, code: frame.payload.readUInt32BE(4), debug: frame.payload.subarray(8).toString()}
  }

  /** A connection error: GOAWAY with `code`, then the server closes the socket. */
  async connectionError(code: number): Promise<GoAway> {
    const away = await this.goAway()
    assert.equal(away.code, code, `GOAWAY code ${away.code} (${away.debug}), expected ${code}`)
    await this.closed
    return away
  }

  /** A stream error: RST_STREAM on `streamId` with `code`. */
  async streamError(streamId: number, code: number): Promise<void> {
    const frame = await this.take((f) => f.type === T.rstStream && f.streamId === streamId)
    assert.equal(frame.payload.readUInt32BE(0), code, `RST_STREAM code on stream ${streamId}`)
  }

  /**
   * A round trip: a PING and its ACK. The server answers in order, so whatever it sent in
   * reply to the frames before the PING has arrived once this returns.
   */
  async sync(): Promise<void> {
    const opaque = Buffer.alloc(8)
    opaque.writeUInt32BE(0x5359_4e43)
    opaque.writeUInt32BE(++this.pingCount, 4)
    this.send(ping(opaque))
    await this.take((f) => f.type === T.ping && (f.flags & F.ack) !== 0 && f.payload.equals(opaque))
  }

  /** The frames on `streamId` taken until END_STREAM or RST_STREAM, as a response. */
  async response(streamId: number, timeoutMs?: number): Promise<Response> {
    const response: Response = {headers: [], body: Buffer.alloc(0), trailers: undefined, reset: undefined, dataFrames: []}
    const body: Buffer[] = []
    let headersSeen = false
    while (true) {
      const frame = await this.take((f) => f.streamId === streamId && (f.type === T.headers || f.type === T.data || f.type === T.rstStream), timeoutMs)
      if (frame.type === T.rstStream) {
        response.reset = frame.payload.readUInt32BE(0)
        break
      }
      if (frame.type === T.data) {
        body.push(frame.payload)
        response.dataFrames.push(frame.payload.length)
      } else if (!headersSeen) {
        headersSeen = true
        response.headers = frame.fields!
      } else {
        response.trailers = frame.fields!
      }
      if (frame.flags & F.endStream) break
    }
    response.body = Buffer.concat(body)
    return response
  }

  /** Frames of `type` (on `streamId`, if given) still queued, taken off. */
  drain(type: number, streamId?: number): Frame[] {
    const taken: Frame[] = []
    for (let i = 0; i < this.queue.length; ) {
      const frame = this.queue[i]!
      if (frame.type === type && (streamId === undefined || frame.streamId === streamId)) taken.push(...this.queue.splice(i, 1))
      else i++
    }
    return taken
  }

  /** Bytes of DATA on `streamId` in the log so far. */
  dataBytes(streamId?: number): number {
    return this.log.filter((f) => f.type === T.data && (streamId === undefined || f.streamId === streamId)).reduce((sum, f) => sum + f.payload.length, 0)
  }

  close(): void {
    this.socket.destroy()
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }

  private read(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk])
    while (this.input.length >= 9) {
      const length = (this.input[0]! << 16) | (this.input[1]! << 8) | this.input[2]!
      if (this.input.length < 9 + length) break
      const frame: Frame = {
        type: this.input[3]!,
        flags: this.input[4]!,
        streamId: this.input.readUInt32BE(5) & 0x7fff_ffff,
        payload: Buffer.from(this.input.subarray(9, 9 + length)),
      }
      this.input = this.input.subarray(9 + length)
      this.onFrame(frame)
    }
    this.wake()
  }

  private onFrame(frame: Frame): void {
    if (frame.type === T.headers) {
      assert.equal(this.partialHeaders, undefined, 'HEADERS while a header block is open')
      let start = 0
      let end = frame.payload.length
      if (frame.flags & F.padded) {
        start = 1
        end -= frame.payload[0]!
      }
      if (frame.flags & F.priority) start += 5
      this.partialHeaders = {frame, parts: [frame.payload.subarray(start, end)]}
    } else if (frame.type === T.continuation) {
      assert.notEqual(this.partialHeaders, undefined, 'CONTINUATION without HEADERS')
      assert.equal(frame.streamId, this.partialHeaders!.frame.streamId, 'CONTINUATION on another stream')
      this.partialHeaders!.parts.push(frame.payload)
    } else {
      assert.equal(this.partialHeaders, undefined, `${describeFrame(frame)} inside a header block`)
      this.log.push(frame)
      this.queue.push(frame)
      return
    }
    if ((frame.flags & F.endHeaders) === 0) return
    const headersFrame = this.partialHeaders!.frame
    // decoded in arrival order, as the server's encoder wrote them
    headersFrame.fields = this.decoder.decode(Buffer.concat(this.partialHeaders!.parts)).fields
    this.partialHeaders = undefined
    this.log.push(headersFrame)
    this.queue.push(headersFrame)
  }
}
