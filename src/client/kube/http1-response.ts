// Reads one HTTP/1.1 response from the bytes of a connection: status line, headers, and a body
// framed by Content-Length, by chunked transfer coding, or by the end of the connection. The
// kube transport's unary requests use it on their own TLS connections (./http1.ts): node:http
// and node:https cost a short command ~4 ms of CPU to load before its one request.

/** A response as far as it was read; `done` once its body is whole. */
export interface Http1Response {
  status: number
  /** lower-case names; repeated headers joined with ', ' as node:http joins them */
  headers: Record<string, string>
  body: Buffer
  /** The server keeps the connection open for another request. */
  keepAlive: boolean
}

/** The largest status line plus headers accepted (node:http's default is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024

export class Http1ProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'Http1ProtocolError'
  }
}

type Framing = {kind: 'length'; remaining: number} | {kind: 'chunked'} | {kind: 'close'}

export class Http1ResponseReader {
  private buffered: Buffer = Buffer.alloc(0)
  private head: {status: number; headers: Record<string, string>; keepAlive: boolean} | undefined
  private framing: Framing | undefined
  private readonly chunks: Buffer[] = []
  private size = 0
  /** chunked: the trailer section is being skipped */
  private inTrailers = false
  private finished: Http1Response | undefined

  constructor(
    /** HEAD responses have no body whatever their headers say */
    private readonly headRequest: boolean,
    private readonly maxBodyBytes: number,
  ) {}

  /** Feeds bytes; returns the response once whole. Throws Http1ProtocolError on malformed input or a body over the limit. */
  push(data: Buffer): Http1Response | undefined {
    if (this.finished !== undefined) return this.finished
    this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data])
    if (this.head === undefined && !this.readHead()) return undefined
    return this.readBody()
  }

  /** The connection ended: a body framed by the close is whole; anything else was cut short. */
  end(): Http1Response {
    if (this.finished !== undefined) return this.finished
    if (this.head !== undefined && this.framing?.kind === 'close') return this.finish()
    throw new Http1ProtocolError(this.head === undefined ? 'EOF' : 'unexpected EOF')
  }

  private readHead(): boolean {
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n')
      if (end < 0) {
        if (this.buffered.length > MAX_HEAD_BYTES) throw new Http1ProtocolError('response headers too large')
        return false
      }
      const lines = this.buffered.subarray(0, end).toString('latin1').split('\r\n')
      this.buffered = this.buffered.subarray(end + 4)
      const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]!)
      if (status === null) throw new Http1ProtocolError(`malformed HTTP response "${lines[0]}"`)
      const code = Number(status[2])
      const headers: Record<string, string> = {}
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':')
        if (colon <= 0) throw new Http1ProtocolError(`malformed MIME header line: ${line}`)
        const name = line.slice(0, colon).trim().toLowerCase()
        const value = line.slice(colon + 1).trim()
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
      }
      // an interim response (100 Continue): the real one follows
      if (code >= 100 && code < 200 && code !== 101) continue
      const connection = (headers['connection'] ?? '').toLowerCase()
      const keepAlive = status[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection)
      this.head = {status: code, headers, keepAlive}
      this.framing = this.framingOf(code, headers)
      return true
    }
  }

  private framingOf(status: number, headers: Record<string, string>): Framing {
    if (this.headRequest || status === 204 || status === 304) return {kind: 'length', remaining: 0}
    const coding = headers['transfer-encoding']
    if (coding !== undefined) {
      if (coding.toLowerCase().split(',').map((c) => c.trim()).at(-1) !== 'chunked') throw new Http1ProtocolError(`unsupported transfer encoding: "${coding}"`)
      return {kind: 'chunked'}
    }
    const length = headers['content-length']
    if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw new Http1ProtocolError(`bad Content-Length "${length}"`)
      return {kind: 'length', remaining: this.limited(Number(length))}
    }
    return {kind: 'close'}
  }

  private readBody(): Http1Response | undefined {
    const framing = this.framing!
    if (framing.kind === 'length') {
      const take = Math.min(framing.remaining, this.buffered.length)
      this.keep(this.buffered.subarray(0, take))
      this.buffered = this.buffered.subarray(take)
      framing.remaining -= take
      return framing.remaining === 0 ? this.finish() : undefined
    }
    if (framing.kind === 'close') {
      this.keep(this.buffered)
      this.buffered = Buffer.alloc(0)
      return undefined
    }
    return this.readChunks()
  }

  private readChunks(): Http1Response | undefined {
    for (;;) {
      const eol = this.buffered.indexOf('\r\n')
      if (eol < 0) {
        if (this.buffered.length > MAX_HEAD_BYTES) throw new Http1ProtocolError('malformed chunked encoding')
        return undefined
      }
      if (this.inTrailers) {
        this.buffered = this.buffered.subarray(eol + 2)
        if (eol === 0) return this.finish()
        continue
      }
      const sizeText = this.buffered.subarray(0, eol).toString('latin1').split(';')[0]!.trim()
      if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) throw new Http1ProtocolError('malformed chunked encoding')
      const size = parseInt(sizeText, 16)
      if (size === 0) {
        this.buffered = this.buffered.subarray(eol + 2)
        this.inTrailers = true
        continue
      }
      // the chunk and its CRLF must be here whole
      if (this.buffered.length < eol + 2 + size + 2) return undefined
      this.limited(this.size + size)
      this.keep(this.buffered.subarray(eol + 2, eol + 2 + size))
      if (this.buffered[eol + 2 + size] !== 0x0d || this.buffered[eol + 3 + size] !== 0x0a) throw new Http1ProtocolError('malformed chunked encoding')
      this.buffered = this.buffered.subarray(eol + 4 + size)
    }
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return
    this.limited(this.size + bytes.length)
    // the socket does not reuse the buffers it hands out, so a view of one is safe to keep
    this.chunks.push(bytes)
    this.size += bytes.length
  }

  private limited(size: number): number {
    if (size > this.maxBodyBytes) throw new Http1ProtocolError(`response larger than ${this.maxBodyBytes} bytes`)
    return size
  }

  private finish(): Http1Response {
    const head = this.head!
    this.finished = {status: head.status, headers: head.headers, body: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks), keepAlive: head.keepAlive && this.framing!.kind !== 'close' && this.buffered.length === 0}
    return this.finished
  }
}
