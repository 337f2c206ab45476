// One watcher of the watchable store (etcd's mvcc watcher): what it watches, from which
// revision, and where its responses go. The watchable store owns the state; the sink (a watch
// stream) owns the buffer the responses wait in until a client reads them.
import type {Event} from '../../api/proto/kv.js'
import {KEY_INFINITY} from './interval-tree.js'

/** What a watcher watches: one key, or the keys [key, end) (end KEY_INFINITY: every key >= key). */
export interface WatchRange {
  /** latin1 string of the key bytes. */
  key: string
  /** undefined: the key alone. */
  end: string | undefined
}

export interface WatcherOptions extends WatchRange {
  /** First revision whose events the watcher wants (never 0: the caller resolves "now"). */
  startRevision: number
  /** Skip PUT events (etcd's NOPUT filter). */
  noPut: boolean
  /** Skip DELETE events (etcd's NODELETE filter). */
  noDelete: boolean
  /** Fill each event's prev_kv: the key as it was at mod_revision - 1. */
  prevKv: boolean
}

/** Where a watcher's responses go; implemented by a watch stream. */
export interface WatchSink {
  /**
   * Takes a response of whole revisions, events in revision order, `revision` for its header.
   * False when the watcher's buffer is full: nothing was taken and the store will resend the
   * same events later (from memory or from history), so the sink must not keep any of them.
   */
  offer(watcher: Watcher, events: Event[], revision: number): boolean
  /** Whether an offer for the watcher would now be taken (the store skips catch-up work otherwise). */
  hasRoom(watcher: Watcher): boolean
  /**
   * The watcher needs revisions a compaction removed: the store has dropped it, and this is its
   * last word (etcd answers canceled with compact_revision). Always taken, whatever the buffer.
   */
  compacted(watcher: Watcher, compactRevision: number): void
  /** The watcher has received every event up to the current revision (it joined the synced group). */
  synced(watcher: Watcher): void
}

/**
 * Where a watcher stands in the watchable store:
 * - synced: up to date, gets each write's events as the write commits;
 * - unsynced: behind, the catch-up loop replays its history from minRev;
 * - victim: its buffer was full when a write's events came; it holds them until the sink takes them;
 * - gone: cancelled or compacted, gets nothing more.
 */
export type WatcherState = 'synced' | 'unsynced' | 'victim' | 'gone'

export class Watcher {
  /** Next revision to deliver: every event below it was delivered (or is held as pending). */
  minRev: number
  state: WatcherState = 'unsynced'
  /** For a victim: the events the sink refused, kept until it takes them. */
  pending: {events: Event[]; revision: number} | undefined
  readonly key: string
  readonly end: string | undefined

  constructor(
    readonly id: bigint,
    readonly options: WatcherOptions,
    readonly sink: WatchSink,
  ) {
    this.key = options.key
    this.end = options.end
    this.minRev = options.startRevision
  }

  /** Whether `key` (latin1) is in the watched range. */
  matches(key: string): boolean {
    if (this.end === undefined) return key === this.key
    return this.key <= key && (this.end === KEY_INFINITY || key < this.end)
  }
}
