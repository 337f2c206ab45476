// The store applying lease entries with a lessor (fake clock): grants and revokes as log
// entries, puts refused for a missing lease, attachments kept as keys are written, and all of
// it rebuilt on open. As etcd 3.4 on loopback: two keys on a lease put at revisions 5 and 6
// are deleted by `lease revoke` at revision 7, one revision for both.
import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {ErrorMessage} from '../../../src/api/errors.js'
import {Event_EventType} from '../../../src/api/proto/kv.js'
import type {LeaseGrantResponse, TxnResponse} from '../../../src/api/proto/rpc.js'
import {LeaseStore, b, putReq} from './helpers.js'

describe('store with a lessor', () => {
  let s: LeaseStore
  beforeEach(() => {
    s = LeaseStore.create()
  })
  afterEach(async () => {
    await s.destroy()
  })

  it('grants through the log and refuses a second grant of the same id without changing the revision', () => {
    const granted = s.grant(7n, 1n)
    assert.ok(granted.ok)
    const response = granted.response as LeaseGrantResponse
    assert.equal(response.ID, 7n)
    assert.equal(response.TTL, 2n)
    assert.equal(response.header!.revision, 1n)
    const again = s.grant(7n, 100n)
    assert.ok(!again.ok)
    assert.equal(again.error.message, ErrorMessage.leaseExist)
    const tooLarge = s.grant(8n, 9_000_000_001n)
    assert.ok(!tooLarge.ok && tooLarge.error.message === ErrorMessage.leaseTTLTooLarge)
    assert.equal(s.store.currentRevision, 1)
    assert.equal(s.lessor.timeToLive(7n)!.grantedTtlSeconds, 2)
  })

  it('refuses a put naming a missing lease and writes nothing, alone or inside a txn', () => {
    s.put('a', '1')
    const refused = s.put('k', 'v', 99n)
    assert.ok(!refused.ok)
    assert.equal(refused.error.message, ErrorMessage.leaseNotFound)
    const txn = s.apply({
      txn: {
        compare: [],
        success: [{requestPut: putReq('x', '1')}, {requestPut: putReq('y', '2', {lease: 99n})}],
        failure: [],
      },
    })
    assert.ok(!txn.ok && txn.error.message === ErrorMessage.leaseNotFound)
    // the failure branch is not checked when the success branch is taken
    s.grant(5n, 60n)
    const taken = s.ok({
      txn: {
        compare: [],
        success: [{requestPut: putReq('x', '1', {lease: 5n})}],
        failure: [{requestPut: putReq('y', '2', {lease: 99n})}],
      },
    })
    assert.equal((taken.response as TxnResponse).succeeded, true)
    assert.deepEqual(s.keys(), ['a@0', 'x@5'])
    assert.equal(s.store.currentRevision, 3)
    assert.deepEqual(s.lessor.timeToLive(5n)!.keys, ['x'])
  })

  it('revoke deletes every attached key at one revision and leaves the others', () => {
    s.grant(1n, 100n)
    s.put('x', '1', 1n) // 2
    s.put('y', '2', 1n) // 3
    s.put('z', '3') // 4
    const revoked = s.ok({leaseRevoke: {ID: 1n}})
    assert.equal(revoked.response.header!.revision, 5n)
    assert.deepEqual(
      revoked.events!.map((e) => [e.type, e.kv!.key.toString(), e.kv!.modRevision]),
      [
        [Event_EventType.DELETE, 'x', 5n],
        [Event_EventType.DELETE, 'y', 5n],
      ],
    )
    assert.deepEqual(s.keys(), ['z@0'])
    assert.equal(s.lessor.exists(1n), false)
    const again = s.apply({leaseRevoke: {ID: 1n}})
    assert.ok(!again.ok && again.error.message === ErrorMessage.leaseNotFound)
    // a lease without keys is revoked without a new revision
    s.grant(2n, 100n)
    assert.equal(s.ok({leaseRevoke: {ID: 2n}}).response.header!.revision, 5n)
    assert.equal(s.store.currentRevision, 5)
    s.lessor.checkInvariants()
  })

  it('a put moves a key to its new lease, a put without one detaches it, a delete detaches it', () => {
    s.grant(1n, 100n)
    s.grant(2n, 100n)
    s.put('k', 'v', 1n)
    s.put('k', 'v2', 2n)
    assert.equal(s.lessor.leaseOf('k'), 2n)
    assert.deepEqual(s.lessor.timeToLive(1n)!.keys, [])
    s.put('j', 'v', 2n)
    s.put('j', 'plain')
    assert.equal(s.lessor.leaseOf('j'), 0n)
    // ignore_lease keeps the key on its lease
    s.ok({put: putReq('k', 'v3', {ignoreLease: true})})
    assert.equal(s.lessor.leaseOf('k'), 2n)
    s.ok({deleteRange: {key: b('k'), rangeEnd: Buffer.alloc(0), prevKv: false}})
    assert.equal(s.lessor.leaseOf('k'), 0n)
    // revoking the old lease deletes nothing now
    const rev = s.store.currentRevision
    s.ok({leaseRevoke: {ID: 1n}})
    s.ok({leaseRevoke: {ID: 2n}})
    assert.equal(s.store.currentRevision, rev)
    assert.deepEqual(s.keys(), ['j@0'])
    s.lessor.checkInvariants()
  })

  it('keeps leases and attachments across a reopen, each lease with a full TTL again', async () => {
    s.grant(1n, 30n)
    s.grant(2n, 60n)
    s.grant(3n, 10n)
    s.put('a', '1', 1n)
    s.put('b', '1', 2n)
    s.put('b', '2', 1n) // moved to lease 1
    s.put('c', '1', 2n)
    s.ok({deleteRange: {key: b('c'), rangeEnd: Buffer.alloc(0), prevKv: false}})
    s.put('d', '1', 3n)
    s.ok({leaseRevoke: {ID: 3n}})
    s.clock.advance(20_000)
    assert.equal(s.lessor.timeToLive(1n)!.remainingSeconds, 10)
    await s.reopen()
    assert.deepEqual(s.lessor.leases(), [1n, 2n])
    assert.deepEqual(s.lessor.timeToLive(1n), {id: 1n, remainingSeconds: 30, grantedTtlSeconds: 30, keys: ['a', 'b']})
    assert.deepEqual(s.lessor.timeToLive(2n)!.keys, [])
    assert.equal(s.lessor.exists(3n), false)
    s.lessor.checkInvariants()
    // the restored leases work as before: revoke deletes the keys rebuilt from the index
    const revoked = s.ok({leaseRevoke: {ID: 1n}})
    assert.equal(revoked.events!.length, 2)
    assert.deepEqual(s.keys(), [])
    await s.reopen()
    assert.deepEqual(s.lessor.leases(), [2n])
  })

  it('survives a compaction: attachments come back from the latest revision of each key', async () => {
    s.grant(1n, 30n)
    s.put('a', '1')
    s.put('a', '2', 1n)
    s.put('b', '1', 1n)
    s.put('b', '2')
    const compaction = s.ok({compaction: {revision: BigInt(s.store.currentRevision), physical: true}})
    await compaction.physical
    await s.reopen()
    assert.deepEqual(s.lessor.timeToLive(1n)!.keys, ['a'])
  })
})
