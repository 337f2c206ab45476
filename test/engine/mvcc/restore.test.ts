// A store replaced by another's backend file (a cluster member installing its leader's
// snapshot): reads, revisions, HashKV and leases are the other store's; a synced watch gets
// what changed from the new store's history, or is canceled when that history is compacted.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {Lessor} from '../../../src/engine/lease/lessor.js'
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
})
