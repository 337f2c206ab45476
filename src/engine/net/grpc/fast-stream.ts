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
import {Errors} from '../../../api/errors.js'
import {type BidiStream, isPullable, type PullableStream} from '../../../client/etcd/client.js'
import type {H2Stream} from '../h2/stream.js'
import {type StatusError, toStatusError} from './status.js'
import {grpcTimeoutMs, GrpcStatus, isPlainGrpc, PREFIX_BYTES, responseFields, statusFields, tokenOf, trailersOnlyFields} from './wire.js'

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
   * Responses are written after the unary answers of the same turn (../h2/flusher.ts): for
   * streams fed by other callers' writes (Watch), not for those answering their own requests
   * (LeaseKeepAlive).
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
export function serveFastStream(h2: H2Stream, route: StreamRoute | undefined, hardLimitBytes: number): ServedStream | undefined {
  if (route === undefined) return undefined
  const headers = h2.headers
  if (!isPlainGrpc(headers)) return undefined
  h2.deferred = route.afterAnswers === true

  let engine: PullableStream<unknown, unknown> | undefined
  let finished = false
  let headersSent = false
  let flushQueued = false
  let awaitingDrain = false
  let deadline: NodeJS.Timeout | undefined
  let settle: () => void = () => undefined
  const done = new Promise<void>((resolve) => (settle = resolve))

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
    // anything the client still sends is dropped
    if (headersSent) h2.end(statusFields(status))
    // a trailers-only response, as grpc-js sends for a call that ends before any message
    else h2.respondAndEnd(trailersOnlyFields(status))
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
      if (h2.closed) return
      if (!headersSent) {
        headersSent = true
        h2.respond(responseFields)
      }
      if (!h2.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames, bytes))) {
        awaitingDrain = true
        h2.onDrain = () => {
          awaitingDrain = false
          flush()
        }
        return
      }
    }
  }
  const readable = () => {
    if (flushQueued || awaitingDrain || finished) return
    flushQueued = true
    queueMicrotask(flush)
  }

  h2.onClose = () => {
    // closed before it ended: the caller cancelled or hung up
    if (!finished) end()
  }

  const timeout = headers['grpc-timeout']
  if (timeout !== undefined) {
    const timeoutMs = grpcTimeoutMs(timeout)
    if (timeoutMs === undefined) {
      finish({code: GrpcStatus.internal, details: `Invalid grpc-timeout value "${timeout}"`})
      return {stop: () => undefined, done}
    }
    deadline = setTimeout(() => finish({code: GrpcStatus.deadlineExceeded, details: 'Deadline exceeded'}), timeoutMs)
  }

  try {
    engine = route.open(tokenOf(headers))
  } catch (error) {
    finish(route.statusOf(error))
    return {stop: () => undefined, done}
  }
  engine.onReadable(readable)
  readable()

  let pending: Buffer | undefined
  h2.onData = (chunk: Buffer) => {
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
  }
  h2.onEnd = () => {
    if (route.endOnHalfClose && !finished) engine!.close()
  }

  return {
    stop: () => finish(toStatusError(Errors.stopped())),
    done,
  }
}
