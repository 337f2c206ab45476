// Membership changes in a running cluster of `ectl server` processes, driven by `ectl member`:
// a learner is added, started with --initial-cluster-state existing, catches up from a snapshot
// of the leader's store and then its log (refusing linearizable reads and writes meanwhile), is promoted once in sync
// (asked of a follower, which asks the leader) and then takes writes; a member removed stops on
// its own while the rest keep quorum and serve; a restart keeps the new membership; a member's
// peer URLs are updated and it is restarted listening there.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {freePort} from '../compat/harness/real-etcd.js'
import {runProcess} from '../compat/harness/run-process.js'
import {ectlLauncher} from '../compat/harness/script.js'
import {agreedLeader, eventually, get, getPrefix, put, status} from './client.js'
import {cleanEnv, ClusterProcess, type LocalCluster, memberArgs, startCluster} from './harness.js'

let cluster: LocalCluster
before(async () => {
  // a small --snapshot-count and catch-up window: the log a new member needs is gone by the time it
  // starts, so it catches up from a snapshot of the leader's store (configuration and roster included)
  cluster = await startCluster(3, ['--snapshot-count', '100', '--experimental-snapshot-catchup-entries', '10'])
})
after(async () => {
  await cluster?.stop()
})

const ectlRun = (endpoints: string, ...args: string[]) =>
  runProcess({command: process.execPath, args: [ectlLauncher, '--endpoints', endpoints, ...args], env: cleanEnv()})
const ectl = async (endpoints: string, ...args: string[]) => {
  const result = await ectlRun(endpoints, ...args)
  assert.equal(result.exitCode, 0, `ectl ${args.join(' ')}: ${result.stderr.toString()}`)
  return result.stdout.toString()
}
const running = () => cluster.members.filter((m) => m.running)
const endpoints = () => running().map((m) => m.endpoint).join(',')
const idOf = async (member: ClusterProcess) => (await status(member)).header!.memberId

test('a learner joins, catches up, is promoted and takes writes; a removed member stops; a restart keeps the membership', async () => {
  const [m1, m2, m3] = cluster.members as [ClusterProcess, ClusterProcess, ClusterProcess]
  await agreedLeader(cluster.members, 10_000)
  for (let i = 0; i < 150; i++) await put(cluster.members[i % 3]!, `before/${i}`, `v${i}`)

  const peerUrl = `http://127.0.0.1:${await freePort()}`
  const added = await ectl(endpoints(), 'member', 'add', 'm4', `--peer-urls=${peerUrl}`, '--learner')
  const header = /^Member ([ 0-9a-f]{16}) added to cluster ([ 0-9a-f]{16})\n\n/.exec(added)
  assert.ok(header, added)
  const newId = BigInt(`0x${header[1]!.trim()}`)
  const initialCluster = /^ETCD_INITIAL_CLUSTER="(.*)"$/m.exec(added)![1]!
  assert.deepEqual(initialCluster.split(',').sort(), [...cluster.members.map((m) => `${m.name}=${m.peerUrl}`), `m4=${peerUrl}`].sort())
  assert.match(added, new RegExp(`\\nETCD_NAME="m4"\\nETCD_INITIAL_CLUSTER="[^"]+"\\nETCD_INITIAL_ADVERTISE_PEER_URLS="${peerUrl}"\\nETCD_INITIAL_CLUSTER_STATE="existing"\\n$`))
  // listed unstarted, as a learner, on every member
  for (const member of [m1, m2, m3]) {
    assert.ok((await ectl(member.endpoint, 'member', 'list')).includes(`${newId.toString(16)}, unstarted, , ${peerUrl}, , true`))
  }

  const m4 = cluster.joiner('m4', peerUrl, initialCluster)
  await m4.start()
  assert.equal(await idOf(m4), newId)
  assert.equal((await status(m4)).isLearner, true)
  // the learner catches up from the leader's log; it serves serializable reads only
  await eventually('the learner has every write', 15_000, async () => ((await getPrefix(m4, 'before/', true)).size === 150 ? true : undefined))
  await eventually('the learner logs its snapshot', 5_000, async () => (/installed snapshot at index \d+/.test(m4.log()) ? true : undefined))
  await assert.rejects(get(m4, 'before/1'), /etcdserver: rpc not supported for learner/)
  await assert.rejects(put(m4, 'k', 'v'), /etcdserver: rpc not supported for learner/)

  // promoted once in sync, asked of a follower (which asks the leader)
  const leader = await agreedLeader([m1, m2, m3], 10_000)
  const follower = [m1, m2, m3].find((m) => m !== leader)!
  const promoted = await eventually('the learner promoted', 15_000, async () => {
    const result = await ectlRun(follower.endpoint, 'member', 'promote', newId.toString(16))
    if (result.exitCode === 0) return result.stdout.toString()
    assert.match(result.stderr.toString(), /can only promote a learner member which is in sync with leader/)
    return undefined
  })
  assert.match(promoted, new RegExp(`^Member ${newId.toString(16).padStart(16, ' ')} promoted in cluster [ 0-9a-f]{16}\\n$`))
  await eventually('the member votes', 10_000, async () => ((await status(m4)).isLearner ? undefined : true))
  await put(m4, 'through/m4', 'yes')
  for (const member of [m1, m2, m3, m4]) assert.equal(await get(member, 'through/m4'), 'yes')
  const listed = await eventually('four started members', 10_000, async () => {
    const out = await ectl(endpoints(), 'member', 'list')
    return out.split('\n').filter((line) => line.includes(', started, ')).length === 4 ? out : undefined
  })
  assert.ok(listed.includes(`${newId.toString(16)}, started, m4, ${peerUrl}, http://${m4.endpoint}, false`), listed)

  // a voting member removed (not the leader): it stops on its own; the other three serve
  const current = await agreedLeader(cluster.members, 10_000)
  const gone = [m1, m2, m3].find((m) => m !== current)!
  const goneId = await idOf(gone)
  const asked = [m1, m2, m3, m4].find((m) => m !== gone)!
  const removed = await ectl(asked.endpoint, 'member', 'remove', goneId.toString(16))
  assert.match(removed, new RegExp(`^Member ${goneId.toString(16).padStart(16, ' ')} removed from cluster [ 0-9a-f]{16}\\n$`))
  assert.equal(await gone.exit(15_000), 0)
  assert.match(gone.log(), /the member has been permanently removed from the cluster/)
  const rest = [m1, m2, m3, m4].filter((m) => m !== gone)
  await agreedLeader(rest, 10_000)
  for (let i = 0; i < 10; i++) await put(rest[i % 3]!, `after/${i}`, `v${i}`)
  for (const member of rest) assert.equal((await getPrefix(member, 'after/')).size, 10)
  const three = await ectl(endpoints(), 'member', 'list')
  assert.equal(three.trim().split('\n').length, 3, three)
  assert.ok(!three.includes(goneId.toString(16)), three)
  // ids, names and peer URLs (a restarted member listens on a new client port)
  const withoutClientUrls = (list: string) => list.split('\n').map((line) => line.split(', ').filter((_, i) => i !== 4).join(', '))

  // a restart (the joined member too) keeps the membership: it ignores the initial flags
  for (const member of rest) {
    await member.stop()
    await member.start()
    await agreedLeader(rest, 15_000)
  }
  assert.deepEqual(withoutClientUrls(await ectl(endpoints(), 'member', 'list')), withoutClientUrls(three))
  await put(m4, 'after/restart', 'yes')
  for (const member of rest) assert.equal(await get(member, 'after/restart'), 'yes')
})

test("a member's peer URLs updated: restarted listening there, it rejoins", async () => {
  const rest = running()
  await agreedLeader(rest, 10_000)
  const moving = rest.find((m) => m.name !== 'm4') ?? rest[0]!
  const id = await idOf(moving)
  const newUrl = `http://127.0.0.1:${await freePort()}`
  const asked = rest.find((m) => m !== moving)!
  const updated = await ectl(asked.endpoint, 'member', 'update', id.toString(16), `--peer-urls=${newUrl}`)
  assert.match(updated, new RegExp(`^Member ${id.toString(16).padStart(16, ' ')} updated in cluster [ 0-9a-f]{16}\\n$`))
  await eventually('every member lists the new URL', 10_000, async () => {
    const lists = await Promise.all(rest.map((m) => ectl(m.endpoint, 'member', 'list')))
    return lists.every((out) => out.includes(`${id.toString(16)}, started, ${moving.name}, ${newUrl}, `)) ? true : undefined
  })
  await moving.stop()
  // the data dir keeps the membership (the initial flags are ignored): only where it listens changes
  const moved = new ClusterProcess(moving.name, moving.dataDir, newUrl, memberArgs(moving.name, moving.dataDir, newUrl, `${moving.name}=${newUrl}`, []))
  cluster.members[cluster.members.indexOf(moving)] = moved
  await moved.start()
  const others = rest.filter((m) => m !== moving)
  await agreedLeader([...others, moved], 15_000)
  await put(moved, 'moved', 'yes')
  for (const member of [...others, moved]) assert.equal(await get(member, 'moved'), 'yes')
})

test('shrunk to one member (the leader removed first), it serves alone, keeps Raft on restart, and grows again', async () => {
  const rest = running()
  const leader = await agreedLeader(rest, 10_000)
  const survivor = rest.find((m) => m !== leader)!
  const other = rest.find((m) => m !== leader && m !== survivor)!
  // the leader asked to remove itself: it answers, steps down and stops; the others elect a leader
  const leaderId = await idOf(leader)
  await ectl(leader.endpoint, 'member', 'remove', leaderId.toString(16))
  assert.equal(await leader.exit(15_000), 0)
  await agreedLeader([survivor, other], 15_000)
  await ectl(survivor.endpoint, 'member', 'remove', (await idOf(other)).toString(16))
  assert.equal(await other.exit(15_000), 0)
  await agreedLeader([survivor], 10_000)
  await put(survivor, 'alone', 'yes')
  assert.equal(await get(survivor, 'alone'), 'yes')
  // restarted, its data dir keeps it a one-member Raft cluster
  await survivor.stop()
  await survivor.start()
  await agreedLeader([survivor], 10_000)
  assert.equal((await ectl(survivor.endpoint, 'member', 'list')).trim().split('\n').length, 1)

  const peerUrl = `http://127.0.0.1:${await freePort()}`
  const added = await ectl(survivor.endpoint, 'member', 'add', 'm5', `--peer-urls=${peerUrl}`, '--learner')
  const id = BigInt(`0x${/^Member +([0-9a-f]+) /.exec(added)![1]}`)
  const m5 = cluster.joiner('m5', peerUrl, /^ETCD_INITIAL_CLUSTER="(.*)"$/m.exec(added)![1]!)
  await m5.start()
  await eventually('the learner promoted', 15_000, async () => ((await ectlRun(survivor.endpoint, 'member', 'promote', id.toString(16))).exitCode === 0 ? true : undefined))
  await put(m5, 'two', 'members')
  assert.equal(await get(survivor, 'two'), 'members')
  assert.equal(await get(m5, 'alone'), 'yes')
})
