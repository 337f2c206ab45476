// --quota-backend-bytes in a 3-member cluster: a write that would take the backend past the
// quota raises NOSPACE through the log, so every member lists the alarm and refuses writes
// with etcd's error, while deletes still go; disarming it on one member clears it everywhere.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {EtcdError} from '../../src/api/errors.js'
import {agreedLeader, eventually} from './client.js'
import {type LocalCluster, startCluster, within} from './harness.js'

let cluster: LocalCluster
before(async () => {
  cluster = await startCluster(3, ['--quota-backend-bytes', String(400 * 1024)])
})
after(async () => {
  await cluster?.stop()
})

const NOSPACE = 1

test('NOSPACE is raised through the log: every member lists it and refuses writes; a disarm clears it everywhere', async () => {
  const leader = await agreedLeader(cluster.members, 10_000)
  const follower = cluster.members.find((m) => m !== leader)!
  // a txn's nested puts count against the quota as a put does
  const value = Buffer.alloc(32 * 1024, 'v')
  let refused: unknown
  for (let i = 0; i < 200 && refused === undefined; i++) {
    const put = {requestPut: {key: Buffer.from(`k${i}`), value}}
    const nested = {requestTxn: {compare: [], success: [put], failure: []}}
    await within(follower.client!.unary('etcdserverpb.KV', 'Txn', {compare: [], success: [nested], failure: []}), 10_000, 'txn').catch(
      (error: unknown) => (refused = error),
    )
  }
  assert.ok(refused instanceof EtcdError, `no refusal: ${String(refused)}`)
  assert.equal(refused.message, 'etcdserver: mvcc: database space exceeded')

  for (const member of cluster.members) {
    await eventually(`${member.name} lists NOSPACE`, 10_000, async () => {
      const list = await member.client!.unary('etcdserverpb.Maintenance', 'Alarm', {action: 0, memberID: 0n, alarm: 0})
      return list.alarms.some((a) => a.alarm === NOSPACE) ? true : undefined
    })
    await assert.rejects(member.client!.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('more'), value: Buffer.from('x')}), {
      message: 'etcdserver: mvcc: database space exceeded',
    })
  }
  // deletes need no space
  const deleted = await within(leader.client!.unary('etcdserverpb.KV', 'DeleteRange', {key: Buffer.from('k0')}), 10_000, 'delete')
  assert.equal(deleted.deleted, 1n)

  const alarm = (await leader.client!.unary('etcdserverpb.Maintenance', 'Alarm', {action: 0, memberID: 0n, alarm: 0})).alarms[0]!
  await within(follower.client!.unary('etcdserverpb.Maintenance', 'Alarm', {action: 2, memberID: alarm.memberID, alarm: NOSPACE}), 10_000, 'disarm')
  for (const member of cluster.members) {
    await eventually(`${member.name} clears NOSPACE`, 10_000, async () => {
      const list = await member.client!.unary('etcdserverpb.Maintenance', 'Alarm', {action: 0, memberID: 0n, alarm: 0})
      return list.alarms.length === 0 ? true : undefined
    })
  }
})
