// The calls the fast paths do not take (Snapshot and Observe, which stream from the server; a
// compressed request; a content type that is not gRPC; a method nobody serves) are served by
// grpc-js, as before: each such stream is relayed over an in-memory HTTP/2 connection from
// Node's HTTP/2 client to grpc-js's server. grpc-js keeps its own words for everything it
// answers (codes, messages, UNIMPLEMENTED), and those calls are rare enough that the relay's
// cost does not matter. Back-pressure holds end to end: a client that stops reading stops the
// relay's reads, and HTTP/2 flow control then holds grpc-js back.
import {connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders} from 'node:http2'
import {Duplex} from 'node:stream'
import {ErrorCode, Flag} from '../h2/frame.js'
import type {H2Stream} from '../h2/stream.js'

/** Where grpc-js takes a connection (its Server's connection injector). */
export interface ConnectionSink {
  injectConnection(connection: Duplex): void
}

/** One end of an in-memory connection: what it writes, its peer reads. */
class PipeEnd extends Duplex {
  peer: PipeEnd | undefined

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.peer?.push(chunk)
    done()
  }

  override _final(done: (error?: Error | null) => void): void {
    this.peer?.push(null)
    done()
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    const peer = this.peer
    this.peer = undefined
    if (peer !== undefined) {
      peer.peer = undefined
      peer.destroy()
    }
    done(error)
  }
}

/** Headers that belong to one hop of HTTP, never relayed (RFC 9113 §8.2.2). */
const hopHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host'])

/** A session to grpc-js for one client connection's relayed streams; destroy it with the connection. */
export function openRelaySession(sink: ConnectionSink): ClientHttp2Session {
  const clientEnd = new PipeEnd()
  const serverEnd = new PipeEnd()
  clientEnd.peer = serverEnd
  serverEnd.peer = clientEnd
  sink.injectConnection(serverEnd)
  const session = connect('http://localhost', {createConnection: () => clientEnd})
  session.on('error', () => undefined)
  return session
}

/** The request's fields as headers for the relay: pseudo-headers and metadata, less hop-by-hop ones. */
function requestHeaders(fields: readonly string[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {}
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!
    const value = fields[i + 1]!
    // any authority will do in memory; a client's may hold what Node refuses ('/' in a URL)
    if (name === ':authority' || hopHeaders.has(name) || (name === 'te' && value !== 'trailers')) continue
    const before = headers[name]
    headers[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [String(before), value]
  }
  headers[constants.HTTP2_HEADER_AUTHORITY] = 'localhost'
  return headers
}

/** Response headers or trailers as fields: pseudo-headers first. */
function fieldsOf(headers: IncomingHttpHeaders): string[] {
  const pseudo: string[] = []
  const regular: string[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const target = name.startsWith(':') ? pseudo : regular
    for (const one of Array.isArray(value) ? value : [String(value)]) target.push(name, one)
  }
  return [...pseudo, ...regular]
}

/** Relays `stream` (its request fields `fields`) to grpc-js over `session`, and the answer back. */
export function relayStream(session: ClientHttp2Session, stream: H2Stream, fields: readonly string[]): void {
  let upstream: ClientHttp2Stream
  try {
    upstream = session.request(requestHeaders(fields), {endStream: stream.remoteEnded})
  } catch {
    stream.reset(ErrorCode.internal)
    return
  }
  let trailers: string[] | undefined
  let answered = false
  upstream.on('response', (headers, flags) => {
    if ((flags & Flag.endStream) !== 0) {
      // a trailers-only answer: headers and status in one block, which ends the stream
      answered = true
      stream.respondAndEnd(fieldsOf(headers))
      return
    }
    stream.respond(fieldsOf(headers))
    // read only now: Node may emit the first data before 'response', and DATA may not go
    // before HEADERS
    upstream.on('data', (chunk: Buffer) => {
      if (stream.write(chunk)) return
      upstream.pause()
      stream.onDrain = () => upstream.resume()
    })
  })
  upstream.on('trailers', (headers) => (trailers = fieldsOf(headers)))
  upstream.on('error', () => undefined)
  upstream.on('close', () => {
    if (answered || stream.closed) return
    answered = true
    if (trailers !== undefined) stream.end(trailers)
    else stream.reset(upstream.rstCode === constants.NGHTTP2_CANCEL ? ErrorCode.cancel : ErrorCode.internal)
  })
  stream.onData = (chunk) => {
    if (!upstream.destroyed) upstream.write(chunk)
  }
  stream.onEnd = () => {
    if (!upstream.destroyed) upstream.end()
  }
  stream.onClose = () => {
    if (!upstream.closed) upstream.close(constants.NGHTTP2_CANCEL)
  }
}
