// The in-memory key index (etcd's treeIndex): key → revision history, ordered by key bytes.
// Keys are held as latin1 ("binary") strings: one char per byte, so JS string order is byte
// order. Ranges follow etcd: end undefined = the key alone, end '' = every key >= start,
// otherwise [start, end).
//
// Two structures share the keys: a hash map key → history serves point lookups and updates
// (the hot path: single-key reads, puts to existing keys) in O(1), and a B+tree of the keys
// alone (no values) keeps their order for ranges; it changes only when a key is added or
// removed. On open the index is filled through `load` and the B+tree is bulk-loaded once.
//
// A frozen view (freeze()) is the index as it was at one moment, read a slice at a time while
// the index goes on changing (to encode a key-index checkpoint for a snapshot without stopping
// the event loop): the B+tree is cloned copy-on-write, and a key's history is copied aside the
// first time it changes while a view is open, so the view reads it as it was.
import assert from 'node:assert/strict'
import sortedBtree from 'sorted-btree'
import {bulkLoad} from 'sorted-btree/extended/bulkLoad.js'
import {
  compactEntry,
  isLive,
  keptRevisions,
  putRevision,
  revisionAt,
  tombstoneRevision,
  type FoundRevision,
  type KeyEntry,
  KeyHistory,
} from './key-history.js'

// sorted-btree is CommonJS whose class is `exports.default`: under NodeNext the default import
// is the whole exports object.
const BTree = sortedBtree.default

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const B_TREE_NODE_SIZE = 64

/** A key's history as it is now, safe from later changes (histories change in place). */
function copyEntry(entry: KeyEntry): KeyEntry {
  return typeof entry === 'number' ? entry : new KeyHistory(entry.generations.map((generation) => generation.slice()))
}

/** The index as it was when frozen (see the top of the file). Release it when done: until then every first change of a key copies its history. */
export class FrozenIndex {
  /** Histories of keys that changed (or went) since the view was taken, as they were then. */
  readonly saved = new Map<string, KeyEntry>()
  private readonly keys: IterableIterator<string>

  constructor(
    order: InstanceType<typeof BTree<string, undefined>>,
    private readonly entries: ReadonlyMap<string, KeyEntry>,
    private readonly onRelease: (view: FrozenIndex) => void,
  ) {
    this.keys = order.keys()
  }

  /** Visits up to `limit` more keys in order with their histories as they were; false once every key was visited. */
  next(limit: number, visit: (key: string, entry: KeyEntry) => void): boolean {
    for (let i = 0; i < limit; i++) {
      const step = this.keys.next()
      if (step.done === true) return false
      const key = step.value
      visit(key, this.saved.get(key) ?? this.entries.get(key)!)
    }
    return true
  }

  release(): void {
    this.onRelease(this)
  }
}

export class TreeIndex {
  private readonly entries = new Map<string, KeyEntry>()
  private order = new BTree<string, undefined>(undefined, compareKeys, B_TREE_NODE_SIZE)
  /** While loading, the key order is not maintained; `finishLoad` builds it. */
  private loading = false
  /** Open frozen views. */
  private readonly views = new Set<FrozenIndex>()

  /** The index as it is now, to read a slice at a time while it changes (see FrozenIndex). */
  freeze(): FrozenIndex {
    assert.ok(!this.loading, 'the key order is not built during a bulk load')
    const view = new FrozenIndex(this.order.clone(), this.entries, (v) => this.views.delete(v))
    this.views.add(view)
    return view
  }

  /** Before `key`'s history changes: every open view that has not yet copied it keeps it as it is. */
  private preserve(key: string, entry: KeyEntry): void {
    for (const view of this.views) if (!view.saved.has(key)) view.saved.set(key, copyEntry(entry))
  }

  get size(): number {
    return this.entries.size
  }

  /** Starts a bulk load into an empty index: puts and tombstones skip the ordered tree. */
  startLoad(): void {
    if (this.entries.size !== 0) throw new Error('bulk load into a non-empty index')
    this.loading = true
  }

  /** Ends a bulk load: sorts the keys once and builds the ordered tree from them. */
  finishLoad(): void {
    const keys = [...this.entries.keys()].sort()
    this.order = bulkLoad<string, undefined>(keys, new Array<undefined>(keys.length), B_TREE_NODE_SIZE, compareKeys)
    this.loading = false
  }

  /**
   * Fills an empty index from keys in strictly increasing order and their histories (a
   * checkpoint): no sort, and the ordered tree is bulk-loaded at once. Takes ownership of the arrays.
   */
  loadSorted(keys: string[], entries: KeyEntry[]): void {
    if (this.entries.size !== 0 || this.loading) throw new Error('sorted load into a non-empty index')
    assert.equal(keys.length, entries.length)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      assert.ok(i === 0 || keys[i - 1]! < key, 'keys of a sorted load are in strictly increasing order')
      this.entries.set(key, entries[i]!)
    }
    this.order = bulkLoad<string, undefined>(keys, new Array<undefined>(keys.length), B_TREE_NODE_SIZE, compareKeys)
  }

  /** Visits every key with its history (deleted keys too, until compacted away), in key order. */
  forEachEntry(visit: (key: string, entry: KeyEntry) => void): void {
    assert.ok(!this.loading, 'the key order is not built during a bulk load')
    this.order.forEachPair((key) => {
      visit(key, this.entries.get(key)!)
    })
  }

  private set(key: string, previous: KeyEntry | undefined, next: KeyEntry): void {
    if (next === previous) return
    this.entries.set(key, next)
    if (previous === undefined && !this.loading) this.order.set(key, undefined)
  }

  put(key: string, main: number, sub: number): void {
    const entry = this.entries.get(key)
    if (this.views.size !== 0 && entry !== undefined) this.preserve(key, entry)
    this.set(key, entry, putRevision(entry, main, sub))
  }

  /** Records a delete; false (and nothing recorded) if the key is not live. */
  tombstone(key: string, main: number, sub: number): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined || !isLive(entry)) return false
    if (this.views.size !== 0) this.preserve(key, entry)
    this.set(key, entry, tombstoneRevision(entry, main, sub))
    return true
  }

  get(key: string, atRev: number): FoundRevision | undefined {
    const entry = this.entries.get(key)
    return entry === undefined ? undefined : revisionAt(entry, atRev)
  }

  entry(key: string): KeyEntry | undefined {
    return this.entries.get(key)
  }

  /** Calls `visit` in key order for every key of the range that existed at atRev. */
  range(start: string, end: string | undefined, atRev: number, visit: (key: string, rev: FoundRevision) => void): void {
    if (end === undefined) {
      const found = this.get(start, atRev)
      if (found !== undefined) visit(start, found)
      return
    }
    if (end !== '' && end <= start) return
    const onFound = (key: string): void => {
      const found = revisionAt(this.entries.get(key)!, atRev)
      if (found !== undefined) visit(key, found)
    }
    if (end === '') {
      const max = this.order.maxKey()
      if (max !== undefined && max >= start) this.order.forRange(start, max, true, onFound)
    } else {
      this.order.forRange(start, end, false, onFound)
    }
  }

  /** Every key of the range that is live now (for deletes), in key order. */
  liveKeys(start: string, end: string | undefined): string[] {
    const keys: string[] = []
    // At a revision past every change, only keys whose current generation is live are found.
    this.range(start, end, Number.MAX_SAFE_INTEGER, (key) => keys.push(key))
    return keys
  }

  /**
   * Compacts every key's history at atRev; returns the dropped revisions as
   * (main, sub, tombstone 0/1) triples, for the backend to delete.
   */
  compact(atRev: number): number[] {
    const removed: number[] = []
    for (const [key, entry] of this.entries) {
      if (typeof entry === 'number') continue
      if (this.views.size !== 0) this.preserve(key, entry)
      const next = compactEntry(entry, atRev, removed)
      if (next === undefined) {
        this.entries.delete(key)
        this.order.delete(key)
      } else if (next !== entry) {
        this.entries.set(key, next)
      }
    }
    return removed
  }

  /** The revisions ("main_sub") a compaction at atRev would keep (etcd's Keep). */
  keep(atRev: number): Set<string> {
    const kept = new Set<string>()
    for (const entry of this.entries.values()) keptRevisions(entry, atRev, kept)
    return kept
  }
}
