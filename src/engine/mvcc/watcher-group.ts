// A set of watchers indexed by what they watch (etcd's watcherGroup): single-key watchers in a
// map by key, range watchers in an interval tree, so the watchers of a changed key are found
// without looking at any other watcher.
import assert from 'node:assert/strict'
import {IntervalTree} from './interval-tree.js'
import type {Watcher} from './watcher.js'

export class WatcherGroup {
  private readonly all = new Set<Watcher>()
  private readonly byKey = new Map<string, Set<Watcher>>()
  private readonly ranges = new IntervalTree<Set<Watcher>>()

  get size(): number {
    return this.all.size
  }

  has(w: Watcher): boolean {
    return this.all.has(w)
  }

  add(w: Watcher): void {
    assert.ok(!this.all.has(w), 'watcher added twice to a group')
    this.all.add(w)
    if (w.end === undefined) {
      let set = this.byKey.get(w.key)
      if (set === undefined) this.byKey.set(w.key, (set = new Set()))
      set.add(w)
      return
    }
    let set = this.ranges.get(w.key, w.end)
    if (set === undefined) this.ranges.set(w.key, w.end, (set = new Set()))
    set.add(w)
  }

  /** Removes the watcher; false if it was not in the group. */
  delete(w: Watcher): boolean {
    if (!this.all.delete(w)) return false
    if (w.end === undefined) {
      const set = this.byKey.get(w.key)!
      set.delete(w)
      if (set.size === 0) this.byKey.delete(w.key)
      return true
    }
    const set = this.ranges.get(w.key, w.end)!
    set.delete(w)
    if (set.size === 0) this.ranges.delete(w.key, w.end)
    return true
  }

  /** Calls `visit` for every watcher whose range holds `key` (latin1). */
  forKey(key: string, visit: (w: Watcher) => void): void {
    const exact = this.byKey.get(key)
    if (exact !== undefined) for (const w of exact) visit(w)
    if (this.ranges.size > 0) this.ranges.stab(key, (set) => set.forEach(visit))
  }

  [Symbol.iterator](): IterableIterator<Watcher> {
    return this.all.values()
  }
}
