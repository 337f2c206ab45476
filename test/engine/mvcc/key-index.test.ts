// The key index: generations, tombstones, historical lookups and compaction (etcd's keyIndex
// and treeIndex cases).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {
  allRevisions,
  compactEntry,
  putRevision,
  revisionAt,
  tombstoneRevision,
  type KeyEntry,
} from '../../../src/engine/mvcc/key-history.js'
import {TreeIndex} from '../../../src/engine/mvcc/tree-index.js'

/** etcd's keyIndex test fixture: puts at 2, 4, 6(t), 8, 10, 12(t), 14, 14.1, 16. */
function fixture(): KeyEntry {
  let e: KeyEntry = putRevision(undefined, 2, 0)
  e = putRevision(e, 4, 0)
  e = tombstoneRevision(e, 6, 0)
  e = putRevision(e, 8, 0)
  e = putRevision(e, 10, 0)
  e = tombstoneRevision(e, 12, 0)
  e = putRevision(e, 14, 0)
  e = putRevision(e, 14, 1)
  e = putRevision(e, 16, 0)
  return e
}

describe('key history', () => {
  it('holds a single revision as a bare number and upgrades on the second write', () => {
    const e = putRevision(undefined, 5, 0)
    assert.equal(e, 5)
    assert.deepEqual(allRevisions(putRevision(e, 7, 0)), [[5, 0, 7, 0]])
    assert.deepEqual(allRevisions(putRevision(undefined, 5, 3)), [[5, 3]])
  })

  it('splits generations at tombstones', () => {
    assert.deepEqual(allRevisions(fixture()), [[2, 0, 4, 0, 6, 0], [8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]])
  })

  it('finds the revision live at any store revision, and nothing across a deletion', () => {
    const e = fixture()
    const at = (rev: number) => {
      const found = revisionAt(e, rev)
      return found === undefined ? undefined : `${found.main}.${found.sub}`
    }
    assert.equal(at(1), undefined)
    assert.equal(at(2), '2.0')
    assert.equal(at(3), '2.0')
    assert.equal(at(5), '4.0')
    assert.equal(at(6), undefined) // deleted at 6
    assert.equal(at(7), undefined)
    assert.equal(at(9), '8.0')
    assert.equal(at(12), undefined)
    assert.equal(at(13), undefined)
    assert.equal(at(14), '14.1')
    assert.equal(at(100), '16.0')
  })

  it('rejects a write older than the last one and a delete of a deleted key', () => {
    assert.throws(() => putRevision(fixture(), 15, 0))
    const deleted = tombstoneRevision(putRevision(undefined, 3, 0), 4, 0)
    assert.throws(() => tombstoneRevision(deleted, 5, 0))
  })

  it('compacts as etcd: keeps the newest revision at or before the point, drops finished generations', () => {
    const cases: [number, number[][] | undefined, number[]][] = [
      [1, [[2, 0, 4, 0, 6, 0], [8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], []],
      [2, [[2, 0, 4, 0, 6, 0], [8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], []],
      [3, [[2, 0, 4, 0, 6, 0], [8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], []],
      [4, [[4, 0, 6, 0], [8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], [2]],
      [5, [[4, 0, 6, 0], [8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], [2]],
      [6, [[8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], [2, 4, 6]],
      [7, [[8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], [2, 4, 6]],
      [9, [[8, 0, 10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], [2, 4, 6]],
      [10, [[10, 0, 12, 0], [14, 0, 14, 1, 16, 0]], [2, 4, 6, 8]],
      [12, [[14, 0, 14, 1, 16, 0]], [2, 4, 6, 8, 10, 12]],
      [14, [[14, 1, 16, 0]], [2, 4, 6, 8, 10, 12, 14]],
      [16, undefined, []],
    ]
    for (const [atRev, kept, removedMains] of cases) {
      const removed: number[] = []
      const result = compactEntry(fixture(), atRev, removed)
      const mains = [] as number[]
      for (let i = 0; i < removed.length; i += 3) mains.push(removed[i]!)
      if (kept === undefined) {
        // The last revision alone is left: as a bare number it is 16.
        assert.equal(result, 16, `at ${atRev}`)
      } else {
        assert.deepEqual(allRevisions(result!), kept, `kept at ${atRev}`)
        assert.deepEqual(mains.sort((x, y) => x - y), removedMains, `removed at ${atRev}`)
      }
    }
  })

  it('marks dropped tombstones and removes a key whose last generation ended before the point', () => {
    const e = tombstoneRevision(putRevision(putRevision(undefined, 2, 0), 3, 0), 5, 0)
    const removed: number[] = []
    assert.equal(compactEntry(e, 5, removed), undefined)
    assert.deepEqual(removed, [2, 0, 0, 3, 0, 0, 5, 0, 1])
    const kept: number[] = []
    assert.deepEqual(allRevisions(compactEntry(tombstoneRevision(putRevision(undefined, 2, 0), 5, 0), 4, kept)!), [[2, 0, 5, 0], []])
    assert.deepEqual(kept, [])
  })
})

describe('tree index', () => {
  function index(): TreeIndex {
    const t = new TreeIndex()
    t.put('a', 2, 0)
    t.put('b', 3, 0)
    t.put('c', 4, 0)
    t.put('a', 5, 0)
    t.tombstone('b', 6, 0)
    t.put('b', 7, 0)
    t.put('d\xff', 8, 0)
    return t
  }
  const keysAt = (t: TreeIndex, start: string, end: string | undefined, rev: number) => {
    const out: string[] = []
    t.range(start, end, rev, (key, at) => out.push(`${key}@${at.main}`))
    return out
  }

  it('ranges single keys, [start, end) and from-key, in byte order, at any revision', () => {
    const t = index()
    assert.deepEqual(keysAt(t, 'a', undefined, 100), ['a@5'])
    assert.deepEqual(keysAt(t, 'a', undefined, 4), ['a@2'])
    assert.deepEqual(keysAt(t, 'a', 'c', 100), ['a@5', 'b@7'])
    assert.deepEqual(keysAt(t, 'a', 'c', 6), ['a@5'])
    assert.deepEqual(keysAt(t, 'b', '', 100), ['b@7', 'c@4', 'd\xff@8'])
    assert.deepEqual(keysAt(t, 'd', 'e', 100), ['d\xff@8'])
    assert.deepEqual(keysAt(t, 'c', 'a', 100), [])
    assert.deepEqual(keysAt(t, 'a', '', 1), [])
  })

  it('deletes only live keys', () => {
    const t = index()
    assert.equal(t.tombstone('zz', 9, 0), false)
    assert.equal(t.tombstone('c', 9, 0), true)
    assert.equal(t.tombstone('c', 10, 0), false)
    assert.deepEqual(t.liveKeys('a', ''), ['a', 'b', 'd\xff'])
  })

  it('compacts every key, removing keys deleted before the point, and reports what to keep', () => {
    const t = index()
    t.tombstone('c', 9, 0)
    assert.deepEqual([...t.keep(9)].sort(), ['5_0', '7_0', '8_0'])
    const removed = t.compact(9)
    const triples: string[] = []
    for (let i = 0; i < removed.length; i += 3) triples.push(`${removed[i]}_${removed[i + 1]}${removed[i + 2] ? 't' : ''}`)
    assert.deepEqual(triples.sort(), ['2_0', '3_0', '4_0', '6_0t', '9_0t'])
    assert.equal(t.size, 3)
    assert.deepEqual(keysAt(t, 'a', '', 100), ['a@5', 'b@7', 'd\xff@8'])
  })
})

describe('a frozen view of the tree index', () => {
  /** Every key of the view with its revisions, read a few keys at a time. */
  function read(view: ReturnType<TreeIndex['freeze']>): Array<[string, number[][]]> {
    const out: Array<[string, number[][]]> = []
    while (view.next(2, (key, entry) => out.push([key, allRevisions(entry)]))) {
      // two keys per slice: the view keeps its place between slices
    }
    return out
  }

  it('reads the index as it was when frozen, while puts, deletes, new keys and a compaction change it', () => {
    const index = new TreeIndex()
    index.put('a', 2, 0)
    index.put('b', 3, 0)
    index.put('b', 4, 0)
    index.put('c', 5, 0)
    index.tombstone('c', 6, 0)
    index.put('d', 7, 0)
    const before = read(index.freeze())
    const view = index.freeze()
    const first: Array<[string, number[][]]> = []
    view.next(1, (key, entry) => first.push([key, allRevisions(entry)]))
    // changes after the view was taken, some to keys it has already passed
    index.put('a', 8, 0)
    index.put('b', 9, 0)
    index.tombstone('d', 10, 0)
    index.put('bb', 11, 0)
    index.put('0', 12, 0)
    index.compact(9)
    assert.equal(index.entry('c'), undefined, 'the compaction removed c from the index')
    const rest = read(view)
    view.release()
    assert.deepEqual([...first, ...rest], before)
    // a view released copies nothing more; a new one sees the index as it is now
    index.put('b', 13, 0)
    assert.deepEqual(
      read(index.freeze()).map(([key]) => key),
      ['0', 'a', 'b', 'bb', 'd'],
    )
  })
})
