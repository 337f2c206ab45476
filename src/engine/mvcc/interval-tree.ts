// An interval tree over key ranges [start, end), for the watchable store: given a key that
// changed, find every watched range that holds it without looking at the others (etcd's
// adt.IntervalTree, as its watcherGroup uses it).
//
// Keys are latin1 strings (one char per byte, so string order is byte order, as in
// tree-index.ts). An open range ("every key >= start", etcd's from-key watch) ends at
// KEY_INFINITY, a one-char string above every latin1 key.
//
// The tree is an AVL tree ordered by (start, end); each node also keeps the largest end in its
// subtree, which lets a stab query skip every subtree whose ranges all end at or before the
// point. Each distinct interval is held once, with one value (the watchable store keeps a set
// of watchers there). A stab costs O(log n + k) for k intervals found.
import assert from 'node:assert/strict'

/** Greater than every latin1 key: the end of an open range. */
export const KEY_INFINITY = '\u0100'

interface IntervalNode<V> {
  start: string
  end: string
  value: V
  /** Largest end in this subtree. */
  maxEnd: string
  height: number
  left: IntervalNode<V> | undefined
  right: IntervalNode<V> | undefined
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareIntervals(aStart: string, aEnd: string, bStart: string, bEnd: string): number {
  return compareStrings(aStart, bStart) || compareStrings(aEnd, bEnd)
}

function heightOf<V>(node: IntervalNode<V> | undefined): number {
  return node === undefined ? 0 : node.height
}

function maxString(a: string, b: string): string {
  return a > b ? a : b
}

/** Recomputes height and maxEnd from the children. */
function update<V>(node: IntervalNode<V>): void {
  node.height = 1 + Math.max(heightOf(node.left), heightOf(node.right))
  let maxEnd = node.end
  if (node.left !== undefined) maxEnd = maxString(maxEnd, node.left.maxEnd)
  if (node.right !== undefined) maxEnd = maxString(maxEnd, node.right.maxEnd)
  node.maxEnd = maxEnd
}

function rotateRight<V>(node: IntervalNode<V>): IntervalNode<V> {
  const pivot = node.left
  assert.ok(pivot !== undefined)
  node.left = pivot.right
  pivot.right = node
  update(node)
  update(pivot)
  return pivot
}

function rotateLeft<V>(node: IntervalNode<V>): IntervalNode<V> {
  const pivot = node.right
  assert.ok(pivot !== undefined)
  node.right = pivot.left
  pivot.left = node
  update(node)
  update(pivot)
  return pivot
}

/** Restores the AVL balance of `node` (whose subtrees are balanced) and returns the new root. */
function rebalance<V>(node: IntervalNode<V>): IntervalNode<V> {
  update(node)
  const balance = heightOf(node.left) - heightOf(node.right)
  if (balance > 1) {
    const left = node.left!
    if (heightOf(left.left) < heightOf(left.right)) node.left = rotateLeft(left)
    return rotateRight(node)
  }
  if (balance < -1) {
    const right = node.right!
    if (heightOf(right.right) < heightOf(right.left)) node.right = rotateRight(right)
    return rotateLeft(node)
  }
  return node
}

export class IntervalTree<V> {
  private root: IntervalNode<V> | undefined
  private count = 0

  /** Number of distinct intervals held. */
  get size(): number {
    return this.count
  }

  /** The value of exactly [start, end), if held. */
  get(start: string, end: string): V | undefined {
    let node = this.root
    while (node !== undefined) {
      const c = compareIntervals(start, end, node.start, node.end)
      if (c === 0) return node.value
      node = c < 0 ? node.left : node.right
    }
    return undefined
  }

  /** Holds `value` for [start, end), replacing the value held for that interval if any. */
  set(start: string, end: string, value: V): void {
    assert.ok(start < end, `an interval must not be empty: [${JSON.stringify(start)}, ${JSON.stringify(end)})`)
    this.root = this.insert(this.root, start, end, value)
  }

  private insert(node: IntervalNode<V> | undefined, start: string, end: string, value: V): IntervalNode<V> {
    if (node === undefined) {
      this.count++
      return {start, end, value, maxEnd: end, height: 1, left: undefined, right: undefined}
    }
    const c = compareIntervals(start, end, node.start, node.end)
    if (c === 0) {
      node.value = value
      return node
    }
    if (c < 0) node.left = this.insert(node.left, start, end, value)
    else node.right = this.insert(node.right, start, end, value)
    return rebalance(node)
  }

  /** Drops [start, end); false if it was not held. */
  delete(start: string, end: string): boolean {
    const before = this.count
    this.root = this.remove(this.root, start, end)
    return this.count < before
  }

  private remove(node: IntervalNode<V> | undefined, start: string, end: string): IntervalNode<V> | undefined {
    if (node === undefined) return undefined
    const c = compareIntervals(start, end, node.start, node.end)
    if (c < 0) node.left = this.remove(node.left, start, end)
    else if (c > 0) node.right = this.remove(node.right, start, end)
    else {
      this.count--
      if (node.left === undefined) return node.right
      if (node.right === undefined) return node.left
      // Replace the node by its successor (the leftmost node of the right subtree).
      let successor = node.right
      while (successor.left !== undefined) successor = successor.left
      node.right = this.removeMin(node.right)
      node.start = successor.start
      node.end = successor.end
      node.value = successor.value
    }
    return rebalance(node)
  }

  private removeMin(node: IntervalNode<V>): IntervalNode<V> | undefined {
    if (node.left === undefined) return node.right
    node.left = this.removeMin(node.left)
    return rebalance(node)
  }

  /** Calls `visit` for every interval holding `point` (start <= point < end), in interval order. */
  stab(point: string, visit: (value: V, start: string, end: string) => void): void {
    this.stabFrom(this.root, point, visit)
  }

  private stabFrom(node: IntervalNode<V> | undefined, point: string, visit: (value: V, start: string, end: string) => void): void {
    // Every interval below ends at or before the point: none holds it.
    if (node === undefined || node.maxEnd <= point) return
    this.stabFrom(node.left, point, visit)
    // Intervals to the right start at or after this one: if this one starts past the point, so do they.
    if (node.start > point) return
    if (point < node.end) visit(node.value, node.start, node.end)
    this.stabFrom(node.right, point, visit)
  }

  /** Every interval in order, for tests and checks. */
  *entries(): Generator<{start: string; end: string; value: V}> {
    const stack: IntervalNode<V>[] = []
    let node = this.root
    while (node !== undefined || stack.length > 0) {
      while (node !== undefined) {
        stack.push(node)
        node = node.left
      }
      const top = stack.pop()!
      yield {start: top.start, end: top.end, value: top.value}
      node = top.right
    }
  }

  /** Asserts the AVL balance, the order and every maxEnd (for tests). */
  checkInvariants(): void {
    let seen = 0
    const check = (node: IntervalNode<V> | undefined, low?: IntervalNode<V>, high?: IntervalNode<V>): number => {
      if (node === undefined) return 0
      seen++
      if (low !== undefined) assert.ok(compareIntervals(low.start, low.end, node.start, node.end) < 0, 'tree order')
      if (high !== undefined) assert.ok(compareIntervals(node.start, node.end, high.start, high.end) < 0, 'tree order')
      const lh = check(node.left, low, node)
      const rh = check(node.right, node, high)
      assert.ok(Math.abs(lh - rh) <= 1, 'AVL balance')
      assert.equal(node.height, 1 + Math.max(lh, rh), 'height')
      let maxEnd = node.end
      if (node.left !== undefined) maxEnd = maxString(maxEnd, node.left.maxEnd)
      if (node.right !== undefined) maxEnd = maxString(maxEnd, node.right.maxEnd)
      assert.equal(node.maxEnd, maxEnd, 'maxEnd')
      return node.height
    }
    check(this.root)
    assert.equal(seen, this.count, 'count')
  }
}
