// Leases in a 3-member cluster: only the leader's lessor counts time, so a keep-alive or a
// time-to-live asked of a follower is answered by the leader; a lease kept alive through a
// follower outlives its TTL; once the keep-alives stop, the leader revokes it and every member
// loses its keys in the same revision.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import type {LeaseKeepAliveResponse} from '../../src/api/proto/rpc.js'
import {agreedLeader, eventually, get} from './client.js'
import {type LocalCluster, startCluster, within} from './harness.js'

let cluster: LocalCluster
before(async () => {
  cluster = await startCluster(3)
})
after(async () => {
  await cluster?.stop()
})

test('a lease kept alive through a follower outlives its TTL; once not, the leader revokes it everywhere', async () => {
  const leader = await agreedLeader(cluster.members, 10_000)
  const [f1, f2] = cluster.members.filter((m) => m !== leader) as [typeof leader, typeof leader]
  // a follower forwards keep-alives to the client URL the leader published through the log:
  // wait until both followers have it, as a client would retry until then
  for (const follower of [f1, f2]) {
    await eventually(`every member's client URLs known to ${follower.name}`, 10_000, async () => {
      const list = await follower.client!.unary('etcdserverpb.Cluster', 'MemberList', {})
      return list.members.length === 3 && list.members.every((m) => m.clientURLs.length > 0) ? true : undefined
    })
  }
  const ttlSeconds = 2n
  const grant = await within(f1.client!.unary('etcdserverpb.Lease', 'LeaseGrant', {TTL: ttlSeconds}), 5_000, 'lease grant')
  const id = grant.ID
  await within(f2.client!.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('leased'), value: Buffer.from('1'), lease: id}), 5_000, 'put')

  const stream = f2.client!.bidi('etcdserverpb.Lease', 'LeaseKeepAlive')
  const answers: LeaseKeepAliveResponse[] = []
  stream.on('data', (response: LeaseKeepAliveResponse) => answers.push(response))
  stream.on('error', () => undefined)
  const started = performance.now()
  while (performance.now() - started < 2 * Number(ttlSeconds) * 1000 + 500) {
    stream.write({ID: id})
    await new Promise((resolve) => setTimeout(resolve, 400))
  }
  stream.end()
  assert.ok(answers.length > 0 && answers.every((a) => a.ID === id && a.TTL === ttlSeconds), JSON.stringify(answers.map((a) => String(a.TTL))))
  for (const member of cluster.members) assert.equal(await get(member, 'leased'), '1', `the key outlives the TTL on ${member.name}`)

  const ttl = await within(f1.client!.unary('etcdserverpb.Lease', 'LeaseTimeToLive', {ID: id, keys: true}), 5_000, 'time to live')
  assert.equal(ttl.grantedTTL, ttlSeconds)
  // still granted (-1 would say gone); how much of it remains depends on how loaded the machine is
  assert.ok(ttl.TTL >= 0n && ttl.TTL <= ttlSeconds, `remaining TTL ${ttl.TTL}`)
  assert.deepEqual(ttl.keys.map((k) => k.toString()), ['leased'])

  // no more keep-alives: the leader's expiry loop revokes it within TTL + its check interval
  for (const member of cluster.members) {
    await eventually(`the key gone on ${member.name}`, 8_000, async () => ((await get(member, 'leased', true)) === undefined ? true : undefined), 100)
  }
  const gone = await within(f2.client!.unary('etcdserverpb.Lease', 'LeaseTimeToLive', {ID: id}), 5_000, 'time to live')
  assert.equal(gone.TTL, -1n)
})
