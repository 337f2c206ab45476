// A unary answer's trailers sent in the same flush as its headers and message.
//
// Node asks for trailers ('wantTrailers') from inside nghttp2's send loop, once the last DATA
// frame is packed, and its sendTrailers() then defers the submit to setImmediate ("so we don't
// do it on nghttp2 stack"): the trailers leave in a second socket write, a turn of the event
// loop after the message — for a lone caller a few hundred microseconds more per call, and for
// every call a second write. nghttp2 itself allows nghttp2_submit_trailer() inside that very
// callback (its documentation of NGHTTP2_DATA_FLAG_NO_END_STREAM), and the trailers then go in
// the same nghttp2_session_mem_send pass as the headers and message: one write.
//
// So this does what Node's finishSendTrailers does, without the setImmediate, through the
// stream's internal handle.
//
// That alone still took two writes: nghttp2 asks for the trailers only once the stream's writable
// side is shut, and Node shuts it right after the last write (on the next tick, before the
// session's send) except on a stream that waits for trailers, where it waits for the write's
// completion, i.e. for the send of the headers and message. endBeforeTrailers() lets the early
// shutdown apply: the message, the end of data and the trailers then go in one send.
//
// The response headers take the same road (respondAwaitingTrailers), from a header list built
// once. Those internals are Node's, not a public API: they are looked up by their symbols'
// names on the first stream, and when any is missing (another Node) every call takes
// Node's respond() and sendTrailers() as before.
import {constants, type ServerHttp2Stream} from 'node:http2'
import {awaitingTrailers} from './wire.js'

/** nghttp2's NGHTTP2_NV_FLAG_NONE, as Node's mapToHeaders appends it to each value. */
const noHeaderFlags = String.fromCharCode(0)
/** Node's STREAM_FLAGS_HAS_TRAILERS (lib/internal/http2/core.js). */
const hasTrailersFlag = 0x20
/** Node's STREAM_FLAGS_HEADERS_SENT (lib/internal/http2/core.js). */
const headersSentFlag = 0x4
/** The native respond()'s option asking for trailers (exported by Node, not in its typings). */
const getTrailersOption = (constants as unknown as {STREAM_OPTION_GET_TRAILERS?: unknown}).STREAM_OPTION_GET_TRAILERS

interface StreamInternals {
  handle: symbol
  state: symbol
  maybeDestroy: symbol
  /** Refreshes the stream's idle timeout (undefined on a Node without it: respond() is used then). */
  updateTimer: symbol | undefined
}

interface NativeStreamHandle {
  trailers(list: [string, number]): number
  respond(list: [string, number], options: number): number
}

/** A header list in the form Node's native stream takes (what mapToHeaders returns). */
export function nativeHeaderList(headers: Record<string, string>): [string, number] {
  let list = ''
  let count = 0
  for (const [name, value] of Object.entries(headers)) {
    list += `${name}\0${value}\0${noHeaderFlags}`
    count++
  }
  return [list, count]
}

let internals: StreamInternals | null | undefined

function symbolNamed(target: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(target).find((symbol) => symbol.description === description)
}

function findInternals(stream: ServerHttp2Stream): StreamInternals | null {
  const handle = symbolNamed(stream, 'kHandle')
  const state = symbolNamed(stream, 'state')
  let maybeDestroy: symbol | undefined
  let updateTimer: symbol | undefined
  for (let proto = Object.getPrototypeOf(stream) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    maybeDestroy ??= symbolNamed(proto, 'kMaybeDestroy')
    updateTimer ??= symbolNamed(proto, 'kUpdateTimer')
  }
  if (handle === undefined || state === undefined || maybeDestroy === undefined) return null
  const native = (stream as unknown as Record<symbol, unknown>)[handle] as Partial<NativeStreamHandle> | undefined
  const flags = ((stream as unknown as Record<symbol, unknown>)[state] as {flags?: unknown} | undefined)?.flags
  if (typeof native?.trailers !== 'function' || typeof flags !== 'number') return null
  if (typeof native.respond !== 'function' || typeof getTrailersOption !== 'number') updateTimer = undefined
  return {handle, state, maybeDestroy, updateTimer}
}

/**
 * A unary answer's response headers, submitted to the native stream as Node's respond(headers,
 * awaitingTrailers) would, with the header list built once instead of on every call: Node's
 * respond() copies the headers into a prototype-less object and flattens them, which took ~4%
 * of a loaded server's CPU, mostly in V8's slow paths for such objects. The caller has checked
 * that the stream is open.
 */
export function respondAwaitingTrailers(stream: ServerHttp2Stream, headers: Record<string, string | number>): void {
  if (internals === undefined) internals = findInternals(stream)
  if (internals === null || internals.updateTimer === undefined) {
    stream.respond(headers, awaitingTrailers)
    return
  }
  const fields = stream as unknown as Record<symbol, unknown>
  ;(fields[internals.updateTimer] as () => void).call(stream)
  ;(fields[internals.state] as {flags: number}).flags |= headersSentFlag | hasTrailersFlag
  const ret = (fields[internals.handle] as NativeStreamHandle).respond(headerList(headers), getTrailersOption as number)
  if (ret < 0) stream.destroy(new Error(`nghttp2 refused the response headers (${ret})`))
}

let listHeaders: Record<string, string | number> | undefined
let list: [string, number] = ['', 0]

/** `headers` as a native header list, built once per headers object (without a date: etcd sends none). */
function headerList(headers: Record<string, string | number>): [string, number] {
  if (headers !== listHeaders) {
    const all: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) all[name] = String(value)
    list = nativeHeaderList(all)
    listHeaders = headers
  }
  return list
}

/**
 * Ends a stream that was answered with `waitForTrailers` with its last message, so that its
 * writable side is shut before the session sends (see above): the trailers, asked for by
 * 'wantTrailers' and sent with sendTrailersInline, then leave in the same write as the message.
 * Node sets its has-trailers flag at respond() only to hold that shutdown back (and to refuse a
 * second sendTrailers, which sendTrailersInline clears it for anyway); nghttp2 and Node's
 * native stream keep their own record of the trailers to come, and still ask for them.
 */
export function endBeforeTrailers(stream: ServerHttp2Stream, last: Buffer): void {
  if (internals === undefined) internals = findInternals(stream)
  if (internals !== null && !stream.destroyed) ((stream as unknown as Record<symbol, unknown>)[internals.state] as {flags: number}).flags &= ~hasTrailersFlag
  stream.end(last)
}

/**
 * Sends `list` (from nativeHeaderList) as the trailers of a stream whose 'wantTrailers' event
 * is being handled; `headers` is the same trailers for Node's own sendTrailers when its
 * internals are not the ones this knows.
 */
export function sendTrailersInline(stream: ServerHttp2Stream, list: [string, number], headers: Record<string, string>): void {
  if (internals === undefined) internals = findInternals(stream)
  if (internals === null) {
    stream.sendTrailers(headers)
    return
  }
  if (stream.destroyed) return
  const fields = stream as unknown as Record<symbol, unknown>
  const handle = fields[internals.handle] as NativeStreamHandle | undefined
  if (handle === undefined) return
  ;(fields[internals.state] as {flags: number}).flags &= ~hasTrailersFlag
  const ret = handle.trailers(list)
  if (ret < 0) {
    stream.destroy(new Error(`nghttp2 refused the trailers (${ret})`))
    return
  }
  markAnswered(stream)
  ;(fields[internals.maybeDestroy] as () => void).call(stream)
}

/**
 * The error a finished stream's writable side reports when it is destroyed with its last write
 * still in flight: made once, without a stack.
 */
const answeredBeforeWriteDone: Error = (() => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new Error('the stream was answered and closed before its last write completed')
  } finally {
    Error.stackTraceLimit = limit
  }
})()

/**
 * Gives a stream whose answer and trailers are all submitted a ready-made error for its writable
 * side. nghttp2 closes the stream in the same send that writes the answer, so Node destroys it
 * before the write's completion arrives; that completion then finds a destroyed stream and, unless
 * the writable side already holds an error, builds an ERR_STREAM_DESTROYED with a full stack trace
 * for callbacks nobody registered (about 5% of a loaded server's CPU). destroy() without an error
 * emits no 'error' event whatever this holds, so only the stack trace is saved.
 */
function markAnswered(stream: ServerHttp2Stream): void {
  const writable = (stream as unknown as {_writableState?: {errored: Error | null}})._writableState
  if (writable !== undefined && writable.errored === null) writable.errored = answeredBeforeWriteDone
}
