// A watchable store in a temp dir, with write shorthands and stream readers, for the watch tests.
import fs from 'node:fs'
import type {InternalRequest} from '../../../src/api/proto/internal.js'
import {Event_EventType, type Event} from '../../../src/api/proto/kv.js'
import type {ResponseHeader, WatchCreateRequest, WatchResponse} from '../../../src/api/proto/rpc.js'
import type {ApplyResult} from '../../../src/engine/mvcc/kv.js'
import {openKvStore, type KvStoreOptions, type MvccStore} from '../../../src/engine/mvcc/store.js'
import {WatchableStore, type WatchableStoreOptions} from '../../../src/engine/mvcc/watchable-store.js'
import {ServerWatchStream, type WatchStreamOptions} from '../../../src/engine/mvcc/watch-stream.js'
import {b, delReq, internal, putReq, tempDir} from './helpers.js'

export function testHeader(revision: number): ResponseHeader {
  return {clusterId: 11n, memberId: 22n, revision: BigInt(revision), raftTerm: 1n}
}

export class WatchHarness {
  private nextIndex = 1n
  private readonly streams: ServerWatchStream[] = []

  private constructor(
    readonly inner: MvccStore,
    readonly store: WatchableStore,
    readonly dir: string,
  ) {}

  static open(opts: WatchableStoreOptions = {}, kvOpts: KvStoreOptions = {}): WatchHarness {
    const dir = tempDir('watch-test-')
    const inner = openKvStore(dir, kvOpts)
    return new WatchHarness(inner, new WatchableStore(inner, opts), dir)
  }

  /** Applies the requests as one batch (one backend transaction, one notify). */
  apply(...requests: InternalRequest[]): ApplyResult[] {
    const entries = requests.map((request) => ({index: this.nextIndex++, request}))
    return this.store.applyBatch(entries)
  }

  /** Continues the log after the store's consistent index (after a restore from another store). */
  continueLog(): void {
    this.nextIndex = this.store.consistentIndex + 1n
  }

  put(key: string, value: string): number {
    const [result] = this.apply(internal({put: putReq(key, value)}))
    if (!result!.ok) throw result!.error
    return this.store.currentRevision
  }

  del(key: string, end = ''): number {
    const [result] = this.apply(internal({deleteRange: delReq(key, end)}))
    if (!result!.ok) throw result!.error
    return this.store.currentRevision
  }

  compact(revision: number): void {
    const [result] = this.apply(internal({compaction: {revision: BigInt(revision), physical: false}}))
    if (!result!.ok) throw result!.error
  }

  stream(opts: Partial<WatchStreamOptions> = {}): ServerWatchStream {
    const stream = new ServerWatchStream(this.store, {header: testHeader, ...opts})
    this.streams.push(stream)
    return stream
  }

  /**
   * Lets the catch-up loop run until no watcher is behind, or `rounds` event-loop turns passed
   * (a watcher whose reader does not read stays behind).
   */
  async settle(rounds = 200): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      const counts = this.store.watcherCounts()
      if (counts.unsynced === 0 && counts.victims === 0) return
    }
  }

  async destroy(): Promise<void> {
    for (const stream of this.streams) stream.close()
    await this.store.close()
    fs.rmSync(this.dir, {recursive: true, force: true})
  }
}

export function create(fields: Partial<WatchCreateRequest>): {createRequest: WatchCreateRequest} {
  return {
    createRequest: {
      key: Buffer.alloc(0),
      rangeEnd: Buffer.alloc(0),
      startRevision: 0n,
      progressNotify: false,
      filters: [],
      prevKv: false,
      watchId: 0n,
      fragment: false,
      ...fields,
    },
  }
}

export {b}

/** Every response already waiting on the stream. */
export function drain(stream: ServerWatchStream): WatchResponse[] {
  const out: WatchResponse[] = []
  for (let r = stream.tryNext(); r !== undefined; r = stream.tryNext()) out.push(r)
  return out
}

/** An event as a short string: "PUT key=value@mod" or "DELETE key@mod". */
export function show(ev: Event): string {
  const kv = ev.kv!
  const key = kv.key.toString('latin1')
  if (ev.type === Event_EventType.DELETE) return `DELETE ${key}@${kv.modRevision}`
  return `PUT ${key}=${kv.value.toString('latin1')}@${kv.modRevision}`
}

/** The events of the responses as short strings. */
export function events(responses: WatchResponse[]): string[] {
  return responses.flatMap((r) => r.events.map(show))
}
