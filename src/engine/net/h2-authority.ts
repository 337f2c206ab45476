// etcdctl 3.4 dials a member by its client URL for some maintenance calls (endpoint status
// and hashkv with --cluster, an endpoint given with its scheme), and gRPC-Go then sends the
// whole URL as the HTTP/2 :authority ("http://127.0.0.1:2379"). Go's server takes it; Node's
// (nghttp2) resets the stream with PROTOCOL_ERROR, as '/' may not appear in an authority. So
// the client-to-server bytes of a gRPC connection pass through here: HEADERS blocks are
// decoded (HPACK, RFC 7541) and an :authority value holding '/' is sent on with each '/' as
// '_' — the same length, so the dynamic tables of client and server stay in step. Every other
// byte goes through untouched.
import {Duplex} from 'node:stream'
import type {Socket} from 'node:net'
import {huffmanDecode} from './hpack-huffman.js'

const prefaceBytes = 24
const frameHeaderBytes = 9
const typeHeaders = 0x1
const typeContinuation = 0x9
const typeSettings = 0x4
const flagAck = 0x1
const flagEndHeaders = 0x4
const flagPadded = 0x8
const flagPriority = 0x20
/** The largest frame the server accepts (HTTP/2's default SETTINGS_MAX_FRAME_SIZE, which Node keeps). */
const maxFramePayloadBytes = 16_384
/** A header block above this is passed through undecoded (nghttp2 refuses it anyway). */
const maxHeaderBlockBytes = 1024 * 1024
/** The names of HPACK's static table (RFC 7541 Appendix A), index 1 first: a dynamic entry's size counts its name. */
const staticNames: readonly string[] = [
  ':authority', ':method', ':method', ':path', ':path', ':scheme', ':scheme',
  ':status', ':status', ':status', ':status', ':status', ':status', ':status',
  'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'accept', 'access-control-allow-origin', 'age', 'allow',
  'authorization', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-length',
  'content-location', 'content-range', 'content-type', 'cookie', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match',
  'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified', 'link', 'location', 'max-forwards',
  'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'refresh', 'retry-after', 'server', 'set-cookie',
  'strict-transport-security', 'transfer-encoding', 'user-agent', 'vary', 'via', 'www-authenticate',
]
const staticTableSize = staticNames.length
const entryOverheadBytes = 32

/** Reads an HPACK integer with an n-bit prefix at `at`; returns it and the offset after it. */
function readInteger(block: Buffer, at: number, prefixBits: number): [number, number] {
  const max = (1 << prefixBits) - 1
  let value = block[at]! & max
  at++
  if (value < max) return [value, at]
  let shift = 0
  for (;;) {
    if (at >= block.length) throw new Error('hpack: truncated integer')
    const byte = block[at++]!
    value += (byte & 0x7f) * 2 ** shift
    shift += 7
    if ((byte & 0x80) === 0) return [value, at]
    if (shift > 28) throw new Error('hpack: integer too large')
  }
}

function writeInteger(value: number, prefixBits: number, firstByteFlags: number): Buffer {
  const max = (1 << prefixBits) - 1
  if (value < max) return Buffer.of(firstByteFlags | value)
  const bytes = [firstByteFlags | max]
  let rest = value - max
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  bytes.push(rest)
  return Buffer.from(bytes)
}

/** Reads an HPACK string at `at`: its decoded bytes and the offset after it. */
function readString(block: Buffer, at: number): [Buffer, number] {
  const huffman = (block[at]! & 0x80) !== 0
  const [length, start] = readInteger(block, at, 7)
  const end = start + length
  if (end > block.length) throw new Error('hpack: truncated string')
  const raw = block.subarray(start, end)
  return [huffman ? huffmanDecode(raw) : raw, end]
}

/** The client's HPACK encoder as the server's decoder sees it: the dynamic table's names and sizes. */
export class AuthorityRewriter {
  /** Newest first: [name, size in octets]. */
  private readonly dynamic: Array<[string, number]> = []
  private sizeBytes = 0
  private maxSizeBytes = 4096

  /** Returns the block to send on: `block` itself when nothing needed rewriting. */
  rewrite(block: Buffer): Buffer {
    const parts: Buffer[] = []
    let changed = false
    let at = 0
    while (at < block.length) {
      const start = at
      const first = block[at]!
      if (first & 0x80) {
        // indexed field: nothing to change (a rewritten value was stored rewritten)
        ;[, at] = readInteger(block, at, 7)
        parts.push(block.subarray(start, at))
        continue
      }
      if ((first & 0xe0) === 0x20) {
        let size: number
        ;[size, at] = readInteger(block, at, 5)
        this.maxSizeBytes = size
        this.evict()
        parts.push(block.subarray(start, at))
        continue
      }
      const indexing = (first & 0xc0) === 0x40
      const prefixBits = indexing ? 6 : 4
      let nameIndex: number
      ;[nameIndex, at] = readInteger(block, at, prefixBits)
      let name: string
      if (nameIndex === 0) {
        let nameBytes: Buffer
        ;[nameBytes, at] = readString(block, at)
        name = nameBytes.toString('latin1')
      } else {
        name = this.nameAt(nameIndex)
      }
      const nameEnd = at
      let value: Buffer
      ;[value, at] = readString(block, at)
      if (indexing) this.insert(name, value.length)
      if (name === ':authority' && value.includes(0x2f)) {
        const fixed = Buffer.from(value).map((byte) => (byte === 0x2f ? 0x5f : byte))
        parts.push(block.subarray(start, nameEnd), writeInteger(fixed.length, 7, 0), Buffer.from(fixed))
        changed = true
      } else {
        parts.push(block.subarray(start, at))
      }
    }
    return changed ? Buffer.concat(parts) : block
  }

  private nameAt(index: number): string {
    if (index <= staticTableSize) {
      if (index === 0) throw new Error('hpack: index 0')
      return staticNames[index - 1]!
    }
    const entry = this.dynamic[index - staticTableSize - 1]
    if (entry === undefined) throw new Error(`hpack: index ${index} beyond the dynamic table`)
    return entry[0]
  }

  private insert(name: string, valueBytes: number): void {
    const size = Buffer.byteLength(name, 'latin1') + valueBytes + entryOverheadBytes
    this.dynamic.unshift([name, size])
    this.sizeBytes += size
    this.evict()
  }

  private evict(): void {
    while (this.sizeBytes > this.maxSizeBytes && this.dynamic.length > 0) this.sizeBytes -= this.dynamic.pop()![1]
  }
}

/**
 * The client-to-server bytes of an HTTP/2 connection, frame by frame: HEADERS (with any
 * CONTINUATION) re-emitted with their block rewritten when it changed; every other frame as
 * it came. Not thread-safe across connections: one per connection.
 */
export class Http2InboundRewriter {
  private pending: Buffer = Buffer.alloc(0)
  private prefaceLeft = prefaceBytes
  private readonly hpack = new AuthorityRewriter()
  /** A header block being gathered: the frames as received, and the block fragments. */
  private headers: {frames: Buffer[]; fragments: Buffer[]; flags: number; streamId: number; priority: Buffer | undefined; bytes: number} | undefined
  /** Once a block cannot be decoded, the rest of the connection passes through untouched. */
  private passThrough = false

  /**
   * `dropSettingsAck`: the client's first SETTINGS ACK is taken out, as it acknowledges a
   * server preface sent before the HTTP/2 server had the connection (h2-opening.ts).
   */
  constructor(private dropSettingsAck = false) {}

  push(chunk: Buffer): Buffer {
    if (this.passThrough) return chunk
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const out: Buffer[] = []
    if (this.prefaceLeft > 0) {
      const take = Math.min(this.prefaceLeft, this.pending.length)
      out.push(this.pending.subarray(0, take))
      this.pending = this.pending.subarray(take)
      this.prefaceLeft -= take
    }
    while (!this.passThrough && this.pending.length >= frameHeaderBytes) {
      const length = this.pending.readUIntBE(0, 3)
      if (this.pending.length < frameHeaderBytes + length) break
      const frame = this.pending.subarray(0, frameHeaderBytes + length)
      this.pending = this.pending.subarray(frameHeaderBytes + length)
      out.push(this.onFrame(frame))
    }
    if (this.passThrough) {
      out.push(this.pending)
      this.pending = Buffer.alloc(0)
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out)
  }

  private onFrame(frame: Buffer): Buffer {
    const type = frame[3]!
    const flags = frame[4]!
    if (this.dropSettingsAck && type === typeSettings && flags & flagAck) {
      this.dropSettingsAck = false
      return Buffer.alloc(0)
    }
    const streamId = frame.readUInt32BE(5) & 0x7fffffff
    if (type === typeHeaders) {
      let payload = frame.subarray(frameHeaderBytes)
      let padding = 0
      if (flags & flagPadded) {
        padding = payload[0]!
        payload = payload.subarray(1)
      }
      let priority: Buffer | undefined
      if (flags & flagPriority) {
        priority = payload.subarray(0, 5)
        payload = payload.subarray(5)
      }
      const fragment = payload.subarray(0, payload.length - padding)
      this.headers = {frames: [frame], fragments: [fragment], flags, streamId, priority, bytes: fragment.length}
    } else if (type === typeContinuation && this.headers !== undefined) {
      this.headers.frames.push(frame)
      this.headers.fragments.push(frame.subarray(frameHeaderBytes))
      this.headers.bytes += frame.length - frameHeaderBytes
    } else {
      return frame
    }
    const headers = this.headers
    if (headers.bytes > maxHeaderBlockBytes) return this.giveUp()
    if ((flags & flagEndHeaders) === 0) return Buffer.alloc(0)
    this.headers = undefined
    const block = Buffer.concat(headers.fragments)
    let rewritten: Buffer
    try {
      rewritten = this.hpack.rewrite(block)
    } catch {
      // not a block we understand: nghttp2 will judge it; we stop decoding this connection
      this.passThrough = true
      return Buffer.concat(headers.frames)
    }
    if (rewritten === block) return Buffer.concat(headers.frames)
    return encodeHeaderFrames(rewritten, headers.flags, headers.streamId, headers.priority)
  }

  private giveUp(): Buffer {
    this.passThrough = true
    const frames = this.headers!.frames
    this.headers = undefined
    return Buffer.concat(frames)
  }
}

/** A header block as one HEADERS frame (unpadded) and as many CONTINUATION frames as it needs. */
function encodeHeaderFrames(block: Buffer, flags: number, streamId: number, priority: Buffer | undefined): Buffer {
  const frames: Buffer[] = []
  const firstRoom = maxFramePayloadBytes - (priority?.length ?? 0)
  let offset = 0
  let first = true
  do {
    const room = first ? firstRoom : maxFramePayloadBytes
    const piece = block.subarray(offset, offset + room)
    offset += piece.length
    const last = offset >= block.length
    const head = Buffer.alloc(frameHeaderBytes)
    const body = first && priority !== undefined ? Buffer.concat([priority, piece]) : piece
    head.writeUIntBE(body.length, 0, 3)
    head[3] = first ? typeHeaders : typeContinuation
    const kept = first ? flags & ~(flagPadded | flagEndHeaders) : 0
    head[4] = kept | (last ? flagEndHeaders : 0)
    head.writeUInt32BE(streamId, 5)
    frames.push(head, body)
    first = false
  } while (offset < block.length)
  return Buffer.concat(frames)
}

/**
 * The socket as the HTTP/2 server reads it: what the client sends goes through an
 * Http2InboundRewriter; what the server writes goes to the socket as it is.
 */
export class AuthorityFixingSocket extends Duplex {
  private readonly rewriter: Http2InboundRewriter

  /** `dropSettingsAck`: see Http2InboundRewriter. */
  constructor(
    private readonly socket: Socket,
    alreadyRead: Buffer,
    dropSettingsAck = false,
  ) {
    super({allowHalfOpen: false})
    this.rewriter = new Http2InboundRewriter(dropSettingsAck)
    socket.on('data', (chunk: Buffer) => this.deliver(chunk))
    socket.on('end', () => this.push(null))
    socket.on('close', () => this.destroy())
    socket.on('error', (error) => this.destroy(error))
    if (alreadyRead.length > 0) this.deliver(alreadyRead)
    socket.resume()
  }

  private deliver(chunk: Buffer): void {
    let out: Buffer
    try {
      out = this.rewriter.push(chunk)
    } catch (error) {
      this.destroy(error as Error)
      return
    }
    if (out.length > 0 && !this.push(out)) this.socket.pause()
  }

  override _read(): void {
    this.socket.resume()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback)
  }

  /**
   * Node's HTTP/2 session hands a JS stream every frame it has ready in one corked batch; passed
   * on corked, they leave in one writev. Without this, each frame was its own send(2): with
   * a few hundred watchers on a connection, one event meant a few hundred system calls.
   */
  override _writev(chunks: Array<{chunk: Buffer}>, callback: (error?: Error | null) => void): void {
    this.socket.cork()
    const last = chunks.length - 1
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]!.chunk)
    this.socket.write(chunks[last]!.chunk, callback)
    this.socket.uncork()
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy(error ?? undefined)
    callback(error)
  }

  // what the HTTP/2 and gRPC servers ask of a connection
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort
  }

  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress
  }

  get localPort(): number | undefined {
    return this.socket.localPort
  }

  setTimeout(ms: number, callback?: () => void): this {
    this.socket.setTimeout(ms, callback)
    return this
  }

  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay)
    return this
  }

  setKeepAlive(enable?: boolean, delayMs?: number): this {
    this.socket.setKeepAlive(enable, delayMs)
    return this
  }
}
