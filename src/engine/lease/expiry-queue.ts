// The lessor's expiry notifier (etcd's LeaseExpiredNotifier): a binary min-heap of lease ids by
// the time they are next due, indexed by id so a renewal moves its entry in O(log n) instead of
// piling up stale ones. Holds at most one entry per granted lease.
import assert from 'node:assert/strict'

interface Item {
  id: bigint
  dueMs: number
}

export class ExpiryQueue {
  private readonly heap: Item[] = []
  /** id → position in heap; kept in step with every swap. */
  private readonly positions = new Map<bigint, number>()

  get size(): number {
    return this.heap.length
  }

  /** The entry due first, or undefined when empty. */
  peek(): Readonly<Item> | undefined {
    return this.heap[0]
  }

  /** Adds `id` due at dueMs, or moves it there if already queued. */
  upsert(id: bigint, dueMs: number): void {
    const at = this.positions.get(id)
    if (at === undefined) {
      this.heap.push({id, dueMs})
      this.positions.set(id, this.heap.length - 1)
      this.up(this.heap.length - 1)
      return
    }
    const item = this.heap[at]!
    const earlier = dueMs < item.dueMs
    item.dueMs = dueMs
    if (earlier) this.up(at)
    else this.down(at)
  }

  remove(id: bigint): void {
    const at = this.positions.get(id)
    if (at === undefined) return
    const last = this.heap.pop()!
    this.positions.delete(id)
    if (at === this.heap.length) return
    this.heap[at] = last
    this.positions.set(last.id, at)
    this.up(at)
    this.down(this.positions.get(last.id)!)
  }

  private up(at: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (this.heap[parent]!.dueMs <= this.heap[at]!.dueMs) return
      this.swap(at, parent)
      at = parent
    }
  }

  private down(at: number): void {
    for (;;) {
      const left = 2 * at + 1
      const right = left + 1
      let smallest = at
      if (left < this.heap.length && this.heap[left]!.dueMs < this.heap[smallest]!.dueMs) smallest = left
      if (right < this.heap.length && this.heap[right]!.dueMs < this.heap[smallest]!.dueMs) smallest = right
      if (smallest === at) return
      this.swap(at, smallest)
      at = smallest
    }
  }

  private swap(a: number, b: number): void {
    const itemA = this.heap[a]!
    const itemB = this.heap[b]!
    this.heap[a] = itemB
    this.heap[b] = itemA
    this.positions.set(itemB.id, a)
    this.positions.set(itemA.id, b)
  }

  /** Checks the heap order and the index (tests). */
  checkInvariants(): void {
    assert.equal(this.positions.size, this.heap.length)
    this.heap.forEach((item, i) => {
      assert.equal(this.positions.get(item.id), i)
      if (i > 0) assert.ok(this.heap[(i - 1) >> 1]!.dueMs <= item.dueMs)
    })
  }
}
