// One Kubernetes watch: newline-delimited JSON events {type, object} fed from the watch cache,
// filtered by namespace, name and selectors (an object leaving the selection is a DELETED
// event, entering it an ADDED one, as kube-apiserver's cache reports), with bookmarks and the
// initial-events-end bookmark of sendInitialEvents.
import type {KubeStreamResponse} from '../../../client/kube/transport.js'
import {AsyncQueue} from '../../../util/async-queue.js'
import type {ResourceDef} from '../api/registry.js'
import {StatusError} from '../api/status.js'
import type {Subscription, WatchCache, CacheEvent} from './watch-cache.js'
import type {Obj} from './storage.js'

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface WatchOptions {
  def: ResourceDef
  prefix: string
  /** Whether an object (after kind/apiVersion presentation) is selected. */
  matches(obj: Obj): boolean
  /** Objects to send as ADDED first (with the revision they were read at). */
  initial?: {items: Obj[]; revision: bigint}
  /** Watch events after this revision. */
  after: bigint
  sendInitialEventsBookmark: boolean
  allowBookmarks: boolean
  timeoutMs: number
  bookmarkIntervalMs: number
  /** Turns an object into what the client asked for (itself, or a one-row Table). */
  render(obj: Obj, first: boolean): unknown
  /** Whether render makes something of its own per watcher (tables); else lines are shared. */
  rendersPerWatcher: boolean
  decode(value: Buffer, revision: bigint): Obj
  /** Most events queued for a slow reader before its watch is ended. */
  maxQueued: number
}

export function startWatch(cache: WatchCache, opts: WatchOptions, headers: Record<string, string>): KubeStreamResponse {
  const queue = new AsyncQueue<Uint8Array>()
  let first = true
  let sub: Subscription | undefined = undefined
  let done = false
  const timers: ReturnType<typeof setTimeout>[] = []

  const finish = () => {
    if (done) return
    done = true
    sub?.cancel()
    for (const t of timers) clearTimeout(t)
    queue.end()
  }
  const send = (type: WatchEventType, object: unknown) => {
    if (done) return
    if (queue.length >= opts.maxQueued) {
      // A reader this far behind is cut off; it re-lists and watches again.
      finish()
      return
    }
    queue.push(Buffer.from(JSON.stringify({type, object}) + '\n'))
  }
  const sendObj = (type: WatchEventType, obj: Obj, e?: CacheEvent) => {
    // Plain JSON watchers of one version send identical lines for an event: encode it once.
    if (e && !opts.rendersPerWatcher) {
      const memo = (e.memo ??= new Map())
      const key = `${apiVersion}|${type}|line`
      let line = memo.get(key) as Buffer | undefined
      if (!line) memo.set(key, (line = Buffer.from(JSON.stringify({type, object: obj}) + '\n')))
      if (done) return
      if (queue.length >= opts.maxQueued) return finish()
      queue.push(line)
      return
    }
    send(type, opts.render(obj, first))
    first = false
  }
  const apiVersion = opts.def.group ? `${opts.def.group}/${opts.def.version}` : opts.def.version
  const decodeShared = (e: CacheEvent, which: 'new' | 'old'): Obj | undefined => {
    const value = which === 'new' ? e.value : e.prevValue
    if (!value) return undefined
    const memo = (e.memo ??= new Map())
    const key = `${apiVersion}|${which}`
    let obj = memo.get(key) as Obj | undefined
    if (!obj) memo.set(key, (obj = opts.decode(value, e.revision)))
    return obj
  }
  const bookmark = (revision: bigint, annotations?: Record<string, string>) => {
    send('BOOKMARK', {
      kind: opts.def.kind,
      apiVersion: opts.def.group ? `${opts.def.group}/${opts.def.version}` : opts.def.version,
      metadata: {resourceVersion: String(revision), ...(annotations ? {annotations} : {})},
    })
  }

  let last = opts.after
  if (opts.initial) {
    for (const item of opts.initial.items) sendObj('ADDED', item)
    if (opts.sendInitialEventsBookmark) bookmark(opts.initial.revision, {'k8s.io/initial-events-end': 'true'})
  }

  const onEvent = (e: CacheEvent) => {
    last = e.revision
    // Shared between watchers: read-only from here on (render makes new objects).
    const newObj = decodeShared(e, 'new')
    const oldObj = decodeShared(e, 'old')
    const isNew = newObj ? opts.matches(newObj) : false
    const wasOld = oldObj ? opts.matches(oldObj) : false
    if (e.type === 'DELETE') {
      if (wasOld && oldObj) sendObj('DELETED', oldObj, e)
      return
    }
    if (isNew && wasOld) sendObj('MODIFIED', newObj!, e)
    else if (isNew) sendObj('ADDED', newObj!, e)
    else if (wasOld) sendObj('DELETED', newObj!, e)
  }
  const onError = (error: Error) => {
    const status = error instanceof StatusError ? error.toStatus() : new StatusError(500, 'InternalError', error.message).toStatus()
    send('ERROR', status)
    finish()
  }
  const subscription = cache.subscribe(opts.prefix, opts.after, onEvent, onError)
  sub = subscription
  if (done) subscription.cancel()

  timers.push(setTimeout(finish, opts.timeoutMs))
  if (opts.allowBookmarks) {
    const tick = setInterval(() => bookmark(cache.revision > last ? cache.revision : last), opts.bookmarkIntervalMs)
    tick.unref()
    timers.push(tick)
  }
  for (const t of timers) t.unref?.()

  return {
    status: 200,
    headers: {...headers, 'transfer-encoding': 'chunked'},
    body: queue,
    close: finish,
  }
}
