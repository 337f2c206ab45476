// Unary calls answered straight on the HTTP/2 stream, without grpc-js's per-call machinery.
//
// grpc-js answers a unary call in three steps on three turns of the event loop: the response
// headers and message are written, the write's callback sends the status, and the stream's
// 'wantTrailers' event writes the trailers — two socket writes and a few hundred microseconds
// more per call, plus a call object, interceptors and metadata copies. Here the response is
// queued in one go (headers, message, trailers), so Node's HTTP/2 session sends it with one
// write (the trailers without Node's setImmediate: inline-trailers.ts). Watch and
// LeaseKeepAlive streams have their own path (fast-stream.ts); the other streaming calls
// (Snapshot, Observe) and anything unusual (a compressed request, a content type that is not
// gRPC) still go to grpc-js, on the same connection.
//
// What a client sees is what etcd or grpc-js would send: etcd's response headers (wire.ts), and
// grpc-js's status codes and words for a message over the receive limit, a missing or second
// request message, and an expired deadline (grpc-timeout).
import type {Server as GrpcServer} from '@grpc/grpc-js'
import assert from 'node:assert/strict'
import type {Http2Server, IncomingHttpHeaders, ServerHttp2Stream} from 'node:http2'
import type {Duplex} from 'node:stream'
import {endBeforeTrailers, nativeHeaderList, respondAwaitingTrailers, sendTrailersInline} from './inline-trailers.js'
import type {StatusError} from './status.js'
import {baseHeaders, grpcTimeoutMs, GrpcStatus, isPlainGrpc, PREFIX_BYTES, statusTrailers, trailersOnly} from './wire.js'

/** How a unary method is served: decode, then answer with a response or a status error. */
export interface UnaryRoute {
  /** The request message from its bytes (errors here are the caller's: see decode in server.ts). */
  decode(bytes: Buffer): unknown
  /** Runs the call; `token` is the caller's auth token from the metadata; `signal` aborts if the caller goes away. */
  call(request: unknown, token: string | undefined, signal?: AbortSignal): Promise<unknown>
  /** The response as one gRPC message: its 5-byte prefix left for the caller to write, then its bytes. */
  encodeAfterPrefix(response: unknown): Buffer
  statusOf(error: unknown): StatusError
  /** The call may wait on other clients: it gets a signal that aborts when its caller goes away. */
  waits?: boolean
}

const okTrailers = {'grpc-status': '0', 'grpc-message': 'OK'}
const okTrailerList = nativeHeaderList(okTrailers)

/**
 * Whether this path serves the stream itself; false leaves it to grpc-js untouched (nothing
 * read, nothing sent).
 */
export function serveFastUnary(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, route: UnaryRoute | undefined, path: string, hardLimitBytes: number): boolean {
  if (route === undefined) return false
  if (!isPlainGrpc(headers)) return false

  let finished = false
  let deadline: NodeJS.Timeout | undefined
  const gone = route.waits ? new AbortController() : undefined
  const finish = () => {
    finished = true
    if (deadline !== undefined) clearTimeout(deadline)
  }
  const fail = (status: {code: number; details: string}) => {
    if (finished) return
    finish()
    if (stream.destroyed || stream.closed) return
    // a trailers-only response, as grpc-js sends for a call that ends before any message
    stream.respond({...baseHeaders, ...statusTrailers(status)}, trailersOnly)
    stream.resume() // anything the client still sends is read and dropped
  }
  // an error event always comes with a close: nothing to answer then
  stream.on('error', () => undefined)
  stream.once('close', () => {
    // closed before it was answered: the caller cancelled, timed out or hung up
    if (!finished) gone?.abort()
    finish()
  })

  const timeout = headers['grpc-timeout']
  if (typeof timeout === 'string') {
    const timeoutMs = grpcTimeoutMs(timeout)
    if (timeoutMs === undefined) {
      fail({code: GrpcStatus.internal, details: `Invalid grpc-timeout value "${timeout}"`})
      return true
    }
    deadline = setTimeout(() => {
      fail({code: GrpcStatus.deadlineExceeded, details: 'Deadline exceeded'})
      gone?.abort()
    }, timeoutMs)
  }

  const chunks: Buffer[] = []
  let received = 0
  stream.on('data', (chunk: Buffer) => {
    if (finished) return
    chunks.push(chunk)
    received += chunk.length
    // grpc-js refuses a message past its receive limit as soon as the length prefix shows it
    if (received >= PREFIX_BYTES && chunks.length <= 2) {
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks)
      const declared = head.readUInt32BE(1)
      if (declared > hardLimitBytes) fail({code: GrpcStatus.resourceExhausted, details: `Received message larger than max (${declared} vs ${hardLimitBytes})`})
    }
  })
  stream.once('end', () => {
    if (finished) return
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
    if (body.length < PREFIX_BYTES || body.length < PREFIX_BYTES + body.readUInt32BE(1)) {
      fail({code: GRPC_UNIMPLEMENTED, details: `Received no request message for server streaming method ${path}`})
      return
    }
    const length = body.readUInt32BE(1)
    const next = PREFIX_BYTES + length
    if (body.length >= next + PREFIX_BYTES && body.length >= next + PREFIX_BYTES + body.readUInt32BE(next + 1)) {
      fail({code: GRPC_UNIMPLEMENTED, details: `Received a second request message for server streaming method ${path}`})
      return
    }
    if (body[0] !== 0) {
      fail({code: GrpcStatus.internal, details: 'Received a compressed message without a grpc-encoding'})
      return
    }
    let request: unknown
    try {
      request = route.decode(body.subarray(PREFIX_BYTES, next))
    } catch {
      fail({code: GrpcStatus.internal, details: 'Error deserializing request'})
      return
    }
    const token = headers.token ?? headers.authorization
    let answer: Promise<unknown>
    try {
      answer = route.call(request, typeof token === 'string' ? token : Array.isArray(token) ? token[0] : undefined, gone?.signal)
    } catch (error) {
      fail(route.statusOf(error))
      return
    }
    answer.then(
      (response) => {
        if (finished) return
        let framed: Buffer
        try {
          framed = route.encodeAfterPrefix(response)
        } catch {
          fail({code: GrpcStatus.internal, details: 'Error serializing response'})
          return
        }
        finish()
        if (stream.destroyed || stream.closed) return
        framed[0] = 0
        framed.writeUInt32BE(framed.length - PREFIX_BYTES, 1)
        respondAwaitingTrailers(stream, baseHeaders)
        // the trailers leave with the headers and message, in one write (inline-trailers.ts)
        stream.once('wantTrailers', () => sendTrailersInline(stream, okTrailerList, okTrailers))
        endBeforeTrailers(stream, framed)
      },
      (error: unknown) => fail(route.statusOf(error)),
    )
  })
  return true
}

const GRPC_UNIMPLEMENTED = 12

/** What grpc-js's createConnectionInjector answers. */
interface Injector {
  injectConnection(connection: Duplex): void
  drain(graceTimeMs: number): void
  destroy(): void
}

/**
 * Creates a grpc-js connection injector whose HTTP/2 streams are offered to `serve` first; those
 * it does not take go to grpc-js as before. grpc-js keeps the sessions (settings, keep-alive,
 * shutdown). Its HTTP/2 server is not public: it is found in the Server's own table, and a
 * grpc-js that no longer keeps one fails here, at start-up, not on a call.
 */
export function routeStreams(
  server: GrpcServer,
  create: () => Injector,
  serve: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean,
): Injector {
  const servers = (server as unknown as {http2Servers?: unknown}).http2Servers
  assert.ok(servers instanceof Map, 'this @grpc/grpc-js keeps no http2Servers table: see src/engine/net/grpc/fast-unary.ts')
  const before = new Set(servers.keys())
  const injector = create()
  const created = [...servers.keys()].filter((candidate) => !before.has(candidate)) as Http2Server[]
  assert.equal(created.length, 1, 'a connection injector makes one HTTP/2 server')
  const http2 = created[0]!
  const grpcHandlers = http2.listeners('stream') as Array<(...args: unknown[]) => void>
  http2.removeAllListeners('stream')
  http2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest: unknown[]) => {
    if (serve(stream, headers)) return
    for (const handler of grpcHandlers) handler.call(http2, stream, headers, ...rest)
  })
  return injector
}
