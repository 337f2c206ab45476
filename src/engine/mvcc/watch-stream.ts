// One watch stream, server side (etcd's serverWatchStream): the WatchStream a client sends
// WatchRequests on and reads WatchResponses from, over the watchable store.
//
// - Watch ids are per stream, assigned from 0 up (skipping ids in use) unless the create
//   request names one. A create is answered `created: true` before any event of its watcher.
// - Responses wait in one FIFO queue until the reader takes them; each watcher may have at
//   most maxBufferedResponses / maxBufferedBytes of its own there. When a watcher's share is
//   full the store stops handing it events (it catches up later from history), so a reader
//   that never reads costs a bounded amount of memory and never slows a writer.
// - Because the queue is FIFO and the store delivers synchronously, a progress answer queued
//   when every watcher is synced comes after every event up to its revision (etcd 3.5's rule,
//   see `progress`).
// - A watcher created with `fragment` has a response larger than maxRequestBytes split when
//   read, as etcd's sendFragments does.
import assert from 'node:assert/strict'
import {ErrorMessage, Errors, Limits} from '../../api/errors.js'
import {Event, type KeyValue} from '../../api/proto/kv.js'
import {
  WatchCreateRequest_FilterType,
  WatchRequest,
  WatchResponse,
  type ResponseHeader,
  type WatchCancelRequest,
  type WatchCreateRequest,
} from '../../api/proto/rpc.js'
import {varintSize} from '../../api/varint.js'
import type {PullableStream, Req} from '../../client/etcd/client.js'
import {KEY_INFINITY} from './interval-tree.js'
import type {WatchableStore} from './watchable-store.js'
import type {Watcher, WatchSink} from './watcher.js'

/** etcd's mvcc errors, as its watch server puts them in cancel_reason. */
export const WatchCancelReason = {
  emptyRange: 'mvcc: watcher range is empty',
  duplicateId: 'mvcc: duplicate watch ID provided on the WatchStream',
  /** Ours: etcd has no limit on watchers per stream. */
  tooManyWatchers: 'etcdserver: too many watchers on one watch stream',
} as const

/** The watch id of responses that speak for the whole stream (etcd's clientv3.InvalidWatchID). */
export const STREAM_WATCH_ID = -1n

/** Timers for progress notifications, injectable so tests need not wait ten minutes. */
export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

const realTimers: IntervalTimers = {
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms)
    // A progress ticker alone must not keep the process alive.
    handle.unref()
    return handle
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
}

export interface WatchStreamOptions {
  /** The header of a response at `revision` (cluster and member ids, raft term). */
  header(revision: number): ResponseHeader
  /** Responses of a watcher created with `fragment` are split above this size (etcd's --max-request-bytes). */
  maxRequestBytes?: number
  /** Period of progress notifications for watchers created with progress_notify (etcd: 10 minutes). */
  progressNotifyIntervalMs?: number
  timers?: IntervalTimers
  /** Responses of one watcher waiting for the reader before the watcher must catch up later (etcd's chanBufLen). */
  maxBufferedResponses?: number
  /** Bytes of keys and values of one watcher waiting for the reader, likewise. */
  maxBufferedBytes?: number
  /** Watchers open on one stream. */
  maxWatchers?: number
}

const MAX_REVISION = BigInt(Number.MAX_SAFE_INTEGER)

const DEFAULTS = {
  maxRequestBytes: Limits.maxRequestBytes,
  progressNotifyIntervalMs: 10 * 60 * 1000,
  maxBufferedResponses: 128,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxWatchers: 100_000,
}

/** What the stream knows of one of its watchers. */
interface StreamWatcher {
  watcher: Watcher
  progressNotify: boolean
  fragment: boolean
  /** No events were queued for it since the last progress tick (etcd's progress[id]). */
  progressDue: boolean
  queuedResponses: number
  queuedBytes: number
}

interface QueuedResponse {
  response: WatchResponse
  /** The watcher whose buffer the response counts against. */
  owner: StreamWatcher | undefined
  bytes: number
}

interface Waiter {
  resolve(result: IteratorResult<WatchResponse>): void
  reject(error: Error): void
}

function kvBytes(kv: KeyValue | undefined): number {
  return kv === undefined ? 0 : kv.key.length + kv.value.length
}

/** What a response costs a watcher's buffer: its keys and values plus a little for the rest. */
function responseBytes(events: Event[]): number {
  let bytes = 64
  for (const ev of events) bytes += 32 + kvBytes(ev.kv) + kvBytes(ev.prevKv)
  return bytes
}

export class ServerWatchStream implements PullableStream<WatchRequest, WatchResponse>, WatchSink {
  private readonly byId = new Map<bigint, StreamWatcher>()
  private readonly byWatcher = new Map<Watcher, StreamWatcher>()
  private nextId = 0n
  private queue: (QueuedResponse | undefined)[] = []
  private head = 0
  /** The remaining pieces of a fragmented response being read. */
  private fragments: WatchResponse[] = []
  private readonly waiters: Waiter[] = []
  /** A transport pulling responses (tryNext) hears of each one here instead of awaiting next(). */
  private readable: (() => void) | undefined
  private ended = false
  private endError: Error | undefined
  /** A progress request is owed once every watcher is synced (etcd 3.5's deferred progress). */
  private deferredProgress = false
  private ticker: unknown
  private readonly limits: typeof DEFAULTS
  private readonly timers: IntervalTimers
  private readonly stopListening: () => void

  constructor(
    private readonly store: WatchableStore,
    private readonly opts: WatchStreamOptions,
  ) {
    if (store.isClosed) throw Errors.stopped()
    this.limits = {
      maxRequestBytes: opts.maxRequestBytes ?? DEFAULTS.maxRequestBytes,
      progressNotifyIntervalMs: opts.progressNotifyIntervalMs ?? DEFAULTS.progressNotifyIntervalMs,
      maxBufferedResponses: opts.maxBufferedResponses ?? DEFAULTS.maxBufferedResponses,
      maxBufferedBytes: opts.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      maxWatchers: opts.maxWatchers ?? DEFAULTS.maxWatchers,
    }
    assert.ok(this.limits.maxBufferedResponses >= 1 && this.limits.progressNotifyIntervalMs > 0)
    this.timers = opts.timers ?? realTimers
    this.stopListening = store.onClose(() => this.end(Errors.stopped()))
  }

  // ---- requests ----

  send(request: Req<WatchRequest>): void {
    if (this.ended) return
    const req = WatchRequest.fromPartial(request)
    if (req.createRequest !== undefined) this.create(req.createRequest)
    else if (req.cancelRequest !== undefined) this.cancel(req.cancelRequest)
    else if (req.progressRequest !== undefined) this.progress()
  }

  private create(c: WatchCreateRequest): void {
    const current = this.store.currentRevision
    const refuse = (reason: string): void =>
      this.push({...this.response(current, STREAM_WATCH_ID), created: true, canceled: true, cancelReason: reason})
    // As etcd: a negative start revision can only mean a compacted one.
    if (c.startRevision < 0n) return refuse(ErrorMessage.compacted)
    // An empty key is the smallest key, \0; a range end of \0 means every key from `key` on.
    const key = c.key.length === 0 ? '\0' : c.key.toString('latin1')
    let end: string | undefined
    if (c.rangeEnd.length === 1 && c.rangeEnd[0] === 0) end = KEY_INFINITY
    else if (c.rangeEnd.length > 0) end = c.rangeEnd.toString('latin1')
    if (end !== undefined && key >= end) return refuse(WatchCancelReason.emptyRange)
    if (c.watchId !== 0n && this.byId.has(c.watchId)) return refuse(WatchCancelReason.duplicateId)
    if (this.byId.size >= this.limits.maxWatchers) return refuse(WatchCancelReason.tooManyWatchers)
    let id = c.watchId
    if (id === 0n) {
      while (this.byId.has(this.nextId)) this.nextId++
      id = this.nextId++
    }
    this.push({...this.response(current, id), created: true})
    const startRevision =
      c.startRevision === 0n ? current + 1 : Number(c.startRevision > MAX_REVISION ? MAX_REVISION : c.startRevision)
    const watcher = this.store.watch(
      id,
      {
        key,
        end,
        startRevision,
        noPut: c.filters.includes(WatchCreateRequest_FilterType.NOPUT),
        noDelete: c.filters.includes(WatchCreateRequest_FilterType.NODELETE),
        prevKv: c.prevKv,
      },
      this,
    )
    const sw: StreamWatcher = {
      watcher,
      progressNotify: c.progressNotify,
      fragment: c.fragment,
      progressDue: true,
      queuedResponses: 0,
      queuedBytes: 0,
    }
    this.byId.set(id, sw)
    this.byWatcher.set(watcher, sw)
    if (c.progressNotify && this.ticker === undefined) {
      this.ticker = this.timers.setInterval(() => this.progressTick(), this.limits.progressNotifyIntervalMs)
    }
  }

  private cancel(c: WatchCancelRequest): void {
    const sw = this.byId.get(c.watchId)
    // etcd answers nothing for an id it does not know.
    if (sw === undefined) return
    this.store.cancel(sw.watcher)
    this.forget(sw)
    this.push({...this.response(this.store.currentRevision, c.watchId), canceled: true})
    this.settleDeferredProgress()
  }

  /**
   * A progress request (etcd 3.5.13+, fixed so the answer never overtakes an event): answered at
   * once, watch id -1 and the current revision, when every watcher of the stream is synced;
   * otherwise as soon as they all are. With no watcher at all it is answered at once, as etcd
   * 3.4 does (3.5 stays silent then, which leaves a client waiting for nothing).
   */
  private progress(): void {
    if (this.allSynced()) this.push(this.response(this.store.currentRevision, STREAM_WATCH_ID))
    else this.deferredProgress = true
  }

  private allSynced(): boolean {
    for (const sw of this.byId.values()) if (!this.store.isSynced(sw.watcher)) return false
    return true
  }

  private settleDeferredProgress(): void {
    if (!this.deferredProgress || !this.allSynced()) return
    this.deferredProgress = false
    this.push(this.response(this.store.currentRevision, STREAM_WATCH_ID))
  }

  /** etcd's progress ticker: watchers that got no events since the last tick and are synced hear the revision. */
  private progressTick(): void {
    if (this.ended) return
    for (const sw of this.byId.values()) {
      if (!sw.progressNotify) continue
      if (sw.progressDue && this.store.isSynced(sw.watcher) && this.hasRoom(sw.watcher)) {
        this.pushOwned(sw, this.response(this.store.currentRevision, sw.watcher.id), 64)
      }
      sw.progressDue = true
    }
  }

  // ---- WatchSink: what the store hands over ----

  offer(watcher: Watcher, events: Event[], revision: number): boolean {
    const sw = this.byWatcher.get(watcher)
    assert.ok(sw !== undefined, 'an offer for a watcher the stream does not have')
    if (!this.hasRoom(watcher)) return false
    this.pushOwned(sw, {...this.response(revision, watcher.id), events}, responseBytes(events))
    sw.progressDue = false
    return true
  }

  hasRoom(watcher: Watcher): boolean {
    const sw = this.byWatcher.get(watcher)
    if (sw === undefined) return false
    // An empty buffer takes any one response, however large, so a watcher always moves on.
    if (sw.queuedResponses === 0) return true
    return sw.queuedResponses < this.limits.maxBufferedResponses && sw.queuedBytes < this.limits.maxBufferedBytes
  }

  compacted(watcher: Watcher, compactRevision: number): void {
    const sw = this.byWatcher.get(watcher)
    assert.ok(sw !== undefined, 'a compaction for a watcher the stream does not have')
    this.forget(sw)
    // As etcd: the header carries no revision, only compact_revision says where history starts.
    this.push({...this.response(0, watcher.id), canceled: true, compactRevision: BigInt(compactRevision)})
    this.settleDeferredProgress()
  }

  synced(): void {
    this.settleDeferredProgress()
  }

  // ---- responses: the reading side ----

  /** The next response already waiting, if any (never waits). */
  tryNext(): WatchResponse | undefined {
    const piece = this.fragments.shift()
    if (piece !== undefined) return piece
    if (this.head === this.queue.length) return undefined
    const item = this.queue[this.head]!
    this.queue[this.head++] = undefined
    if (this.head === this.queue.length) {
      this.queue = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    const owner = item.owner
    if (owner !== undefined) {
      owner.queuedResponses--
      owner.queuedBytes -= item.bytes
      // Its watcher may have been waiting for this room to catch up.
      if (!this.store.isSynced(owner.watcher)) this.store.resume()
      if (owner.fragment) {
        const pieces = fragmentResponse(item.response, this.limits.maxRequestBytes)
        this.fragments = pieces.slice(1)
        return pieces[0]
      }
    }
    return item.response
  }

  ending(): {error: Error | undefined} | undefined {
    return this.ended ? {error: this.endError} : undefined
  }

  onReadable(listener: (() => void) | undefined): void {
    this.readable = listener
  }

  /** Responses waiting to be read (a fragmented response counts once). */
  get queuedResponses(): number {
    return this.queue.length - this.head + this.fragments.length
  }

  next(): Promise<IteratorResult<WatchResponse>> {
    const response = this.tryNext()
    if (response !== undefined) return Promise.resolve({value: response, done: false})
    if (this.ended) {
      if (this.endError !== undefined) return Promise.reject(this.endError)
      return Promise.resolve({value: undefined, done: true})
    }
    return new Promise((resolve, reject) => this.waiters.push({resolve, reject}))
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchResponse> {
    return {
      next: () => this.next(),
      return: () => {
        this.close()
        return Promise.resolve({value: undefined, done: true})
      },
    }
  }

  /** Ends the stream from the client side: its watchers stop; what is queued can still be read. */
  close(): void {
    this.end(undefined)
  }

  /** Ends the stream; with an error (the engine closed), reading fails with it once the queue is empty. */
  private end(error: Error | undefined): void {
    if (this.ended) return
    this.ended = true
    this.endError = error
    for (const sw of this.byId.values()) this.store.cancel(sw.watcher)
    this.byId.clear()
    this.byWatcher.clear()
    if (this.ticker !== undefined) this.timers.clearInterval(this.ticker)
    this.ticker = undefined
    this.stopListening()
    // Waiters exist only while nothing is queued.
    for (const waiter of this.waiters.splice(0)) {
      if (error !== undefined) waiter.reject(error)
      else waiter.resolve({value: undefined, done: true})
    }
    this.readable?.()
  }

  // ---- helpers ----

  private response(revision: number, watchId: bigint): WatchResponse {
    return {
      header: this.opts.header(revision),
      watchId,
      created: false,
      canceled: false,
      compactRevision: 0n,
      cancelReason: '',
      fragment: false,
      events: [],
    }
  }

  private forget(sw: StreamWatcher): void {
    this.byId.delete(sw.watcher.id)
    this.byWatcher.delete(sw.watcher)
  }

  /** Queues a control response (created, canceled, progress): one per request, not counted against a watcher. */
  private push(response: WatchResponse): void {
    this.enqueue({response, owner: undefined, bytes: 0})
  }

  private pushOwned(sw: StreamWatcher, response: WatchResponse, bytes: number): void {
    sw.queuedResponses++
    sw.queuedBytes += bytes
    this.enqueue({response, owner: sw, bytes})
  }

  private enqueue(item: QueuedResponse): void {
    assert.ok(!this.ended, 'a response queued on an ended stream')
    this.queue.push(item)
    const waiter = this.waiters.shift()
    if (waiter !== undefined) waiter.resolve({value: this.tryNext()!, done: false})
    else this.readable?.()
  }
}

/**
 * etcd's sendFragments: a response of at least `maxBytes` with two or more events is cut into
 * pieces of at most `maxBytes` (a single event larger than that travels alone), each marked
 * `fragment: true` but the last. Returns [response] when no cut is needed.
 */
export function fragmentResponse(response: WatchResponse, maxBytes: number): WatchResponse[] {
  const events = response.events
  if (events.length < 2 || WatchResponse.encode(response).finish().length < maxBytes) return [response]
  const base: WatchResponse = {...response, events: [], fragment: true}
  const baseBytes = WatchResponse.encode(base).finish().length
  const eventBytes = events.map((ev) => {
    const n = Event.encode(ev).finish().length
    return 1 + varintSize(n) + n
  })
  const pieces: WatchResponse[] = []
  let i = 0
  while (i < events.length) {
    const piece: WatchResponse = {...base, events: []}
    let bytes = baseBytes
    while (i < events.length) {
      if (piece.events.length > 0 && bytes + eventBytes[i]! >= maxBytes) break
      piece.events.push(events[i]!)
      bytes += eventBytes[i]!
      i++
    }
    if (i === events.length) piece.fragment = false
    pieces.push(piece)
  }
  return pieces
}
