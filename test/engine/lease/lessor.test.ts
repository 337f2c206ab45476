// The lessor alone, on the fake clock: grants, limits, ids, renewals, expiry notices, time to
// live, attachments and promotion. Numbers checked against etcd 3.4 on loopback: `lease grant 1`
// answers TTL(2s); `lease grant 9000000001` fails with `etcdserver: too large lease TTL`;
// timetolive right after `lease grant 10` shows remaining(9s).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import fc from 'fast-check'
import {ErrorMessage, GrpcCode} from '../../../src/api/errors.js'
import {FakeClock} from '../../../src/engine/lease/fake-clock.js'
import {ExpiryQueue} from '../../../src/engine/lease/expiry-queue.js'
import {
  EXPIRED_LEASE_RETRY_MS,
  Lessor,
  MAX_LEASE_TTL_SECONDS,
  minLeaseTtlSeconds,
} from '../../../src/engine/lease/lessor.js'

function setup(): {clock: FakeClock; lessor: Lessor} {
  const clock = new FakeClock(1_000_000)
  return {clock, lessor: new Lessor({clock})}
}

describe('lessor', () => {
  it('computes etcd minimum TTL from the election timeout and heartbeat', () => {
    assert.equal(minLeaseTtlSeconds(), 2) // 1000 ms / 100 ms: 15 ticks of 100 ms = 1.5 s, rounded up
    assert.equal(minLeaseTtlSeconds(5000, 500), 8) // 15 ticks of 500 ms = 7.5 s
    assert.equal(minLeaseTtlSeconds(100, 10), 1)
  })

  it('grants with the TTL raised to the minimum and refuses one over the maximum', () => {
    const {lessor} = setup()
    assert.deepEqual(lessor.grant(1n, 1n), {id: 1n, ttlSeconds: 2})
    assert.deepEqual(lessor.grant(2n, 0n), {id: 2n, ttlSeconds: 2})
    assert.deepEqual(lessor.grant(3n, -5n), {id: 3n, ttlSeconds: 2})
    assert.deepEqual(lessor.grant(4n, BigInt(MAX_LEASE_TTL_SECONDS)), {id: 4n, ttlSeconds: MAX_LEASE_TTL_SECONDS})
    assert.throws(() => lessor.grant(5n, BigInt(MAX_LEASE_TTL_SECONDS) + 1n), {
      message: ErrorMessage.leaseTTLTooLarge,
      code: GrpcCode.OUT_OF_RANGE,
    })
    assert.throws(() => lessor.grant(1n, 60n), {message: ErrorMessage.leaseExist, code: GrpcCode.FAILED_PRECONDITION})
    assert.throws(() => lessor.grant(0n, 60n), {message: ErrorMessage.leaseNotFound})
    assert.equal(lessor.size, 4)
    assert.equal(lessor.exists(5n), false)
    lessor.checkInvariants()
  })

  it('makes up positive non-zero int64 ids and skips ones already granted', () => {
    const ids = [0n, 7n, 7n, 9n]
    const lessor = new Lessor({clock: new FakeClock(), randomId: () => ids.shift() ?? 11n})
    assert.throws(() => lessor.newLeaseId(), /not a positive int64/)
    assert.equal(lessor.newLeaseId(), 7n)
    lessor.grant(7n, 10n)
    assert.equal(lessor.newLeaseId(), 9n)
    const random = new Lessor()
    for (let i = 0; i < 200; i++) {
      const id = random.newLeaseId()
      assert.ok(id > 0n && id <= 2n ** 63n - 1n)
    }
  })

  it('renews to a full TTL; a missing lease is not found; an expired one waits for its revoke', async () => {
    const {clock, lessor} = setup()
    lessor.grant(1n, 10n)
    clock.advance(6000)
    assert.equal(lessor.timeToLive(1n)!.remainingSeconds, 4)
    assert.deepEqual(lessor.renew(1n), {expired: false, ttlSeconds: 10})
    assert.equal(lessor.timeToLive(1n)!.remainingSeconds, 10)
    assert.throws(() => lessor.renew(2n), {message: ErrorMessage.leaseNotFound, code: GrpcCode.NOT_FOUND})
    clock.advance(10_000)
    const renewal = lessor.renew(1n)
    assert.equal(renewal.expired, true)
    let revoked = false
    if (renewal.expired) void renewal.revoked.then(() => (revoked = true))
    await Promise.resolve()
    assert.equal(revoked, false)
    lessor.revoke(1n)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(revoked, true)
    assert.throws(() => lessor.renew(1n), {message: ErrorMessage.leaseNotFound})
  })

  it('reports time to live truncated to whole seconds, with the granted TTL and sorted keys', () => {
    const {clock, lessor} = setup()
    lessor.grant(1n, 10n)
    assert.deepEqual(lessor.timeToLive(1n), {id: 1n, remainingSeconds: 10, grantedTtlSeconds: 10, keys: []})
    clock.advance(1)
    assert.equal(lessor.timeToLive(1n)!.remainingSeconds, 9) // etcd: int64(Remaining().Seconds())
    lessor.setKeyLease('b', 1n)
    lessor.setKeyLease('a', 1n)
    assert.deepEqual(lessor.timeToLive(1n)!.keys, ['a', 'b'])
    clock.advance(9_500)
    assert.equal(lessor.timeToLive(1n)!.remainingSeconds, 0) // 0.499 s left
    clock.advance(1_000)
    assert.equal(Object.is(lessor.timeToLive(1n)!.remainingSeconds, 0), true) // -0.501 s: 0, not -0
    clock.advance(1_000)
    assert.equal(lessor.timeToLive(1n)!.remainingSeconds, -1) // expired, revoke not applied yet
    assert.equal(lessor.timeToLive(2n), undefined)
  })

  it('notices expiry only when due, soonest first, within the limit, and again after the retry interval', () => {
    const {clock, lessor} = setup()
    lessor.grant(1n, 5n)
    lessor.grant(2n, 3n)
    lessor.grant(3n, 60n)
    lessor.grant(4n, 4n)
    assert.deepEqual(lessor.expiredLeases(), [])
    clock.advance(2_999)
    assert.deepEqual(lessor.expiredLeases(), [])
    clock.advance(2_001)
    assert.deepEqual(lessor.expiredLeases(clock.nowMs(), 2), [2n, 4n])
    assert.deepEqual(lessor.expiredLeases(), [1n])
    assert.deepEqual(lessor.expiredLeases(), [], 'a noticed lease waits for its revoke')
    lessor.revoke(4n)
    clock.advance(EXPIRED_LEASE_RETRY_MS)
    const again = lessor.expiredLeases().sort((a, b) => Number(a - b))
    assert.deepEqual(again, [1n, 2n], 'revokes that did not land are proposed again')
    // A renewal before expiry keeps a lease off the list.
    assert.deepEqual(lessor.renew(3n), {expired: false, ttlSeconds: 60})
    clock.advance(59_000)
    assert.ok(!lessor.expiredLeases().includes(3n))
    lessor.checkInvariants()
  })

  it('lists leases soonest to expire first', () => {
    const {clock, lessor} = setup()
    lessor.grant(10n, 100n)
    lessor.grant(20n, 9_000_000_000n)
    lessor.grant(30n, 2n)
    assert.deepEqual(lessor.leases(), [30n, 10n, 20n])
    clock.advance(1000)
    lessor.renew(30n)
    lessor.grant(40n, 2n)
    assert.deepEqual(lessor.leases(), [30n, 40n, 10n, 20n])
  })

  it('moves a key between leases and detaches it; revoke returns the keys sorted and forgets them', () => {
    const {lessor} = setup()
    lessor.grant(1n, 10n)
    lessor.grant(2n, 10n)
    lessor.setKeyLease('k', 1n)
    lessor.setKeyLease('z', 1n)
    lessor.setKeyLease('a', 1n)
    lessor.setKeyLease('k', 2n)
    assert.equal(lessor.leaseOf('k'), 2n)
    assert.deepEqual(lessor.timeToLive(1n)!.keys, ['a', 'z'])
    lessor.setKeyLease('z', 0n)
    assert.equal(lessor.leaseOf('z'), 0n)
    lessor.setKeyLease('z', 0n)
    assert.throws(() => lessor.setKeyLease('q', 3n), /not granted/)
    assert.deepEqual(lessor.revoke(1n), ['a'])
    assert.equal(lessor.leaseOf('a'), 0n)
    assert.throws(() => lessor.revoke(1n), {message: ErrorMessage.leaseNotFound})
    assert.deepEqual(lessor.revoke(2n), ['k'])
    lessor.checkInvariants()
  })

  it('on promotion gives every lease its full TTL plus the extension, never less', () => {
    const {clock, lessor} = setup()
    lessor.restore({id: 1n, ttlSeconds: 30})
    lessor.restore({id: 2n, ttlSeconds: 2})
    clock.advance(1_500)
    lessor.promote(1000)
    // etcd after a restart: a 30 s lease shows ttl 30 (31 s less the time to elect).
    assert.equal(lessor.timeToLive(1n)!.remainingSeconds, 31)
    clock.advance(1)
    assert.equal(lessor.timeToLive(1n)!.remainingSeconds, 30)
    assert.equal(lessor.timeToLive(2n)!.remainingSeconds, 2)
    clock.advance(3_000)
    assert.deepEqual(lessor.expiredLeases(), [2n])
    assert.throws(() => lessor.restore({id: 1n, ttlSeconds: 5}), /restored twice/)
  })

  it('spreads a pile of expiries over seconds on promotion, as etcd does', () => {
    const {clock, lessor} = setup()
    for (let i = 1; i <= 3000; i++) lessor.restore({id: BigInt(i), ttlSeconds: 10})
    lessor.promote(1000)
    const perSecond = new Map<number, number>()
    for (const id of lessor.leases()) {
      const remaining = lessor.timeToLive(id)!.remainingSeconds
      assert.ok(remaining >= 11, `lease ${id} was shortened to ${remaining}`)
      perSecond.set(remaining, (perSecond.get(remaining) ?? 0) + 1)
    }
    for (const [second, count] of perSecond) assert.ok(count <= 750, `${count} leases expire in second ${second}`)
    assert.ok(Math.max(...perSecond.keys()) <= 15)
    clock.advance(11_000)
    assert.equal(lessor.expiredLeases(clock.nowMs(), 10_000).length, 750)
    lessor.checkInvariants()
  })
})

describe('expiry queue', () => {
  it('always yields the earliest due id, through upserts and removals (property)', () => {
    const action = fc.oneof(
      fc.record({kind: fc.constant('upsert' as const), id: fc.integer({min: 1, max: 20}), due: fc.integer({min: 0, max: 50})}),
      fc.record({kind: fc.constant('remove' as const), id: fc.integer({min: 1, max: 20})}),
    )
    fc.assert(
      fc.property(fc.array(action, {maxLength: 200}), (actions) => {
        const queue = new ExpiryQueue()
        const model = new Map<bigint, number>()
        for (const a of actions) {
          if (a.kind === 'upsert') {
            queue.upsert(BigInt(a.id), a.due)
            model.set(BigInt(a.id), a.due)
          } else {
            queue.remove(BigInt(a.id))
            model.delete(BigInt(a.id))
          }
          queue.checkInvariants()
          assert.equal(queue.size, model.size)
          const min = Math.min(...model.values())
          assert.equal(queue.peek()?.dueMs, model.size === 0 ? undefined : min)
        }
      }),
      {seed: 20240611, numRuns: 300},
    )
  })
})
