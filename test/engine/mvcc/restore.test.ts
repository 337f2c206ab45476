// A store replaced by another's backend file (a cluster member installing its leader's
// snapshot): reads, revisions, HashKV and leases are the other store's; a synced watch gets
// what changed from the new store's history, or is canceled when that history is compacted.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {Lessor} from '../../../src/engine/lease/lessor.js'
import {backendFileIn} from '../../../src/engine/mvcc/backend.js'
import type {KvStore} from '../../../src/engine/mvcc/kv.js'
import {type MvccStore, openKvStore, resetBackendFile} from '../../../src/engine/mvcc/store.js'
import {b, internal, putReq, rangeReq, tempDir} from './helpers.js'
import {create, drain, events, WatchHarness} from './watch-helpers.js'

let leader: WatchHarness
let follower: WatchHarness
let leaderLeases: Lessor
let followerLeases: Lessor
let copies: string

beforeEach(() => {
  leaderLeases = new Lessor()
  followerLeases = new Lessor()
  leader = WatchHarness.open({}, {leases: leaderLeases})
  follower = WatchHarness.open({}, {leases: followerLeases})
  copies = tempDir('restore-test-')
})

afterEach(async () => {
  await leader.destroy()
  await follower.destroy()
  fs.rmSync(copies, {recursive: true, force: true})
})

/** A copy of the leader's backend, as the snapshot sender makes it. */
async function leaderCopy(): Promise<string> {
  const file = path.join(copies, 'snapshot.db')
  await leader.store.copyBackendTo(file)
  return file
}

describe('restoring a store from another backend file', () => {
  it("serves the other store's keys, revision, HashKV and leases; the file is moved into place", async () => {
    leader.apply(internal({leaseGrant: {ID: 7n, TTL: 60n}}))
    leader.apply(internal({put: putReq('leased', 'x', {lease: 7n})}))
    leader.put('a', '1')
    follower.apply(internal({leaseGrant: {ID: 9n, TTL: 60n}}))
    follower.put('mine', 'gone after the restore')
    const file = await leaderCopy()
    await follower.store.restoreFrom(file)
    assert.equal(fs.existsSync(file), false, 'the file is moved, not copied')
    assert.equal(follower.store.currentRevision, leader.store.currentRevision)
    assert.deepEqual(follower.store.hashKV(0), leader.store.hashKV(0))
    assert.equal(follower.store.range(rangeReq('mine')).kvs.length, 0)
    assert.equal(follower.store.range(rangeReq('a')).kvs[0]!.value.toString(), '1')
    assert.deepEqual(followerLeases.leases(), [7n])
    assert.equal(followerLeases.leaseOf('leased'), 7n)
    // and it goes on from there
    follower.continueLog()
    follower.put('b', '2')
    assert.equal(follower.store.currentRevision, leader.store.currentRevision + 1)
  })

  it('a synced watch gets the changes the new store holds after its revision', async () => {
    leader.put('a', '1')
    follower.put('z', '1')
    const s = follower.stream()
    s.send(create({key: b('a')}))
    drain(s)
    // the watch waits for revision 3 of the follower: the leader's later writes are news to it
    leader.put('a', '2')
    leader.put('other', '1')
    leader.put('a', '3')
    await follower.store.restoreFrom(await leaderCopy())
    await follower.settle()
    assert.deepEqual(events(drain(s)), ['PUT a=2@3', 'PUT a=3@5'])
    follower.continueLog()
    follower.put('a', '4')
    assert.deepEqual(events(drain(s)), ['PUT a=4@6'])
  })

  it('a synced watch whose revision the new store has compacted is canceled with the compact revision', async () => {
    follower.put('z', '1')
    const s = follower.stream()
    s.send(create({key: b('a')}))
    drain(s)
    leader.put('a', '1')
    leader.put('a', '2')
    leader.put('a', '3')
    leader.compact(4)
    await follower.store.restoreFrom(await leaderCopy())
    await follower.settle()
    const rs = drain(s)
    assert.deepEqual(
      rs.map((r) => [r.canceled, r.compactRevision]),
      [[true, 4n]],
    )
  })

  it('a copy made with the key index is restored without a scan, to what a scan of it finds', async () => {
    for (let i = 0; i < 50; i++) leader.put(`k${i % 20}`, `v${i}`)
    leader.del('k3')
    leader.del('k10', 'k15')
    leader.compact(30)
    leader.put('k3', 'again')
    follower.put('mine', 'gone after the restore')
    const file = path.join(copies, 'with-index.db')
    const copied = await leader.store.copyBackendWithKeyIndexTo(file)
    assert.ok(copied.keyIndex, JSON.stringify({...copied, consistentIndex: String(copied.consistentIndex)}))
    assert.equal(copied.keys, 20)
    assert.equal(copied.consistentIndex, leader.store.consistentIndex)
    const scanned = await scanRestored(file, copied.consistentIndex)
    try {
      await follower.store.restoreFrom(file)
      assert.deepEqual(follower.store.restoredFrom, {from: 'checkpoint'})
      assert.equal(follower.store.currentRevision, leader.store.currentRevision)
      assert.equal(follower.store.compactRevision, 30)
      assertSameStore(follower.store, scanned)
      assertSameStore(follower.store, leader.store)
    } finally {
      await scanned.close()
    }
    // and it goes on from there as the leader does
    follower.continueLog()
    follower.put('k3', 'next')
    leader.put('k3', 'next')
    assertSameStore(follower.store, leader.store)
  })

  it('a copy made while entries are applied: the key index comes with it only when it matches', async () => {
    for (let i = 0; i < 20; i++) leader.put(`k${i}`, 'v')
    const file = path.join(copies, 'busy.db')
    const copying = leader.store.copyBackendWithKeyIndexTo(file)
    let done = false
    void copying.finally(() => (done = true))
    for (let i = 0; !done && i < 1000; i++) {
      leader.put(`late${i % 5}`, String(i))
      await new Promise((resolve) => setImmediate(resolve))
    }
    const copied = await copying
    const scanned = await scanRestored(file, copied.consistentIndex)
    try {
      await follower.store.restoreFrom(file)
      if (copied.keyIndex) assert.deepEqual(follower.store.restoredFrom, {from: 'checkpoint'})
      else assert.deepEqual([copied.why, follower.store.restoredFrom.from], ['an entry was applied while copying', 'scan'])
      assertSameStore(follower.store, scanned)
    } finally {
      await scanned.close()
    }
  })
})

/** A store opened from a copy of `file` with its key-index checkpoint dropped: the index a scan builds. */
async function scanRestored(file: string, consistentIndex: bigint): Promise<MvccStore> {
  const dir = tempDir('restore-scan-')
  fs.copyFileSync(file, backendFileIn(dir))
  await resetBackendFile(backendFileIn(dir), consistentIndex)
  const store = openKvStore(dir)
  assert.equal(store.restoredFrom.from, 'scan')
  return store
}

/** Same revisions, compaction, hash and reads (every key, at every revision kept) on both stores. */
function assertSameStore(a: KvStore, b: KvStore): void {
  assert.equal(a.currentRevision, b.currentRevision)
  assert.equal(a.compactRevision, b.compactRevision)
  assert.deepEqual(a.hashKV(0), b.hashKV(0))
  assert.ok(a.range(rangeReq('\0', {rangeEnd: Buffer.from([0])})).kvs.length > 0, 'the stores hold keys')
  for (let rev = Math.max(1, a.compactRevision); rev <= a.currentRevision; rev++) {
    const req = rangeReq('\0', {rangeEnd: Buffer.from([0]), revision: BigInt(rev)})
    const strip = (r: ReturnType<KvStore['range']>) => r.kvs.map((kv) => [kv.key.toString(), kv.value.toString(), kv.createRevision, kv.modRevision, kv.version])
    assert.deepEqual(strip(a.range(req)), strip(b.range(req)), `range at revision ${rev}`)
  }
}
