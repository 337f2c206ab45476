// SIGSTOP in a 3-member cluster of `ectl server` processes: a paused follower does not stop
// the cluster and catches up once resumed; a paused leader is replaced (check-quorum and
// pre-vote keep the old one from disturbing anyone when it wakes) and, resumed, follows the
// new leader with every acknowledged write; every member's HashKV agrees; the history of
// clients on every member across the pause is linearizable.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {agreedLeader, eventually, getPrefix, hashKV, put, status} from './client.js'
import {type LocalCluster, startCluster} from './harness.js'
import {assertLinearizable, RecordedLoad} from './history.js'

let cluster: LocalCluster
before(async () => {
  cluster = await startCluster(3)
})
after(async () => {
  await cluster?.stop()
})

async function caughtUp(members: LocalCluster['members'], leaderIndex: bigint): Promise<void> {
  for (const member of members) {
    await eventually(`${member.name} catches up`, 15_000, async () => ((await status(member)).raftAppliedIndex >= leaderIndex ? true : undefined))
  }
}

test('a paused follower: the cluster goes on; resumed, it catches up', async () => {
  const members = cluster.members
  const leader = await agreedLeader(members, 10_000)
  const follower = members.find((m) => m !== leader)!
  await follower.signal('SIGSTOP')
  try {
    for (let i = 0; i < 40; i++) await put(leader, `pf/${i}`, `${i}`)
  } finally {
    await follower.signal('SIGCONT')
  }
  await caughtUp(members, (await status(leader)).raftIndex)
  assert.equal((await getPrefix(follower, 'pf/')).size, 40)
  assert.equal(await agreedLeader(members, 5_000), leader, 'the leader kept its place')
})

test('a paused leader is replaced; resumed, it follows and has every acknowledged write; HashKV agrees', async () => {
  const members = cluster.members
  const leader = await agreedLeader(members, 10_000)
  const others = members.filter((m) => m !== leader)
  for (let i = 0; i < 10; i++) await put(leader, `pl/before/${i}`, `${i}`)
  // clients of every member, across the pause and the resumption, whose history must be linearizable
  const load = new RecordedLoad(members, {keys: ['lin/a', 'lin/b', 'lin/c', 'lin/d'], clientsPerMember: 1, opTimeoutMs: 2_000, backoffMs: 100})
  await eventually('ops before the pause', 10_000, async () => (load.acknowledged >= 20 ? true : undefined))
  await leader.signal('SIGSTOP')
  let resumed = false
  try {
    const started = performance.now()
    const next = await agreedLeader(others, 8_000)
    process.stderr.write(`# leader ${leader.name} paused; ${next.name} leads after ${(performance.now() - started).toFixed(0)} ms\n`)
    const base = load.acknowledged
    for (let i = 0; i < 20; i++) await put(others[i % 2]!, `pl/after/${i}`, `${i}`)
    await eventually('ops under the new leader', 10_000, async () => (load.acknowledged >= base + 20 ? true : undefined))
    await leader.signal('SIGCONT')
    resumed = true
    const agreed = await agreedLeader(members, 10_000)
    assert.equal(agreed, next, 'the woken leader follows the new one')
    const statuses = await Promise.all(members.map((m) => status(m)))
    assert.equal(new Set(statuses.map((s) => s.raftTerm)).size, 1, 'one term everywhere')
    await caughtUp(members, (await status(next)).raftIndex)
  } finally {
    if (!resumed) await leader.signal('SIGCONT')
    await load.stop()
  }
  assertLinearizable(load)
  const seen = await getPrefix(leader, 'pl/')
  assert.equal(seen.size, 30, `the resumed member has ${seen.size} of 30 writes`)
  const hashes = await eventually('one revision everywhere', 10_000, async () => {
    const all = await Promise.all(members.map((m) => hashKV(m)))
    return all.every((h) => h.revision === all[0]!.revision) ? all : undefined
  })
  assert.equal(new Set(hashes.map((h) => h.hash)).size, 1)
})
