// Unary calls answered straight on the HTTP/2 stream (../h2/stream.ts), without grpc-js's
// per-call machinery (a call object, interceptors, metadata copies, and three turns of the
// event loop to send headers and message, status, then trailers). Here the response is queued
// in one go (headers, message, trailers), and the connection sends it with the other answers
// of the turn in one write. Watch and LeaseKeepAlive streams have their own path
// (fast-stream.ts); the other streaming calls (Snapshot, Observe) and anything unusual (a
// compressed request, a content type that is not gRPC) go to grpc-js (grpc-js-relay.ts).
//
// What a client sees is what etcd or grpc-js would send: etcd's response headers (wire.ts), and
// grpc-js's status codes and words for a message over the receive limit, a missing or second
// request message, and an expired deadline (grpc-timeout).
import type {H2Stream} from '../h2/stream.js'
import type {StatusError} from './status.js'
import {grpcTimeoutMs, GrpcStatus, isPlainGrpc, okFields, PREFIX_BYTES, responseFields, tokenOf, trailersOnlyFields} from './wire.js'

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

/**
 * Whether this path serves the stream itself; false leaves it to grpc-js untouched (nothing
 * read, nothing sent).
 */
export function serveFastUnary(stream: H2Stream, route: UnaryRoute | undefined, path: string, hardLimitBytes: number): boolean {
  if (route === undefined) return false
  const headers = stream.headers
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
    // a trailers-only response, as grpc-js sends for a call that ends before any message;
    // anything the client still sends is dropped
    stream.respondAndEnd(trailersOnlyFields(status))
  }
  stream.onClose = () => {
    // closed before it was answered: the caller cancelled, timed out or hung up
    if (!finished) gone?.abort()
    finish()
  }

  const timeout = headers['grpc-timeout']
  if (timeout !== undefined) {
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
  stream.onData = (chunk: Buffer) => {
    if (finished) return
    chunks.push(chunk)
    received += chunk.length
    if (!stream.hold(chunk.length)) {
      fail({code: GrpcStatus.resourceExhausted, details: 'Too many request bytes held on this connection'})
      return
    }
    // grpc-js refuses a message past its receive limit as soon as the length prefix shows it
    if (received >= PREFIX_BYTES && chunks.length <= 2) {
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks)
      const declared = head.readUInt32BE(1)
      if (declared > hardLimitBytes) fail({code: GrpcStatus.resourceExhausted, details: `Received message larger than max (${declared} vs ${hardLimitBytes})`})
    }
  }
  stream.onEnd = () => {
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
    let answer: Promise<unknown>
    try {
      answer = route.call(request, tokenOf(headers), gone?.signal)
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
        if (stream.closed) return
        framed[0] = 0
        framed.writeUInt32BE(framed.length - PREFIX_BYTES, 1)
        // headers, message and trailers leave together, with the turn's other answers
        stream.respond(responseFields)
        stream.write(framed)
        stream.end(okFields)
      },
      (error: unknown) => fail(route.statusOf(error)),
    )
  }
  return true
}

const GRPC_UNIMPLEMENTED = 12
