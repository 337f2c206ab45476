// The in-memory key index (etcd's treeIndex): key → revision history, ordered by key bytes.
// Keys are held as latin1 ("binary") strings: one char per byte, so JS string order is byte
// order. Ranges follow etcd: end undefined = the key alone, end '' = every key >= start,
// otherwise [start, end).
import sortedBtree from 'sorted-btree'
import {
  compactEntry,
  isLive,
  keptRevisions,
  putRevision,
  revisionAt,
  tombstoneRevision,
  type FoundRevision,
  type KeyEntry,
} from './key-history.js'

// sorted-btree is CommonJS whose class is `exports.default`: under NodeNext the default import
// is the whole exports object.
const BTree = sortedBtree.default

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export class TreeIndex {
  private readonly tree = new BTree<string, KeyEntry>(undefined, compareKeys)

  get size(): number {
    return this.tree.size
  }

  put(key: string, main: number, sub: number): void {
    const entry = this.tree.get(key)
    const next = putRevision(entry, main, sub)
    if (next !== entry) this.tree.set(key, next)
  }

  /** Records a delete; false (and nothing recorded) if the key is not live. */
  tombstone(key: string, main: number, sub: number): boolean {
    const entry = this.tree.get(key)
    if (entry === undefined || !isLive(entry)) return false
    const next = tombstoneRevision(entry, main, sub)
    if (next !== entry) this.tree.set(key, next)
    return true
  }

  get(key: string, atRev: number): FoundRevision | undefined {
    const entry = this.tree.get(key)
    return entry === undefined ? undefined : revisionAt(entry, atRev)
  }

  entry(key: string): KeyEntry | undefined {
    return this.tree.get(key)
  }

  /** Calls `visit` in key order for every key of the range that existed at atRev. */
  range(start: string, end: string | undefined, atRev: number, visit: (key: string, rev: FoundRevision) => void): void {
    if (end === undefined) {
      const found = this.get(start, atRev)
      if (found !== undefined) visit(start, found)
      return
    }
    if (end !== '' && end <= start) return
    const onFound = (key: string, entry: KeyEntry): void => {
      const found = revisionAt(entry, atRev)
      if (found !== undefined) visit(key, found)
    }
    if (end === '') {
      const max = this.tree.maxKey()
      if (max !== undefined && max >= start) this.tree.forRange(start, max, true, onFound)
    } else {
      this.tree.forRange(start, end, false, onFound)
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
    if (this.tree.size === 0) return removed
    this.tree.editAll((_key, entry) => {
      if (typeof entry === 'number') return undefined
      const next = compactEntry(entry, atRev, removed)
      if (next === undefined) return {delete: true}
      return next === entry ? undefined : {value: next}
    })
    return removed
  }

  /** The revisions ("main_sub") a compaction at atRev would keep (etcd's Keep). */
  keep(atRev: number): Set<string> {
    const kept = new Set<string>()
    this.tree.forEachPair((_key, entry) => keptRevisions(entry, atRev, kept))
    return kept
  }
}
