// MemoryStorage, as etcd's: entries after the last compaction, terms down to the compaction
// point, snapshots, and the errors for what it no longer (or not yet) holds.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {isRaftError} from '../../../src/engine/raft/errors.js'
import {MemoryStorage} from '../../../src/engine/raft/storage.js'
import {type Entry, EntryType} from '../../../src/engine/raft/types.js'

const ent = (index: number, term: number, size = 0): Entry => ({index, term, type: EntryType.Normal, data: new Uint8Array(size)})
const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    for (const c of ['compacted', 'unavailable', 'snapshot-out-of-date'] as const) if (isRaftError(error, c)) return c
    throw error
  }
  return 'ok'
}

describe('MemoryStorage', () => {
  it('appends, replaces a conflicting suffix and reports bounds', () => {
    const s = new MemoryStorage()
    s.append([ent(1, 1), ent(2, 1), ent(3, 2)])
    assert.equal(s.firstIndex(), 1)
    assert.equal(s.lastIndex(), 3)
    s.append([ent(2, 3)])
    assert.equal(s.lastIndex(), 2)
    assert.equal(s.term(2), 3)
    assert.equal(code(() => s.term(3)), 'unavailable')
  })

  it('compacts: terms remain down to the compaction point, entries from the next one', () => {
    const s = new MemoryStorage()
    s.append([1, 2, 3, 4, 5].map((i) => ent(i, i)))
    s.compact(3)
    assert.equal(s.firstIndex(), 4)
    assert.equal(s.term(3), 3)
    assert.equal(code(() => s.term(2)), 'compacted')
    assert.equal(code(() => s.entries(3, 5, Infinity)), 'compacted')
    assert.deepEqual(s.entries(4, 6, Infinity).map((e) => e.index), [4, 5])
    assert.equal(code(() => s.compact(2)), 'compacted')
    // Appending entries that are partly compacted keeps the rest.
    s.append([ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 6)])
    assert.equal(s.lastIndex(), 6)
  })

  it('limits entries by size, but returns at least one', () => {
    const s = new MemoryStorage()
    s.append([ent(1, 1, 100), ent(2, 1, 100), ent(3, 1, 100)])
    assert.equal(s.entries(1, 4, 1).length, 1)
    assert.equal(s.entries(1, 4, 260).length, 2)
    assert.equal(s.entries(1, 4, Infinity).length, 3)
  })

  it('creates and applies snapshots, refusing older ones', () => {
    const s = new MemoryStorage()
    s.append([1, 2, 3].map((i) => ent(i, 1)))
    const snap = s.createSnapshot(2, {voters: [1n], learners: []}, new Uint8Array([9]))
    assert.deepEqual(snap.metadata, {index: 2, term: 1, confState: {voters: [1n], learners: []}})
    assert.equal(code(() => s.createSnapshot(1, {voters: [1n], learners: []}, new Uint8Array(0))), 'snapshot-out-of-date')
    const other = new MemoryStorage()
    other.applySnapshot(snap)
    assert.equal(other.firstIndex(), 3)
    assert.equal(other.lastIndex(), 2)
    assert.equal(other.term(2), 1)
    assert.deepEqual(other.initialState().confState, {voters: [1n], learners: []})
    assert.equal(code(() => other.applySnapshot(snap)), 'snapshot-out-of-date')
  })
})
