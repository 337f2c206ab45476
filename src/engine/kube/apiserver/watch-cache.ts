// The watch cache: one etcd watch on /registry/ feeds every Kubernetes watcher, so a thousand
// `kubectl get -w` cost the store one stream. It keeps the last `capacity` events; a watcher
// asking for an older revision gets its own etcd watch from there (etcd still has the history
// unless it was compacted, which is then 410 Gone, as kube-apiserver answers).
import {Event_EventType} from '../../../api/proto/kv.js'
import {WatchCreateRequest} from '../../../api/proto/rpc.js'
import type {EtcdClient, EtcdWatchLeaseClient, WatchStream} from '../../../client/etcd/client.js'
import {StatusError} from '../api/status.js'
import {prefixEnd, registryRoot} from './storage.js'

export interface CacheEvent {
  type: 'PUT' | 'DELETE'
  key: string
  /** The new value (PUT). */
  value?: Buffer
  /** The value before this event (absent for a create). */
  prevValue?: Buffer
  revision: bigint
  /**
   * What watchers derived from this event (decoded objects, encoded lines), shared so a
   * hundred watchers decode and encode an event once. Keys are the watchers' own.
   */
  memo?: Map<string, unknown>
}

export interface Subscription {
  cancel(): void
}

interface Subscriber {
  prefix: string
  after: bigint
  onEvent(event: CacheEvent): void
  onError(error: Error): void
}

export const tooOldResourceVersion = (asked: bigint, oldest: bigint) =>
  new StatusError(410, 'Expired', `too old resource version: ${asked} (${oldest})`)

export class WatchCache {
  private readonly events: CacheEvent[] = []
  private readonly subscribers = new Set<Subscriber>()
  private stream: WatchStream | undefined
  /** Every event after this revision is in `events` (or has not happened yet). */
  private completeAfter = 0n
  /** The newest revision seen (an event's, or the start's). */
  revision = 0n
  private closed = false
  private readonly direct = new Set<WatchStream>()

  constructor(
    private readonly etcd: EtcdClient & EtcdWatchLeaseClient,
    private readonly capacity = 10_000,
  ) {}

  async start(): Promise<void> {
    const res = await this.etcd.range({key: Buffer.from(registryRoot), rangeEnd: prefixEnd(registryRoot), countOnly: true})
    const start = res.header!.revision
    this.revision = this.completeAfter = start
    const stream = this.etcd.watch()
    this.stream = stream
    stream.send({createRequest: WatchCreateRequest.fromPartial({key: Buffer.from(registryRoot), rangeEnd: prefixEnd(registryRoot), startRevision: start + 1n, prevKv: true})})
    void this.pump(stream)
  }

  private async pump(stream: WatchStream): Promise<void> {
    try {
      for await (const response of stream) {
        if (response.canceled) throw new Error(`watch cache: etcd cancelled its watch: ${response.cancelReason || 'compacted'}`)
        for (const e of response.events) {
          const kv = e.kv!
          this.add({
            type: e.type === Event_EventType.DELETE ? 'DELETE' : 'PUT',
            key: kv.key.toString('utf8'),
            value: e.type === Event_EventType.DELETE ? undefined : kv.value,
            prevValue: e.prevKv && e.prevKv.value.length ? e.prevKv.value : undefined,
            revision: kv.modRevision,
          })
        }
      }
      if (!this.closed) throw new Error('watch cache: etcd watch ended')
    } catch (error) {
      if (this.closed) return
      // Every watcher learns its stream ended; clients re-list and watch again, as they do
      // when kube-apiserver restarts.
      for (const s of [...this.subscribers]) s.onError(error as Error)
      this.subscribers.clear()
      this.events.length = 0
      if (!this.closed) await this.restart()
    }
  }

  private async restart(): Promise<void> {
    for (let attempt = 0; attempt < 50 && !this.closed; attempt++) {
      try {
        await this.start()
        return
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }

  private add(event: CacheEvent): void {
    this.events.push(event)
    if (event.revision > this.revision) this.revision = event.revision
    if (this.events.length > this.capacity) {
      const dropped = this.events.splice(0, this.events.length - this.capacity)
      this.completeAfter = dropped[dropped.length - 1].revision
    }
    for (const s of this.subscribers) {
      if (event.revision > s.after && event.key.startsWith(s.prefix)) s.onEvent(event)
    }
  }

  /** Forgets events at or below a compacted revision: a watch from there is now 410 Gone. */
  compacted(revision: bigint): void {
    const keep = this.events.findIndex((e) => e.revision > revision)
    this.events.splice(0, keep < 0 ? this.events.length : keep)
    if (revision > this.completeAfter) this.completeAfter = revision
  }

  /**
   * Calls `onEvent` for every event under `prefix` after revision `after`, in order, old ones
   * first, until cancelled. `onError` ends the subscription (410 when `after` is compacted).
   */
  subscribe(prefix: string, after: bigint, onEvent: (e: CacheEvent) => void, onError: (e: Error) => void): Subscription {
    if (after >= this.completeAfter) {
      const sub: Subscriber = {prefix, after, onEvent, onError}
      for (const e of this.events) if (e.revision > after && e.key.startsWith(prefix)) onEvent(e)
      this.subscribers.add(sub)
      return {cancel: () => this.subscribers.delete(sub)}
    }
    return this.subscribeDirect(prefix, after, onEvent, onError)
  }

  /** A watcher older than the cache: its own etcd watch from `after + 1`. */
  private subscribeDirect(prefix: string, after: bigint, onEvent: (e: CacheEvent) => void, onError: (e: Error) => void): Subscription {
    const stream = this.etcd.watch()
    this.direct.add(stream)
    stream.send({createRequest: WatchCreateRequest.fromPartial({key: Buffer.from(prefix), rangeEnd: prefixEnd(prefix), startRevision: after + 1n, prevKv: true})})
    let cancelled = false
    void (async () => {
      try {
        for await (const response of stream) {
          if (response.canceled) {
            const compacted = response.compactRevision
            throw compacted > 0n ? tooOldResourceVersion(after, compacted) : new Error(response.cancelReason || 'watch cancelled')
          }
          for (const e of response.events) {
            const kv = e.kv!
            onEvent({
              type: e.type === Event_EventType.DELETE ? 'DELETE' : 'PUT',
              key: kv.key.toString('utf8'),
              value: e.type === Event_EventType.DELETE ? undefined : kv.value,
              prevValue: e.prevKv && e.prevKv.value.length ? e.prevKv.value : undefined,
              revision: kv.modRevision,
            })
          }
        }
      } catch (error) {
        if (!cancelled) onError(error as Error)
      } finally {
        this.direct.delete(stream)
      }
    })()
    return {
      cancel: () => {
        cancelled = true
        stream.close()
        this.direct.delete(stream)
      },
    }
  }

  close(): void {
    this.closed = true
    this.stream?.close()
    for (const s of this.direct) s.close()
    this.direct.clear()
    this.subscribers.clear()
  }
}
