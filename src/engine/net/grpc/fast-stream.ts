// Bidirectional streams (Watch, LeaseKeepAlive) served straight on the HTTP/2 stream, as
// fast-unary.ts serves unary calls.
//
// Through grpc-js, each response of a watch cost a promise chain (the engine's async iterator,
// the caller view's, the header filler's), a grpc-js write with its interceptors and a
// serialization of its own, even when a few hundred watchers got the same event. Here the
// engine's stream is pulled (PullableStream): when it has responses, one microtask takes every
// response waiting, frames each with the route's encoder (watch-frame.ts shares the encoding
// of an event between watchers) and writes them to the HTTP/2 stream in one write.
// Back-pressure is the HTTP/2 stream's: once a write is refused, nothing more is taken from
// the engine until 'drain', so the engine's per-watcher buffers fill and its watchers fall
// back to catching up from history, as they did behind grpc-js.
//
// What a client sees is what grpc-js sends: response headers with the first message, a status
// in trailers (or a trailers-only response when nothing was sent), the same words for a
// message over the receive limit, a malformed one and an expired deadline (grpc-timeout). A
// compressed request or a content type that is not gRPC is left to grpc-js.
import type {IncomingHttpHeaders, ServerHttp2Stream} from 'node:http2'
import {Errors} from '../../../api/errors.js'
import {type BidiStream, isPullable, type PullableStream} from '../../../client/etcd/client.js'
import {type StatusError, toStatusError} from './status.js'
import {awaitingTrailers, baseHeaders, grpcTimeoutMs, GrpcStatus, isPlainGrpc, PREFIX_BYTES, statusTrailers, trailersOnly} from './wire.js'

/** How a bidirectional method is served on the fast path. */
export interface StreamRoute {
  /** The request message from its bytes; a message `refuse` refuses ends the call. */
  decode(bytes: Buffer): unknown
  refuse(message: unknown): StatusError | undefined
  /** Opens the engine's stream as the caller holding `token` sees the engine; may throw a refusal. */
  open(token: string | undefined): PullableStream<unknown, unknown>
  /** One response framed for the wire (gRPC prefix included). */
  frame(response: unknown): Buffer
  statusOf(error: unknown): StatusError
  /** Whether the client's half-close ends the stream (etcd: LeaseKeepAlive does, Watch does not). */
  endOnHalfClose: boolean
  /**
   * Responses are written after the unary answers of the same turn (see writeAfterAnswers):
   * for streams fed by other callers' writes (Watch), not for those answering their own
   * requests (LeaseKeepAlive).
   */
  afterAnswers?: boolean
}

/** A stream being served: the server ends it with `server stopped` when it shuts down. */
export interface ServedStream {
  stop(): void
  /** Settles when the call is over, however it ended. */
  readonly done: Promise<void>
}

const okStatus = {code: 0, details: 'OK'}

/** Responses taken from the engine for one write stop growing past this many bytes. */
const maxWriteBytes = 256 * 1024

/** Stream flushes waiting for the check phase of this turn of the event loop. */
let afterAnswers: Array<() => void> = []

function runAfterAnswers(): void {
  const flushes = afterAnswers
  afterAnswers = []
  for (const flush of flushes) flush()
}

/**
 * Runs `flush` once the unary answers made in this turn have left. A write's events reach the
 * watch streams while the write is applied, before its caller is answered (the answer is a few
 * promise steps later); flushed at once, every watcher's connection was written before the
 * caller's, so a put waited for its whole fan-out to be sent (at 64 watchers over 32
 * connections, 32 sends) before its answer left, and a publisher writing one put at a time
 * slowed as watchers were added. Node sends what a turn queued on HTTP/2 sessions in its
 * native immediates, before the JavaScript ones: flushing from a JavaScript immediate puts the
 * answers (whose trailers leave with them, inline-trailers.ts) on the wire first, and the
 * events in the same turn's sends of the next pass. etcd likewise acknowledges a put without
 * waiting for its watchers.
 */
function writeAfterAnswers(flush: () => void): void {
  afterAnswers.push(flush)
  if (afterAnswers.length === 1) setImmediate(runAfterAnswers)
}

/**
 * A stream that can only be iterated, made pullable: one response is fetched ahead, and the
 * next only once that one is taken, so the source is held back as by a reader that awaits each.
 */
export function asPullable<Request, Response>(stream: BidiStream<Request, Response>): PullableStream<Request, Response> {
  if (isPullable(stream)) return stream
  const iterator = stream[Symbol.asyncIterator]()
  let ready: Response | undefined
  let ended: {error: Error | undefined} | undefined
  let fetching = false
  let listener: (() => void) | undefined
  const fetch = () => {
    if (fetching || ended !== undefined || ready !== undefined) return
    fetching = true
    iterator.next().then(
      (result) => {
        fetching = false
        if (result.done) ended = {error: undefined}
        else ready = result.value
        listener?.()
      },
      (error: unknown) => {
        fetching = false
        ended = {error: error instanceof Error ? error : new Error(String(error))}
        listener?.()
      },
    )
  }
  return {
    send: (request) => stream.send(request),
    close: () => stream.close(),
    [Symbol.asyncIterator]: () => iterator,
    tryNext() {
      const response = ready
      ready = undefined
      fetch()
      return response
    },
    ending: () => (ready === undefined ? ended : undefined),
    onReadable(next) {
      listener = next
      fetch()
    },
  }
}

/**
 * Serves `h2` if `route` is given and the request is plain gRPC; undefined leaves the stream to
 * grpc-js untouched (nothing read, nothing sent).
 */
export function serveFastStream(
  h2: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  route: StreamRoute | undefined,
  hardLimitBytes: number,
): ServedStream | undefined {
  if (route === undefined) return undefined
  if (!isPlainGrpc(headers)) return undefined

  let engine: PullableStream<unknown, unknown> | undefined
  let finished = false
  let headersSent = false
  let flushQueued = false
  let awaitingDrain = false
  let deadline: NodeJS.Timeout | undefined
  let settle: () => void = () => undefined
  const done = new Promise<void>((resolve) => (settle = resolve))

  /** Ends the call with `status` (once), and the engine's stream with it. */
  /** The call is over, however it ended: the engine's stream closes and `done` settles. */
  const end = () => {
    finished = true
    if (deadline !== undefined) clearTimeout(deadline)
    engine?.onReadable(undefined)
    engine?.close()
    settle()
  }

  const finish = (status: {code: number; details: string}) => {
    if (finished) return
    end()
    if (h2.destroyed || h2.closed) return
    const trailers = statusTrailers(status)
    // The client closes its side once it has the status (grpc-js leaves that to it too).
    if (headersSent) {
      h2.once('wantTrailers', () => h2.sendTrailers(trailers))
      h2.end()
    } else {
      // a trailers-only response, as grpc-js sends for a call that ends before any message
      h2.respond({...baseHeaders, ...trailers}, trailersOnly)
    }
    h2.resume() // anything the client still sends is read and dropped
  }

  const flush = () => {
    flushQueued = false
    while (!finished && engine !== undefined) {
      const frames: Buffer[] = []
      let bytes = 0
      for (let response = engine.tryNext(); response !== undefined; response = engine.tryNext()) {
        let framed: Buffer
        try {
          framed = route.frame(response)
        } catch {
          return finish({code: GrpcStatus.internal, details: 'Error serializing response'})
        }
        frames.push(framed)
        bytes += framed.length
        if (bytes >= maxWriteBytes) break
      }
      if (frames.length === 0) {
        const ended = engine.ending()
        if (ended !== undefined) finish(ended.error === undefined ? okStatus : route.statusOf(ended.error))
        return
      }
      if (h2.destroyed || h2.closed) return
      if (!headersSent) {
        headersSent = true
        h2.respond(baseHeaders, awaitingTrailers)
      }
      if (!h2.write(frames.length === 1 ? frames[0] : Buffer.concat(frames, bytes))) {
        awaitingDrain = true
        h2.once('drain', () => {
          awaitingDrain = false
          flush()
        })
        return
      }
    }
  }
  const readable = () => {
    if (flushQueued || awaitingDrain || finished) return
    flushQueued = true
    if (route.afterAnswers === true) writeAfterAnswers(flush)
    else queueMicrotask(flush)
  }

  h2.on('error', () => undefined)
  h2.once('close', () => {
    // closed before it ended: the caller cancelled or hung up
    if (!finished) end()
  })

  const timeout = headers['grpc-timeout']
  if (typeof timeout === 'string') {
    const timeoutMs = grpcTimeoutMs(timeout)
    if (timeoutMs === undefined) {
      finish({code: GrpcStatus.internal, details: `Invalid grpc-timeout value "${timeout}"`})
      return {stop: () => undefined, done}
    }
    deadline = setTimeout(() => finish({code: GrpcStatus.deadlineExceeded, details: 'Deadline exceeded'}), timeoutMs)
  }

  const token = headers.token ?? headers.authorization
  try {
    engine = route.open(typeof token === 'string' ? token : Array.isArray(token) ? token[0] : undefined)
  } catch (error) {
    finish(route.statusOf(error))
    return {stop: () => undefined, done}
  }
  engine.onReadable(readable)
  readable()

  let pending: Buffer | undefined
  h2.on('data', (chunk: Buffer) => {
    if (finished) return
    let buffer = pending === undefined ? chunk : Buffer.concat([pending, chunk])
    pending = undefined
    while (buffer.length >= PREFIX_BYTES) {
      const length = buffer.readUInt32BE(1)
      // grpc-js refuses a message past its receive limit as soon as the length prefix shows it
      if (length > hardLimitBytes) return finish({code: GrpcStatus.resourceExhausted, details: `Received message larger than max (${length} vs ${hardLimitBytes})`})
      if (buffer.length < PREFIX_BYTES + length) break
      if (buffer[0] !== 0) return finish({code: GrpcStatus.internal, details: 'Received a compressed message without a grpc-encoding'})
      const message = route.decode(buffer.subarray(PREFIX_BYTES, PREFIX_BYTES + length))
      buffer = buffer.subarray(PREFIX_BYTES + length)
      const refusal = route.refuse(message)
      if (refusal !== undefined) return finish(refusal)
      try {
        engine!.send(message as never)
      } catch (error) {
        return finish(toStatusError(error))
      }
      if (finished) return
    }
    if (buffer.length > 0) pending = buffer
  })
  h2.once('end', () => {
    if (route.endOnHalfClose && !finished) engine!.close()
  })

  return {
    stop: () => finish(toStatusError(Errors.stopped())),
    done,
  }
}
