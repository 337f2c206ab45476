// The real etcdctl 3.4 against a 3-member cluster of `ectl server`: member list shows every
// member started with its name and URLs (ids as etcd derives them), endpoint status --cluster
// shows one leader and the same raft term everywhere, health and hashkv agree, and
// move-leader hands leadership to the member named; our ectl prints the same.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {computeMemberId} from '../../src/engine/etcd/membership.js'
import {etcdctlBinary} from '../compat/harness/real-etcd.js'
import {runProcess} from '../compat/harness/run-process.js'
import {ectlLauncher} from '../compat/harness/script.js'
import {agreedLeader, eventually, put, status} from './client.js'
import {cleanEnv, type LocalCluster, startCluster} from './harness.js'

let cluster: LocalCluster
before(async () => {
  cluster = await startCluster(3)
})
after(async () => {
  await cluster?.stop()
})

const etcdctl = async (endpoints: string, ...args: string[]) => {
  const result = await runProcess({command: etcdctlBinary, args: ['--endpoints', endpoints, ...args], env: {...cleanEnv(), ETCDCTL_API: '3'}})
  assert.equal(result.exitCode, 0, `etcdctl ${args.join(' ')}: ${result.stderr.toString()}`)
  return result.stdout.toString()
}
const etcdctlBoth = async (endpoints: string, ...args: string[]) => {
  const result = await runProcess({command: etcdctlBinary, args: ['--endpoints', endpoints, ...args], env: {...cleanEnv(), ETCDCTL_API: '3'}})
  assert.equal(result.exitCode, 0, `etcdctl ${args.join(' ')}: ${result.stderr.toString()}`)
  return result.stdout.toString() + result.stderr.toString()
}
const ectl = async (endpoints: string, ...args: string[]) => {
  const result = await runProcess({command: process.execPath, args: [ectlLauncher, '--endpoints', endpoints, ...args], env: cleanEnv()})
  assert.equal(result.exitCode, 0, `ectl ${args.join(' ')}: ${result.stderr.toString()}`)
  return result.stdout.toString()
}

test('member list, endpoint status/health/hashkv --cluster and move-leader, by the real etcdctl and by ectl', async () => {
  const members = cluster.members
  await agreedLeader(members, 10_000)
  await put(members[0]!, 'k', 'v')
  const one = members[1]!.endpoint

  // every member started (published through the log), listed by id as etcd lists them
  const expected = members
    .map((m) => {
      const id = computeMemberId([m.peerUrl], 'ectl-cluster-test')
      return {id, line: `${id.toString(16)}, started, ${m.name}, ${m.peerUrl}, http://${m.endpoint}, false`}
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((m) => m.line)
  const listed = await eventually('every member started', 10_000, async () => {
    const out = await etcdctl(one, 'member', 'list')
    return out.includes('unstarted') || out.includes(', , ') ? undefined : out
  })
  assert.equal(listed, expected.join('\n') + '\n')
  assert.equal(await ectl(one, 'member', 'list'), listed)

  // one leader, one term, every index filled in
  const table = await etcdctl(one, 'endpoint', 'status', '--cluster', '-w', 'table')
  const rows = table.split('\n').filter((line) => line.startsWith('| http'))
  assert.equal(rows.length, 3, table)
  const cells = rows.map((row) => row.split('|').map((cell) => cell.trim()))
  assert.deepEqual(cells.map((c) => c[5]).sort(), ['false', 'false', 'true'], table)
  assert.equal(new Set(cells.map((c) => c[7])).size, 1, `one raft term: ${table}`)
  for (const c of cells) assert.match(`${c[8]} ${c[9]}`, /^[1-9]\d* [1-9]\d*$/, table)
  const ours = await ectl(one, 'endpoint', 'status', '--cluster', '-w', 'table')
  assert.equal(ours.split('\n').filter((line) => line.startsWith('| http')).length, 3, ours)

  // etcdctl 3.4 reports health on stderr
  const health = await etcdctlBoth(one, 'endpoint', 'health', '--cluster')
  assert.equal(health.split('\n').filter((line) => / is healthy: successfully committed proposal/.test(line)).length, 3, health)
  const hashes = await etcdctl(one, 'endpoint', 'hashkv', '--cluster')
  assert.equal(new Set(hashes.trim().split('\n').map((line) => line.split(', ')[1])).size, 1, hashes)

  // move-leader: etcdctl finds the leader among the endpoints and asks it
  const leader = await agreedLeader(members, 10_000)
  const target = members.find((m) => m !== leader)!
  const targetId = (await status(target)).header!.memberId
  const all = members.map((m) => m.endpoint).join(',')
  const moved = await etcdctl(all, 'move-leader', targetId.toString(16))
  assert.match(moved, new RegExp(`^Leadership transferred from ${(await status(leader)).header!.memberId.toString(16)} to ${targetId.toString(16)}\\n$`))
  assert.equal(await agreedLeader(members, 5_000), target)
})
