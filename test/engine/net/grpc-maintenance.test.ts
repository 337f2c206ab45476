// Maintenance (Snapshot stream, Defragment, MoveLeader), Cluster and the Lock and Election
// services of the embedded engine over gRPC.
import assert from 'node:assert/strict'
import {once} from 'node:events'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import type {LeaderResponse, CampaignResponse} from '../../../src/api/proto/v3election.js'
import type {SnapshotResponse} from '../../../src/api/proto/rpc.js'
import {snapshotStatus} from '../../../src/engine/etcd/snapshot-file.js'
import {RawGrpcClient} from '../../../src/engine/net/grpc/raw-client.js'
import {serveDataDir, type ServingDataDir} from '../../../src/engine/net/grpc/serve-datadir.js'

const key = (text: string) => Buffer.from(text)

describe('maintenance, cluster, lock and election over gRPC', () => {
  let dataDir: string
  let serving: ServingDataDir
  let client: RawGrpcClient

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'grpc-maintenance-'))
    serving = await serveDataDir({
      dataDir: join(dataDir, 'data'),
      member: {name: 'm1', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379']},
      listen: ['127.0.0.1:0'],
      maxRequestBytes: 1.5 * 1024 * 1024,
    })
    client = new RawGrpcClient(`127.0.0.1:${serving.ports[0]}`)
  })
  after(async () => {
    client.close()
    await serving.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  const grant = async (ttl = 30n) => (await client.unary('etcdserverpb.Lease', 'LeaseGrant', {TTL: ttl})).ID

  test('Snapshot streams the backend in chunks counting down to a last message with the trailer', async () => {
    for (let i = 0; i < 300; i++) await client.unary('etcdserverpb.KV', 'Put', {key: key(`s${i}`), value: Buffer.alloc(500, 'v')})
    const stream = client.serverStream('etcdserverpb.Maintenance', 'Snapshot', {})
    const messages: SnapshotResponse[] = []
    stream.on('data', (m: SnapshotResponse) => messages.push(m))
    await once(stream, 'end')
    assert.ok(messages.length > 2)
    const total = messages.reduce((n, m) => n + m.blob.length, 0)
    let remaining = total
    for (const m of messages) {
      remaining -= m.blob.length
      assert.equal(m.remainingBytes, BigInt(remaining))
    }
    assert.equal(messages.at(-1)!.blob.length, 544)
    assert.equal(total % 512, 32)
    const file = join(dataDir, 'snap.db')
    await writeFile(file, Buffer.concat(messages.map((m) => m.blob)))
    const status = await snapshotStatus(file)
    assert.equal(status.revision, 301)
    assert.equal(status.totalSize, total - 544)
  })

  test('Defragment, MoveLeader and the member list', async () => {
    const status = await client.unary('etcdserverpb.Maintenance', 'Status', {})
    assert.ok((await client.unary('etcdserverpb.Maintenance', 'Defragment', {})).header)
    await client.unary('etcdserverpb.Maintenance', 'MoveLeader', {targetID: status.leader})
    await assert.rejects(client.unary('etcdserverpb.Maintenance', 'MoveLeader', {targetID: 5n}), {message: 'etcdserver: bad leader transferee'})
    const list = await client.unary('etcdserverpb.Cluster', 'MemberList', {})
    assert.deepEqual(
      list.members.map((m) => [m.name, m.peerURLs, m.clientURLs]),
      [['m1', ['http://127.0.0.1:2380'], ['http://127.0.0.1:2379']]],
    )
    await assert.rejects(client.unary('etcdserverpb.Cluster', 'MemberRemove', {ID: status.leader}), {
      message: 'etcdserver: re-configuration failed due to not enough started members',
    })
  })

  test('Lock excludes: the second locker waits until Unlock, a cancelled waiter gives its place back', async () => {
    const [a, b] = [await grant(), await grant()]
    const first = await client.unary('v3lockpb.Lock', 'Lock', {name: key('job'), lease: a})
    assert.equal(first.key.toString(), `job/${a.toString(16)}`)
    let secondHeld = false
    const second = client.unary('v3lockpb.Lock', 'Lock', {name: key('job'), lease: b}).then((r) => {
      secondHeld = true
      return r
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(secondHeld, false)
    await client.unary('v3lockpb.Lock', 'Unlock', {key: first.key})
    const got = await second
    assert.equal(got.key.toString(), `job/${b.toString(16)}`)
    assert.ok(got.header!.revision > first.header!.revision)
    await client.unary('v3lockpb.Lock', 'Unlock', {key: got.key})
    // a lock on a lease that does not exist fails in etcd's words
    await assert.rejects(client.unary('v3lockpb.Lock', 'Lock', {name: key('job'), lease: 12345n}), {message: 'etcdserver: requested lease not found'})
  })

  test('Election: leaders in campaign order, Proclaim, Leader, Observe, Resign', async () => {
    const [a, b] = [await grant(), await grant()]
    const observer = client.serverStream('v3electionpb.Election', 'Observe', {name: key('e')})
    const seen: string[] = []
    observer.on('data', (m: LeaderResponse) => seen.push(m.kv!.value.toString()))
    observer.on('error', () => undefined)
    const first: CampaignResponse = await client.unary('v3electionpb.Election', 'Campaign', {name: key('e'), lease: a, value: key('one')})
    assert.equal(first.leader!.key.toString(), `e/${a.toString(16)}`)
    let secondLeads = false
    const second = client.unary('v3electionpb.Election', 'Campaign', {name: key('e'), lease: b, value: key('two')}).then((r) => {
      secondLeads = true
      return r
    })
    await client.unary('v3electionpb.Election', 'Proclaim', {leader: first.leader, value: key('uno')})
    assert.equal((await client.unary('v3electionpb.Election', 'Leader', {name: key('e')})).kv!.value.toString(), 'uno')
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(secondLeads, false)
    await client.unary('v3electionpb.Election', 'Resign', {leader: first.leader})
    const next = await second
    assert.equal(next.leader!.lease, b)
    assert.equal((await client.unary('v3electionpb.Election', 'Leader', {name: key('e')})).kv!.value.toString(), 'two')
    await assert.rejects(client.unary('v3electionpb.Election', 'Proclaim', {leader: first.leader, value: key('x')}), {message: 'election: not leader'})
    const deadline = Date.now() + 5000
    while (seen.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(seen, ['one', 'uno', 'two'])
    ;(observer as unknown as {cancel(): void}).cancel()
    await client.unary('v3electionpb.Election', 'Resign', {leader: next.leader})
    await assert.rejects(client.unary('v3electionpb.Election', 'Leader', {name: key('e')}), {message: 'election: no leader'})
  })
})
