// Leases through the in-process API (EmbeddedEtcd): the whole path of propose → log → apply,
// and the member's expiry loop. All but one test run on a fake clock and drive the loop by
// hand; the last uses a real 2 s lease and the real timer.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {ErrorMessage, GrpcCode} from '../../../src/api/errors.js'
import {PutRequest, WatchCreateRequest, type LeaseKeepAliveResponse} from '../../../src/api/proto/rpc.js'
import {openEmbedded, type EmbeddedEtcd} from '../../../src/engine/etcd/embedded.js'
import {FakeClock} from '../../../src/engine/lease/fake-clock.js'

const b = (s: string): Buffer => Buffer.from(s)

async function keys(engine: EmbeddedEtcd): Promise<string[]> {
  const r = await engine.range({key: b('\0'), rangeEnd: b('\0')})
  return r.kvs.map((kv) => `${kv.key.toString()}@${kv.lease}`)
}

describe('leases through the embedded engine', () => {
  let dir: string
  let clock: FakeClock
  let engine: EmbeddedEtcd
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lease-engine-'))
    clock = new FakeClock(1_000_000)
    engine = await openEmbedded(dir, {clock})
  })
  afterEach(async () => {
    await engine.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('grants with a made-up positive id or the one asked for, with full headers', async () => {
    const status = await engine.status()
    const granted = await engine.leaseGrant({TTL: 1n})
    assert.ok(granted.ID > 0n && granted.ID < 2n ** 63n)
    assert.equal(granted.TTL, 2n)
    assert.equal(granted.error, '')
    assert.deepEqual(granted.header, status.header)
    const chosen = await engine.leaseGrant({ID: 0x1234n, TTL: 60n})
    assert.equal(chosen.ID, 0x1234n)
    assert.equal(chosen.TTL, 60n)
    await assert.rejects(engine.leaseGrant({ID: 0x1234n, TTL: 5n}), {message: ErrorMessage.leaseExist})
    await assert.rejects(engine.leaseGrant({TTL: 9_000_000_001n}), {
      message: ErrorMessage.leaseTTLTooLarge,
      code: GrpcCode.OUT_OF_RANGE,
    })
    const list = await engine.leaseLeases()
    assert.deepEqual(
      list.leases.map((l) => l.ID),
      [granted.ID, 0x1234n],
    )
    assert.equal(list.header!.memberId, status.header!.memberId)
  })

  it('refuses a put on a missing lease and writes nothing, alone or in a txn', async () => {
    await engine.put({key: b('a'), value: b('1')})
    await assert.rejects(engine.put({key: b('k'), value: b('v'), lease: 99n}), {
      message: ErrorMessage.leaseNotFound,
      code: GrpcCode.NOT_FOUND,
    })
    await assert.rejects(
      engine.txn({
        success: [
          {requestPut: PutRequest.fromPartial({key: b('x'), value: b('1')})},
          {requestPut: PutRequest.fromPartial({key: b('y'), value: b('2'), lease: 99n})},
        ],
      }),
      {message: ErrorMessage.leaseNotFound},
    )
    const r = await engine.range({key: b('\0'), rangeEnd: b('\0')})
    assert.equal(r.header!.revision, 2n)
    assert.deepEqual(await keys(engine), ['a@0'])
  })

  it('revoke deletes every attached key in one revision; time to live shows keys, then -1', async () => {
    const {ID} = await engine.leaseGrant({TTL: 100n})
    await engine.put({key: b('x'), value: b('1'), lease: ID}) // 2
    await engine.put({key: b('y'), value: b('2'), lease: ID}) // 3
    await engine.put({key: b('z'), value: b('3')}) // 4
    clock.advance(1)
    const ttl = await engine.leaseTimeToLive({ID, keys: true})
    assert.equal(ttl.TTL, 99n)
    assert.equal(ttl.grantedTTL, 100n)
    assert.deepEqual(ttl.keys.map(String), ['x', 'y'])
    assert.deepEqual((await engine.leaseTimeToLive({ID})).keys, [])
    const revoked = await engine.leaseRevoke({ID})
    assert.equal(revoked.header!.revision, 5n)
    assert.deepEqual(await keys(engine), ['z@0'])
    const history = await engine.range({key: b('x'), revision: 4n})
    assert.equal(history.count, 1n, 'the revision before the revoke still has the key')
    await assert.rejects(engine.leaseRevoke({ID}), {message: ErrorMessage.leaseNotFound})
    const missing = await engine.leaseTimeToLive({ID, keys: true})
    assert.equal(missing.TTL, -1n)
    assert.equal(missing.grantedTTL, 0n)
    assert.equal(missing.header!.revision, 5n)
  })

  it('keeps leases and attachments across close and reopen, each with a full TTL again', async () => {
    const a = await engine.leaseGrant({ID: 1n, TTL: 30n})
    const gone = await engine.leaseGrant({ID: 2n, TTL: 30n})
    await engine.put({key: b('k1'), value: b('v'), lease: a.ID})
    await engine.put({key: b('k2'), value: b('v'), lease: gone.ID})
    await engine.put({key: b('k2'), value: b('v'), lease: a.ID})
    await engine.leaseRevoke({ID: gone.ID})
    clock.advance(20_000)
    assert.equal((await engine.leaseTimeToLive({ID: a.ID})).TTL, 10n)
    await engine.close()
    engine = await openEmbedded(dir, {clock})
    const ttl = await engine.leaseTimeToLive({ID: a.ID, keys: true})
    assert.equal(ttl.TTL, 30n) // a full TTL again after the reopen (refreshed, never shortened)
    assert.deepEqual(ttl.keys.map(String), ['k1', 'k2'])
    assert.deepEqual(
      (await engine.leaseLeases()).leases.map((l) => l.ID),
      [a.ID],
    )
    await engine.leaseRevoke({ID: a.ID})
    assert.deepEqual(await keys(engine), [])
  })

  it('the expiry loop revokes an expired lease through the log; a renewal before expiry keeps it', async () => {
    const short = await engine.leaseGrant({ID: 1n, TTL: 5n})
    const kept = await engine.leaseGrant({ID: 2n, TTL: 5n})
    await engine.put({key: b('a'), value: b('1'), lease: short.ID})
    await engine.put({key: b('b'), value: b('1'), lease: short.ID})
    await engine.put({key: b('c'), value: b('1'), lease: kept.ID})
    clock.advance(4_000)
    assert.equal(await engine.member.leaseRenew(kept.ID), 5)
    await engine.member.revokeExpiredLeases()
    assert.equal((await keys(engine)).length, 3)
    clock.advance(1_000)
    await engine.member.revokeExpiredLeases()
    assert.deepEqual(await keys(engine), ['c@2'])
    const before = await engine.range({key: b('a'), rangeEnd: b('c'), revision: 4n})
    assert.equal(before.count, 2n)
    assert.equal(before.header!.revision, 5n, 'a and b deleted at one revision')
    assert.equal((await engine.leaseTimeToLive({ID: short.ID})).TTL, -1n)
    await assert.rejects(engine.member.leaseRenew(short.ID), {message: ErrorMessage.leaseNotFound})
  })

  it('keep-alive answers each request in order: the TTL, or 0 for a missing or expired lease', async () => {
    const {ID} = await engine.leaseGrant({TTL: 10n})
    await engine.put({key: b('k'), value: b('v'), lease: ID})
    const stream = engine.leaseKeepAlive()
    const responses: LeaseKeepAliveResponse[] = []
    const reading = (async () => {
      for await (const response of stream) responses.push(response)
    })()
    clock.advance(3_000)
    stream.send({ID})
    stream.send({ID: 777n})
    while (responses.length < 2) await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(
      responses.map((r) => [r.ID, r.TTL]),
      [
        [ID, 10n],
        [777n, 0n],
      ],
    )
    assert.equal((await engine.leaseTimeToLive({ID})).TTL, 10n)
    assert.equal(responses[0]!.header!.revision, 2n)
    // An expired lease: the answer waits for the revoke, so the key is gone when it comes.
    clock.advance(10_000)
    stream.send({ID})
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(responses.length, 2, 'no answer before the revoke')
    await engine.member.revokeExpiredLeases()
    while (responses.length < 3) await new Promise((resolve) => setImmediate(resolve))
    assert.equal(responses[2]!.TTL, 0n)
    assert.deepEqual(await keys(engine), [])
    stream.close()
    await reading
    stream.send({ID}) // ignored after close
  })

  it('a watcher sees the deletes of a revoke, all at one revision', async () => {
    const {ID} = await engine.leaseGrant({TTL: 60n})
    const watch = engine.watch()
    watch.send({createRequest: WatchCreateRequest.fromPartial({key: b('a'), rangeEnd: b('z')})})
    const events = watch[Symbol.asyncIterator]()
    assert.equal((await events.next()).value.created, true)
    await engine.put({key: b('b'), value: b('1'), lease: ID})
    await engine.put({key: b('c'), value: b('1'), lease: ID})
    await engine.leaseRevoke({ID})
    const seen: string[] = []
    while (seen.length < 4) {
      const {value} = await events.next()
      for (const event of value.events) seen.push(`${event.type}:${event.kv.key}@${event.kv.modRevision}`)
    }
    assert.deepEqual(seen, ['0:b@2', '0:c@3', '1:b@4', '1:c@4'])
    watch.close()
  })

  it('closing the engine ends open keep-alive streams with `server stopped`', async () => {
    const stream = engine.leaseKeepAlive()
    const reading = (async () => {
      for await (const response of stream) void response
    })()
    const ended = assert.rejects(reading, {message: ErrorMessage.stopped})
    await engine.close()
    await ended
    engine = await openEmbedded(dir, {clock})
  })
})

describe('a real lease on the real clock', () => {
  it('expires through the member loop and its keys are deleted at one revision', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lease-engine-'))
    const engine = await openEmbedded(dir)
    try {
      // Taken before the grant: the lease's expiry (apply time + 2 s) is at least this + 2 s.
      const grantedAt = performance.now()
      const {ID, TTL} = await engine.leaseGrant({TTL: 2n})
      assert.equal(TTL, 2n)
      await engine.put({key: b('a'), value: b('1'), lease: ID})
      await engine.put({key: b('b'), value: b('1'), lease: ID})
      let remaining = await keys(engine)
      while (remaining.length > 0 && performance.now() - grantedAt < 8_000) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        remaining = await keys(engine)
      }
      const elapsedMs = performance.now() - grantedAt
      assert.deepEqual(remaining, [])
      assert.ok(elapsedMs >= 2_000, `expired after only ${elapsedMs} ms`)
      // 2 s TTL + a check every 500 ms; the rest is slack for a loaded machine.
      assert.ok(elapsedMs < 4_500, `expired after ${elapsedMs} ms`)
      const r = await engine.range({key: b('a')})
      assert.equal(r.header!.revision, 4n, 'one revision for both deletes')
      assert.equal((await engine.leaseTimeToLive({ID})).TTL, -1n)
    } finally {
      await engine.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
