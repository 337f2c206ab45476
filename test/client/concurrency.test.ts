// The concurrency recipes on the real embedded engine (leases, watch, txn), one data dir per test.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, test} from 'node:test'
import {Election, Mutex, Session, type ConcurrencyClient} from '../../src/client/etcd/concurrency/index.js'
import {openEmbedded} from '../../src/engine/etcd/embedded.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function engine(): Promise<ConcurrencyClient> {
  const dir = await mkdtemp(join(tmpdir(), 'concurrency-'))
  const etcd = await openEmbedded(dir)
  cleanups.push(async () => {
    await etcd.close()
    await rm(dir, {recursive: true, force: true})
  })
  return etcd
}

async function session(client: ConcurrencyClient, ttlSeconds = 10): Promise<Session> {
  const s = await Session.create(client, {ttlSeconds})
  cleanups.push(async () => s.orphan())
  return s
}

/** Records when a promise settles, so a test can say "not yet" without sleeping on it. */
function track<T>(promise: Promise<T>): {settled: () => boolean; promise: Promise<T>} {
  let settled = false
  const tracked = promise.finally(() => (settled = true))
  tracked.catch(() => undefined)
  return {settled: () => settled, promise: tracked}
}

/** Lets the engine apply, watch and answer whatever is in flight. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

/** Waits until `condition` holds (polling), so a loaded machine only makes the test slower. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('mutex: the first locker holds at once; waiters take the lock in order, each watching its predecessor only', async () => {
  const client = await engine()
  const [a, b, c] = [new Mutex(await session(client), 'lk'), new Mutex(await session(client), 'lk'), new Mutex(await session(client), 'lk')]
  await a.lock()
  assert.match(a.key.toString(), /^lk\/[0-9a-f]+$/)
  const waitedOn = {b: [] as string[], c: [] as string[]}
  const bLocked = track(b.lock(undefined, (k) => waitedOn.b.push(k.toString())))
  await until(() => waitedOn.b.length > 0)
  const cLocked = track(c.lock(undefined, (k) => waitedOn.c.push(k.toString())))
  await until(() => waitedOn.c.length > 0)
  assert.deepEqual(waitedOn, {b: [a.key.toString()], c: [b.key.toString()]})
  assert.ok(a.revision < b.revision && b.revision < c.revision)

  await a.unlock()
  await bLocked.promise
  await settle()
  assert.equal(cLocked.settled(), false, 'c waits for b, not for a')
  assert.deepEqual(waitedOn.c, [b.key.toString()], 'a leaving did not wake c')
  await b.unlock()
  await cLocked.promise
  const holders = await client.range({key: Buffer.from('lk/'), rangeEnd: Buffer.from('lk0')})
  assert.deepEqual(holders.kvs.map((kv) => kv.key.toString()), [c.key.toString()])
})

test('mutex: a waiter that gives up deletes its key; the one behind it then waits on the next older key', async () => {
  const client = await engine()
  const [a, b, c] = [new Mutex(await session(client), 'lk'), new Mutex(await session(client), 'lk'), new Mutex(await session(client), 'lk')]
  await a.lock()
  const giveUp = new AbortController()
  let bWaiting = false
  const bLocked = track(b.lock(giveUp.signal, () => (bWaiting = true)))
  await until(() => bWaiting)
  const waitedOn: string[] = []
  const cLocked = track(c.lock(undefined, (k) => waitedOn.push(k.toString())))
  await until(() => waitedOn.length > 0)
  const bKey = b.key.toString()
  giveUp.abort()
  await assert.rejects(bLocked.promise)
  await until(() => waitedOn.length > 1)
  assert.deepEqual(waitedOn, [bKey, a.key.toString()])
  assert.equal(cLocked.settled(), false)
  assert.equal((await client.range({key: Buffer.from(bKey)})).kvs.length, 0, 'the abandoned key is gone')
  await a.unlock()
  await cLocked.promise
})

test('mutex: the header of an uncontended lock is the revision that created the key', async () => {
  const client = await engine()
  await client.put({key: Buffer.from('x'), value: Buffer.from('1')})
  const m = new Mutex(await session(client), 'solo')
  await m.lock()
  assert.equal(m.header?.revision, m.revision)
  assert.equal(m.revision, 3n)
})

test('session: close revokes the lease and its keys; done says orphaned', async () => {
  const client = await engine()
  const s = await Session.create(client, {ttlSeconds: 5})
  await client.put({key: Buffer.from('on-lease'), value: Buffer.from('v'), lease: s.leaseId})
  await s.close()
  assert.equal(await s.done, 'orphaned')
  assert.equal((await client.range({key: Buffer.from('on-lease')})).kvs.length, 0)
  assert.equal((await client.leaseTimeToLive({ID: s.leaseId})).TTL, -1n)
})

test('session: keeps a short lease alive past its TTL, and is lost when the lease is revoked elsewhere', async () => {
  const client = await engine()
  const s = await session(client, 2)
  await new Promise((resolve) => setTimeout(resolve, 2_500))
  const ttl = await client.leaseTimeToLive({ID: s.leaseId})
  assert.ok(ttl.TTL > 0n, `still alive after its TTL (remaining ${ttl.TTL}s)`)
  assert.equal(s.isDone, false)
  await client.leaseRevoke({ID: s.leaseId})
  assert.equal(await s.done, 'lost')
})

test('election: campaign, observe, proclaim, resign hands over to the next candidate', async () => {
  const client = await engine()
  const first = new Election(await session(client), 'el')
  const second = new Election(await session(client), 'el')
  const watcher = new Election(await session(client), 'el')
  await assert.rejects(watcher.leader(), /election: no leader/)

  const stop = new AbortController()
  const seen: string[] = []
  const observing = (async () => {
    for await (const leader of watcher.observe(stop.signal)) seen.push(`${leader.kvs[0]!.key.toString().replace(/[0-9a-f]+$/, 'ID')}=${leader.kvs[0]!.value}`)
  })()
  await settle()
  await first.campaign('one')
  const secondLeads = track(second.campaign('two'))
  await settle()
  assert.equal(secondLeads.settled(), false)
  await first.proclaim('one-again')
  await assert.rejects(watcher.proclaim('usurp'), /election: not leader/, 'only a candidate proclaims')
  await first.resign()
  await secondLeads.promise
  assert.equal((await watcher.leader()).kvs[0]!.value.toString(), 'two')
  await until(() => seen.length >= 3)
  stop.abort()
  await observing
  assert.deepEqual(seen, ['el/ID=one', 'el/ID=one-again', 'el/ID=two'])
})
