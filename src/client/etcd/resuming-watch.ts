// A watch stream that survives its connection: when the underlying stream fails with a
// retryable error, it opens a new one and re-creates every live watcher from the revision after
// the last one it delivered, with the same watch id — so the caller sees no gap and no
// duplicate. Used for a data dir changing holders, and for a dropped network connection.
import type {WatchCreateRequest, WatchRequest, WatchResponse} from '../../api/proto/rpc.js'
import {AsyncQueue} from '../../util/async-queue.js'
import type {Req, WatchStream} from './client.js'

interface LiveWatcher {
  create: Req<WatchCreateRequest>
  /** The revision to restart from: one past the last revision delivered (or confirmed by a header). */
  nextRevision: bigint
}

export interface ResumeOptions {
  /** Opens a fresh underlying stream (possibly on a new connection). */
  open: () => Promise<WatchStream>
  /** Whether a failure of the underlying stream may be resumed. */
  retryable: (error: unknown) => boolean
  /** Gives up resuming after this many consecutive failures. */
  maxAttempts?: number
}

export function resumingWatch(first: WatchStream, options: ResumeOptions): WatchStream {
  const responses = new AsyncQueue<WatchResponse>()
  const live = new Map<bigint, LiveWatcher>()
  /** Creates sent and not yet answered, in order: etcd answers creates in the order sent. */
  const pendingCreates: Req<WatchCreateRequest>[] = []
  /** Watch ids re-created after a resume, whose `created` answer the caller must not see again. */
  const recreated = new Set<bigint>()
  let current = first
  let closed = false

  const observe = (response: WatchResponse): boolean => {
    const id = response.watchId
    const headerRevision = response.header?.revision ?? 0n
    if (response.created) {
      const create = pendingCreates.shift() ?? {}
      if (!response.canceled && !live.has(id)) {
        const start = create.startRevision && create.startRevision > 0n ? create.startRevision : headerRevision + 1n
        live.set(id, {create: {...create, watchId: id}, nextRevision: start})
      }
      // A re-created watcher's `created` is news only if it came back cancelled (e.g. compacted).
      if (recreated.delete(id) && !response.canceled) return false
    }
    const watcher = live.get(id)
    if (watcher) {
      const last = response.events.at(-1)?.kv?.modRevision
      // A fragment's revision is not complete until its last piece: resume only from whole ones.
      if (last !== undefined && !response.fragment) watcher.nextRevision = last + 1n
      else if (last === undefined && !response.created && headerRevision + 1n > watcher.nextRevision) watcher.nextRevision = headerRevision + 1n
    }
    if (response.canceled) live.delete(id)
    return true
  }

  const pump = async (): Promise<void> => {
    let failures = 0
    while (!closed) {
      try {
        for await (const response of current) {
          failures = 0
          if (observe(response)) responses.push(response)
        }
        responses.end()
        return
      } catch (error) {
        if (closed) return
        failures++
        if (!options.retryable(error) || failures > (options.maxAttempts ?? 20)) {
          responses.fail(error as Error)
          return
        }
        try {
          current = await options.open()
        } catch (openError) {
          responses.fail(openError as Error)
          return
        }
        if (closed) return current.close()
        const again = [...pendingCreates]
        pendingCreates.length = 0
        for (const [id, watcher] of live) {
          recreated.add(id)
          pendingCreates.push(watcher.create)
          current.send({createRequest: {...watcher.create, watchId: id, startRevision: watcher.nextRevision} as WatchCreateRequest})
        }
        for (const create of again) {
          pendingCreates.push(create)
          current.send({createRequest: create as WatchCreateRequest})
        }
      }
    }
  }
  void pump()

  return {
    send(request: Req<WatchRequest>) {
      if (closed) return
      if (request.createRequest) pendingCreates.push(request.createRequest)
      if (request.cancelRequest) live.delete(request.cancelRequest.watchId ?? 0n)
      current.send(request)
    },
    close() {
      if (closed) return
      closed = true
      current.close()
      responses.end()
    },
    [Symbol.asyncIterator]: () => responses[Symbol.asyncIterator](),
  }
}
