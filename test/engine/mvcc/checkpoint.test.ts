// The key-index checkpoint: a clean close leaves one and the next open loads it; a checkpoint
// left stale by later writes (closed without a new one, or killed with SIGKILL) is detected and
// the open scans; compaction state survives either path.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, it} from 'node:test'
import {Errors} from '../../../src/api/errors.js'
import {b, delReq, internal, op, rangeReq, TestStore, txnReq} from './helpers.js'

const killChild = fileURLToPath(new URL('./fixtures/write-then-kill.ts', import.meta.url))

/** Every revision's whole-store range (or its error), from the compaction point to now. */
function history(s: TestStore): unknown[] {
  const out: unknown[] = []
  for (let rev = Math.max(1, s.store.compactRevision); rev <= s.store.currentRevision; rev++) {
    try {
      out.push(s.store.range(rangeReq('\0', {rangeEnd: b('\0'), revision: BigInt(rev)})))
    } catch (error) {
      out.push(String(error))
    }
  }
  return out
}

/** Histories of every shape: bare revisions, packed subs, several generations, deleted keys. */
function fill(s: TestStore): void {
  for (let i = 0; i < 40; i++) s.put(`k${i % 9}`, `v${i}`)
  s.ok(internal({txn: txnReq([], [op.put('t1', 'a'), op.put('t2', 'b'), op.put('t3', 'c'), op.del('k1')])}))
  s.ok(internal({deleteRange: delReq('k3', 'k5')}))
  s.put('k3', 'again')
  s.put('\xff\x00binary', 'z')
}

function state(s: TestStore) {
  return {rev: s.store.currentRevision, compact: s.store.compactRevision, index: s.store.consistentIndex, history: history(s), hash: s.store.hashKV(0)}
}

describe('key-index checkpoint', () => {
  it('round trips: a clean close leaves a checkpoint the next open loads, with the same state', async () => {
    const s = TestStore.create()
    try {
      fill(s)
      const before = state(s)
      await s.reopen()
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      assert.deepEqual(state(s), before)
      // The index loaded from the checkpoint takes writes as the scanned one does.
      s.put('k0', 'after')
      s.ok(internal({deleteRange: delReq('t', 'u')}))
      const after = state(s)
      await s.reopen({crash: true})
      assert.equal(s.store.restoredFrom.from, 'scan')
      assert.deepEqual(state(s), after)
    } finally {
      await s.destroy()
    }
  })

  it('opens a new store by scanning (no checkpoint) and an untouched one from its checkpoint', async () => {
    const s = TestStore.create()
    try {
      assert.deepEqual(s.store.restoredFrom, {from: 'scan', reason: 'no checkpoint'})
      s.put('a', '1')
      await s.reopen()
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      // Closed without a new checkpoint but with nothing applied: the old one still holds.
      await s.reopen({crash: true})
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      assert.equal(s.store.range(rangeReq('a')).kvs[0]!.value.toString(), '1')
    } finally {
      await s.destroy()
    }
  })

  it('a store opened from its checkpoint and only read closes without writing the file', async () => {
    const s = TestStore.create()
    try {
      fill(s)
      await s.reopen()
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      const before = state(s)
      const file = join(s.dir, 'backend.mdb')
      const bytes = readFileSync(file)
      await s.reopen()
      assert.ok(readFileSync(file).equals(bytes), 'a reader changed the backend file')
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      assert.deepEqual(state(s), before)
      // one write after such an open, and the close checkpoints again
      s.put('k0', 'after')
      const after = state(s)
      await s.reopen()
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      assert.deepEqual(state(s), after)
    } finally {
      await s.destroy()
    }
  })

  it('detects a checkpoint left stale by later writes, even ones that change no key', async () => {
    const s = TestStore.create()
    try {
      fill(s)
      await s.reopen()
      s.put('late', 'write')
      const withLate = state(s)
      await s.reopen({crash: true})
      assert.deepEqual(s.store.restoredFrom, {from: 'scan', reason: 'stale checkpoint'})
      assert.deepEqual(state(s), withLate)
      // An entry that only moves the consistent index makes the checkpoint stale too.
      await s.reopen()
      s.apply(internal({}))
      await s.reopen({crash: true})
      assert.deepEqual(s.store.restoredFrom, {from: 'scan', reason: 'stale checkpoint'})
      assert.deepEqual(state(s), {...withLate, index: withLate.index + 1n})
    } finally {
      await s.destroy()
    }
  })

  it('detects a checkpoint left stale by a process killed with SIGKILL after writing', async () => {
    const s = TestStore.create()
    try {
      fill(s)
      await s.store.close()
      const child = spawnSync(process.execPath, ['--import', 'tsx', killChild, s.dir, '25'], {encoding: 'utf8'})
      assert.equal(child.signal, 'SIGKILL', child.stderr)
      assert.deepEqual(JSON.parse(child.stdout), {from: 'checkpoint'})
      await s.reopen({crash: true}) // the store object was closed already: nothing is written
      assert.deepEqual(s.store.restoredFrom, {from: 'scan', reason: 'stale checkpoint'})
      const crashed = s.store.range(rangeReq('crash/', {rangeEnd: b('crash0')}))
      assert.equal(crashed.count, 25n)
      assert.equal(s.store.range(rangeReq('crash/24')).kvs[0]!.value.toString(), 'v24')
      // The next clean close writes a fresh checkpoint that holds the killed process's writes.
      const scanned = state(s)
      await s.reopen()
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      assert.deepEqual(state(s), scanned)
    } finally {
      await s.destroy()
    }
  })

  it('reopens after a compaction through either path, with the same compaction point', async () => {
    const s = TestStore.create()
    try {
      fill(s)
      const at = s.store.currentRevision - 10
      const result = s.apply(internal({compaction: {revision: BigInt(at), physical: true}}))
      assert.ok(result.ok)
      await result.physical
      s.put('k2', 'post-compaction')
      const compacted = state(s)
      assert.equal(compacted.compact, at)
      await s.reopen()
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      assert.deepEqual(state(s), compacted)
      assert.throws(() => s.store.range(rangeReq('k2', {revision: BigInt(at - 1)})), {message: Errors.compacted().message})
      s.apply(internal({}))
      await s.reopen({crash: true})
      assert.equal(s.store.restoredFrom.from, 'scan')
      assert.deepEqual(state(s), {...compacted, index: compacted.index + 1n})
      // A compaction of everything: the revision survives with no key left.
      s.ok(internal({deleteRange: delReq('\0', '\0')}))
      const all = s.apply(internal({compaction: {revision: BigInt(s.store.currentRevision), physical: true}}))
      assert.ok(all.ok)
      await all.physical
      const empty = state(s)
      await s.reopen()
      assert.deepEqual(s.store.restoredFrom, {from: 'checkpoint'})
      assert.deepEqual(state(s), empty)
    } finally {
      await s.destroy()
    }
  })
})
