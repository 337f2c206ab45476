// The watchable store (etcd's watchableStore): the MVCC store plus its watchers.
//
// It wraps the store as a KvStore, so the member applies entries through it unchanged. Events
// are produced in one place: the store's write path records the changes of each entry
// (ApplyResult.events, one revision per entry), and once applyBatch has committed the backend
// transaction, `notify` hands them to the watchers in one pass.
//
// Watchers live in one of three places:
// - synced: up to date. The watchers of a changed key are found through a WatcherGroup (key map
//   plus interval tree), never by scanning every watcher. Each gets one response per batch
//   holding all its events of that batch, so a revision is never split across responses.
// - unsynced: behind (created at a past revision, or caught up after being a victim). The
//   catch-up loop reads history from the backend in bounded chunks of whole revisions, shared
//   by up to maxWatchersPerCatchUp watchers a step, and moves a watcher to synced once it has
//   everything up to the current revision. A watcher needing a compacted revision is cancelled.
// - victims: a synced watcher whose buffer was full when a batch came. It keeps that batch's
//   events (so nothing is lost, whatever compaction does meanwhile) and leaves the synced group,
//   so a slow reader never holds up a writer; the loop delivers the held events when the
//   reader has made room, then the watcher continues as unsynced.
//
// Everything runs on the one JS thread: notify and each catch-up step are synchronous, so a
// watcher moves from unsynced to synced between two writes, with no gap and no duplicate.
import assert from 'node:assert/strict'
import {EtcdError} from '../../api/errors.js'
import {Event_EventType, type Event, type KeyValue} from '../../api/proto/kv.js'
import {type AlarmMember, RangeRequest, type RangeResponse} from '../../api/proto/rpc.js'
import type {ApplyEntry, ApplyResult, CopyWithKeyIndex, HashKV, KvStore} from './kv.js'
import type {HistorySource} from './watch-history.js'
import {Watcher, type WatcherOptions, type WatchSink} from './watcher.js'
import {WatcherGroup} from './watcher-group.js'

export interface WatchableStoreOptions {
  /** Revisions read from history per catch-up step (etcd's watchBatchMaxRevs). */
  catchUpChunkRevisions?: number
  /** Bytes of keys and values read from history per catch-up step (at least one revision is). */
  catchUpChunkBytes?: number
  /** Unsynced watchers served per catch-up step (etcd's maxWatchersPerSync). */
  maxWatchersPerCatchUp?: number
}

const DEFAULTS: Required<WatchableStoreOptions> = {
  catchUpChunkRevisions: 1000,
  catchUpChunkBytes: 4 * 1024 * 1024,
  maxWatchersPerCatchUp: 512,
}

/** The events of one notify or catch-up step as watchers with prev_kv get them, by the event without. */
type PrevKvCache = Map<Event, Event>

/** What the watchable store wraps: a KV store that can also read its past changes back. */
export type HistoricalKvStore = KvStore & HistorySource

/** Counts of watchers by state, for tests and metrics. */
export interface WatcherCounts {
  synced: number
  unsynced: number
  victims: number
}

export class WatchableStore implements KvStore {
  private readonly synced = new WatcherGroup()
  private readonly unsynced = new Set<Watcher>()
  private readonly victims = new Set<Watcher>()
  private readonly closeListeners = new Set<() => void>()
  private readonly opts: Required<WatchableStoreOptions>
  private catchUpScheduled = false
  private closed = false

  constructor(
    readonly inner: HistoricalKvStore,
    opts: WatchableStoreOptions = {},
  ) {
    this.opts = {...DEFAULTS, ...opts}
    assert.ok(this.opts.catchUpChunkRevisions >= 1 && this.opts.maxWatchersPerCatchUp >= 1)
  }

  // ---- KvStore, delegated ----

  get currentRevision(): number {
    return this.inner.currentRevision
  }

  get compactRevision(): number {
    return this.inner.compactRevision
  }

  get consistentIndex(): bigint {
    return this.inner.consistentIndex
  }

  range(req: RangeRequest): RangeResponse {
    return this.inner.range(req)
  }

  hashKV(revision: number): HashKV {
    return this.inner.hashKV(revision)
  }

  flushed(): Promise<void> {
    return this.inner.flushed()
  }

  dbSizeBytes(): number {
    return this.inner.dbSizeBytes()
  }

  alarms(): AlarmMember[] {
    return this.inner.alarms()
  }

  dbSizeInUseBytes(): number {
    return this.inner.dbSizeInUseBytes()
  }

  hash(): number {
    return this.inner.hash()
  }

  copyBackendTo(file: string): Promise<void> {
    return this.inner.copyBackendTo(file)
  }

  get restoredFrom(): {from: 'checkpoint'} | {from: 'scan'; reason: string} {
    return this.inner.restoredFrom
  }

  copyBackendWithKeyIndexTo(file: string): Promise<CopyWithKeyIndex> {
    return this.inner.copyBackendWithKeyIndexTo(file)
  }

  defragment(): Promise<void> {
    return this.inner.defragment()
  }

  /**
   * Replaces the store with a backend file (a snapshot from the leader), then, as etcd's
   * watchable store Restore, moves every synced watcher that the new store has passed to the
   * unsynced group: the catch-up loop gives it what changed from the new store's history, or
   * cancels it as compacted when that history no longer reaches back to it.
   */
  async restoreFrom(file: string): Promise<void> {
    await this.inner.restoreFrom(file)
    const current = this.inner.currentRevision
    for (const w of [...this.synced]) {
      if (w.minRev > current) continue
      this.synced.delete(w)
      w.state = 'unsynced'
      this.unsynced.add(w)
    }
    this.cancelCompacted()
    this.scheduleCatchUp()
  }

  /** Applies the batch (one backend transaction), then hands its changes to the watchers. */
  applyBatch(entries: ApplyEntry[]): ApplyResult[] {
    const compactedBefore = this.inner.compactRevision
    const results = this.inner.applyBatch(entries)
    if (!this.closed) {
      this.notify(results)
      if (this.inner.compactRevision !== compactedBefore) this.cancelCompacted()
    }
    return results
  }

  /** Ends every watch stream (they fail with `server stopped`), then closes the store. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true
      for (const w of this.synced) w.state = 'gone'
      for (const w of this.unsynced) w.state = 'gone'
      for (const w of this.victims) w.state = 'gone'
      this.unsynced.clear()
      this.victims.clear()
      for (const listener of [...this.closeListeners]) listener()
      this.closeListeners.clear()
    }
    await this.inner.close()
  }

  // ---- watchers ----

  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Starts a watcher. Its first response may come at once (synchronously, from a later write)
   * or from the catch-up loop; `sink` must be ready for it.
   */
  watch(id: bigint, options: WatcherOptions, sink: WatchSink): Watcher {
    assert.ok(!this.closed, 'watch on a closed store')
    assert.ok(options.startRevision >= 1, 'a watcher starts at revision 1 or later')
    const w = new Watcher(id, options, sink)
    if (options.startRevision > this.inner.currentRevision) {
      // Nothing to replay (a future start waits in the synced group for its revision).
      w.state = 'synced'
      this.synced.add(w)
    } else {
      this.unsynced.add(w)
      this.scheduleCatchUp()
    }
    return w
  }

  /** Stops a watcher; it gets nothing more (a no-op for one already gone). */
  cancel(w: Watcher): void {
    switch (w.state) {
      case 'synced':
        this.synced.delete(w)
        break
      case 'unsynced':
        this.unsynced.delete(w)
        break
      case 'victim':
        this.victims.delete(w)
        w.pending = undefined
        break
      case 'gone':
        return
    }
    w.state = 'gone'
  }

  /** True once the watcher has been given every event up to the current revision. */
  isSynced(w: Watcher): boolean {
    return w.state === 'synced'
  }

  /** A sink made room: watchers waiting on it may catch up now. */
  resume(): void {
    this.scheduleCatchUp()
  }

  /** Registers a listener called once when the store closes; returns its removal. */
  onClose(listener: () => void): () => void {
    assert.ok(!this.closed, 'store is closed')
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  watcherCounts(): WatcherCounts {
    return {synced: this.synced.size, unsynced: this.unsynced.size, victims: this.victims.size}
  }

  // ---- notify: the end of every write ----

  private notify(results: ApplyResult[]): void {
    if (this.synced.size === 0) return
    const batches = new Map<Watcher, Event[]>()
    for (const result of results) {
      if (!result.ok || result.events === undefined) continue
      for (const ev of result.events) this.route(this.synced, ev, batches)
    }
    if (batches.size === 0) return
    const revision = this.inner.currentRevision
    const prevKvs: PrevKvCache = new Map()
    for (const [w, events] of batches) {
      // Whatever happens below, this watcher has been dealt everything up to `revision`.
      w.minRev = revision + 1
      const out = this.prepare(w, events, prevKvs)
      if (out.length === 0 || w.sink.offer(w, out, revision)) continue
      this.synced.delete(w)
      w.state = 'victim'
      w.pending = {events: out, revision}
      this.victims.add(w)
      this.scheduleCatchUp()
    }
  }

  /** Adds `ev` to the batch of every watcher of `group` that wants its key and revision. */
  private route(group: WatcherGroup, ev: Event, batches: Map<Watcher, Event[]>): void {
    const kv = ev.kv
    assert.ok(kv !== undefined, 'an event without a kv')
    const rev = Number(kv.modRevision)
    group.forKey(kv.key.toString('latin1'), (w) => {
      if (rev < w.minRev) return
      const batch = batches.get(w)
      if (batch === undefined) batches.set(w, [ev])
      else batch.push(ev)
    })
  }

  /** The watcher's view of its events: filters applied, prev_kv filled if it asked. */
  private prepare(w: Watcher, events: Event[], prevKvs: PrevKvCache): Event[] {
    const {noPut, noDelete, prevKv} = w.options
    let out = events
    if (noPut || noDelete) {
      out = out.filter((ev) => (ev.type === Event_EventType.PUT ? !noPut : !noDelete))
    }
    if (prevKv) out = out.map((ev) => this.withPrevKv(ev, prevKvs))
    return out
  }

  /**
   * The event with its prev_kv filled: one object per event however many watchers asked, so a
   * transport that keeps an event's encoding (net/grpc/watch-frame.ts) encodes it once.
   */
  private withPrevKv(ev: Event, cache: PrevKvCache): Event {
    let filled = cache.get(ev)
    if (filled === undefined) {
      filled = {type: ev.type, kv: ev.kv, prevKv: this.prevKvOf(ev)}
      cache.set(ev, filled)
    }
    return filled
  }

  /**
   * The key as it was just before the event (etcd's watch server reads it the same way, at
   * mod_revision - 1). Missing if the key did not exist then, or if that revision has been
   * compacted since (etcd leaves it out then too).
   */
  private prevKvOf(ev: Event): KeyValue | undefined {
    const kv = ev.kv!
    let prev: KeyValue | undefined
    // A put that created the key has no previous version.
    if (!(ev.type === Event_EventType.PUT && kv.createRevision === kv.modRevision)) {
      try {
        prev = this.inner.range(RangeRequest.fromPartial({key: kv.key, revision: kv.modRevision - 1n})).kvs[0]
      } catch (error) {
        if (!(error instanceof EtcdError)) throw error
      }
    }
    return prev
  }

  // ---- compaction ----

  /** Cancels every unsynced watcher that needs a revision below the compaction (etcd's chooseAll). */
  private cancelCompacted(): void {
    const compactRev = this.inner.compactRevision
    for (const w of this.unsynced) {
      if (w.minRev >= compactRev) continue
      this.unsynced.delete(w)
      w.state = 'gone'
      w.sink.compacted(w, compactRev)
    }
  }

  // ---- the catch-up loop ----

  private scheduleCatchUp(): void {
    if (this.catchUpScheduled || this.closed) return
    if (this.unsynced.size === 0 && this.victims.size === 0) return
    this.catchUpScheduled = true
    setImmediate(() => {
      this.catchUpScheduled = false
      if (!this.closed) this.catchUpStep()
    })
  }

  /** One bounded step; schedules the next while some waiting watcher can take more. */
  private catchUpStep(): void {
    this.deliverVictims()
    this.cancelCompacted()
    const chosen: Watcher[] = []
    for (const w of this.unsynced) {
      if (chosen.length >= this.opts.maxWatchersPerCatchUp) break
      if (w.sink.hasRoom(w)) chosen.push(w)
    }
    if (chosen.length > 0) this.replay(chosen)
    // Watchers whose readers are not reading wait for resume() instead of spinning here.
    if (this.hasReadyWatcher()) this.scheduleCatchUp()
  }

  private hasReadyWatcher(): boolean {
    for (const w of this.victims) if (w.sink.hasRoom(w)) return true
    for (const w of this.unsynced) if (w.sink.hasRoom(w)) return true
    return false
  }

  private deliverVictims(): void {
    for (const w of this.victims) {
      const pending = w.pending
      assert.ok(pending !== undefined, 'a victim without its events')
      if (!w.sink.hasRoom(w) || !w.sink.offer(w, pending.events, pending.revision)) continue
      this.victims.delete(w)
      w.pending = undefined
      if (w.minRev > this.inner.currentRevision) this.markSynced(w)
      else {
        w.state = 'unsynced'
        this.unsynced.add(w)
      }
    }
  }

  private markSynced(w: Watcher): void {
    w.state = 'synced'
    this.synced.add(w)
    w.sink.synced(w)
  }

  /** Replays one chunk of history, from the lowest revision the chosen watchers need. */
  private replay(chosen: Watcher[]): void {
    const current = this.inner.currentRevision
    let from = Number.MAX_SAFE_INTEGER
    for (const w of chosen) from = Math.min(from, w.minRev)
    // An unsynced watcher always needs a revision the store has: it is moved to synced as soon
    // as its minRev passes the current revision.
    assert.ok(from <= current, `an unsynced watcher at ${from} beyond the current revision ${current}`)
    const to = Math.min(current, from + this.opts.catchUpChunkRevisions - 1)
    const chunk = this.inner.readChanges(from, to, this.opts.catchUpChunkBytes)
    const group = new WatcherGroup()
    for (const w of chosen) group.add(w)
    const batches = new Map<Watcher, Event[]>()
    const compactRev = this.inner.compactRevision
    for (const ev of chunk.events) {
      // A compaction drops a delete made at its own revision from the backend (etcd's keyIndex
      // keeps no tombstone that ends a generation), so a watcher starting exactly at the
      // compaction revision may or may not find it there, depending on how far the physical
      // compaction went. Never replaying it makes the answer not depend on timing; etcd gives
      // the same answer once its compaction has finished.
      if (ev.type === Event_EventType.DELETE && Number(ev.kv!.modRevision) === compactRev) continue
      this.route(group, ev, batches)
    }
    const prevKvs: PrevKvCache = new Map()
    for (const w of chosen) {
      if (w.minRev > chunk.throughRev) continue
      const events = batches.get(w)
      const out = events === undefined ? [] : this.prepare(w, events, prevKvs)
      if (out.length > 0 && !w.sink.offer(w, out, current)) continue
      w.minRev = chunk.throughRev + 1
      if (w.minRev > current) {
        this.unsynced.delete(w)
        this.markSynced(w)
      }
    }
  }
}
