// A 3-member cluster of `ectl server` processes: writes through any member are read back
// linearizably on every member; the leader killed with SIGKILL under a steady writer is
// replaced within the election bound and no acknowledged write is lost; the killed member,
// restarted from its snapshot record and log, catches up; every member's HashKV agrees; the
// history of clients on every member across the kill is linearizable.
import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {agreedLeader, eventually, get, getPrefix, hashKV, put, status} from './client.js'
import {type LocalCluster, startCluster} from './harness.js'
import {assertLinearizable, RecordedLoad} from './history.js'

let cluster: LocalCluster
before(async () => {
  // a small --snapshot-count so the restart below starts from a snapshot record, not index 1
  cluster = await startCluster(3, ['--snapshot-count', '50'])
})
after(async () => {
  await cluster?.stop()
})

test('writes through any member are read back linearizably on every member', async () => {
  const members = cluster.members
  await agreedLeader(members, 10_000)
  for (let i = 0; i < 30; i++) await put(members[i % 3]!, `any/${i}`, `v${i}`)
  for (const member of members) {
    const seen = await getPrefix(member, 'any/')
    assert.equal(seen.size, 30, `${member.name} sees every write`)
    assert.equal(seen.get('any/29'), 'v29')
  }
  // a write on one member is visible at once to a linearizable read on another
  for (let i = 0; i < 10; i++) {
    await put(members[i % 3]!, 'latest', `x${i}`)
    assert.equal(await get(members[(i + 1) % 3]!, 'latest'), `x${i}`)
  }
})

test('SIGKILL of the leader: a new leader, no acknowledged write lost; the member restarts and catches up; HashKV agrees', async () => {
  const members = cluster.members
  const leader = await agreedLeader(members, 10_000)
  const acknowledged = new Map<string, string>()
  // beside the writers, clients of every member whose history must be linearizable
  const load = new RecordedLoad(members, {keys: ['lin/a', 'lin/b', 'lin/c', 'lin/d'], clientsPerMember: 1, opTimeoutMs: 2_000, backoffMs: 100})
  let writing = true
  let n = 0
  // one writer per member, each through its own member (followers forward to the leader)
  const writers = members.map(async (member) => {
    while (writing) {
      if (member === leader && !member.running) return
      const key = `w/${member.name}/${n++}`
      try {
        await put(member, key, key, 2_000)
        acknowledged.set(key, key)
      } catch {
        // not acknowledged: may or may not have been applied
      }
    }
  })
  await eventually('writes before the kill', 10_000, async () => (acknowledged.size >= 60 ? true : undefined))
  const killedAt = performance.now()
  await leader.signal('SIGKILL')
  const survivors = members.filter((m) => m !== leader)
  const newLeader = await agreedLeader(survivors, 5_000)
  const electedMs = performance.now() - killedAt
  const before = acknowledged.size
  await eventually('writes after the kill', 10_000, async () => (acknowledged.size >= before + 30 ? true : undefined))
  writing = false
  await Promise.all([...writers, load.stop()])
  assertLinearizable(load)
  process.stderr.write(`# leader ${leader.name} killed; ${newLeader.name} leads after ${electedMs.toFixed(0)} ms\n`)
  assert.ok(newLeader !== leader)
  assert.ok(electedMs < 4_000, `a new leader took ${electedMs} ms`)

  for (const member of survivors) {
    const seen = await getPrefix(member, 'w/')
    for (const key of acknowledged.keys()) assert.equal(seen.get(key), key, `${key} acknowledged but missing on ${member.name}`)
  }

  // the killed member restarts from a snapshot record past the initial one, plus its log
  const record = JSON.parse(await readFile(join(leader.dataDir, 'member', 'snap', 'raft.json'), 'utf8')) as {index: number}
  assert.ok(record.index > 1, `snapshot record at index ${record.index}`)
  await leader.start()
  const target = (await status(newLeader)).raftIndex
  await eventually('the restarted member catches up', 15_000, async () => ((await status(leader)).raftAppliedIndex >= target ? true : undefined))
  const seen = await getPrefix(leader, 'w/')
  for (const key of acknowledged.keys()) assert.equal(seen.get(key), key, `${key} missing on the restarted ${leader.name}`)
  const hashes = await eventually('every member at one revision', 10_000, async () => {
    const all = await Promise.all(members.map((m) => hashKV(m)))
    return all.every((h) => h.revision === all[0]!.revision) ? all : undefined
  })
  assert.deepEqual(new Set(hashes.map((h) => h.hash)).size, 1, `HashKV differs: ${JSON.stringify(hashes.map((h) => [h.hash, String(h.revision)]))}`)
})
