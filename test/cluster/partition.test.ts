// Network partitions in a 3-member cluster of `ectl server` processes, made by a proxy on every
// peer link (peer-proxy.ts), under concurrent clients on every member (puts, linearizable gets,
// compare-and-set txns on a few keys, each recorded with its times and result):
// the leader cut off silently in both directions, then a follower refused in both, then the
// leader's outgoing links refused (it still hears the others). Then: no acknowledged write is
// missing from any member's log, the history is linearizable, the cut-off member served no
// read or write while it was cut off, and every member's HashKV agrees at one revision.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {agreedLeader, eventually, status} from './client.js'
import {type ClusterProcess, type LocalCluster, startCluster} from './harness.js'
import {assertLinearizable, eventLog, RecordedLoad, type RecordedOp} from './history.js'
import {PeerProxy} from './peer-proxy.js'

const prefix = 'lin/'
/** How long each cut lasts at least (beyond the election it may cause). */
const cutHoldMs = 2_500
const keys = Array.from({length: 6}, (_, i) => `${prefix}k${i}`)

let cluster: LocalCluster
let proxy: PeerProxy
before(async () => {
  proxy = new PeerProxy()
  cluster = await startCluster(3, [], {proxy})
})
after(async () => {
  await cluster?.stop()
})

interface CutWindow {
  member: string
  fromMs: number
  toMs: number
}

test('partitions under load: no acknowledged write lost, linearizable, the minority serves nothing, HashKV agrees', async () => {
  const members = cluster.members
  await agreedLeader(members, 10_000)
  const load = new RecordedLoad(members, {keys, clientsPerMember: 2, opTimeoutMs: 2_000, backoffMs: 100})
  const windows: CutWindow[] = []
  const progress = async (what: string, count: number) => {
    const base = load.acknowledged
    await eventually(what, 20_000, async () => (load.acknowledged >= base + count ? true : undefined))
  }
  const partitioned = async (member: ClusterProcess, cut: () => void, majority: () => Promise<unknown>) => {
    const fromMs = load.now()
    cut()
    await majority()
    // the cut holds a while: the member's clients keep trying (and timing out) meanwhile
    await Promise.all([progress(`acknowledged ops while ${member.name} is cut off`, 60), sleep(cutHoldMs)])
    windows.push({member: member.name, fromMs, toMs: load.now()})
    proxy.heal()
    await agreedLeader(members, 15_000)
  }
  try {
    await progress('acknowledged ops before any partition', 40)

    // 1. the leader, silently cut off both ways: the others elect a leader of their own
    const first = await agreedLeader(members, 5_000)
    const rest = members.filter((m) => m !== first)
    await partitioned(first, () => proxy.isolate(first.name, 'both', 'stall'), () => agreedLeader(rest, 15_000))

    // 2. a follower whose links are refused both ways: the leader goes on with the third member
    const leader = await agreedLeader(members, 5_000)
    const follower = members.find((m) => m !== leader)!
    await partitioned(follower, () => proxy.isolate(follower.name, 'both', 'drop'), async () => undefined)

    // 3. the leader can hear but not speak: the others elect a leader; the old one follows it
    const third = await agreedLeader(members, 5_000)
    const others = members.filter((m) => m !== third)
    await partitioned(third, () => proxy.isolate(third.name, 'out', 'drop'), () => agreedLeader(others, 15_000))
  } finally {
    proxy.heal()
    await load.stop()
  }

  // every member caught up, then a last linearizable read of every key on every member
  const leader = await agreedLeader(members, 10_000)
  const target = (await status(leader)).raftIndex
  for (const member of members) {
    await eventually(`${member.name} catches up`, 15_000, async () => ((await status(member)).raftAppliedIndex >= target ? true : undefined))
  }
  await load.readAll(members)

  // the cut-off member answered nothing successfully between the cut and the heal
  const served = load.ops.filter((o) => windows.some((w) => o.member === w.member && o.callTime > w.fromMs && o.returnTime < w.toMs))
  assert.deepEqual(served.map(describe), [], 'a member served while cut off from the majority')

  process.stderr.write(`# cut windows (ms into the load): ${JSON.stringify(windows)}\n`)
  assertLinearizable(load)

  // every acknowledged write is in every member's log, at the revision it was acknowledged with
  const revision = (await leader.client!.unary('etcdserverpb.KV', 'Range', {key: Buffer.from(keys[0]!)})).header!.revision
  const logs = await Promise.all(members.map((m) => eventLog(m, prefix, revision)))
  for (const [i, log] of logs.entries()) {
    for (const write of load.acked) {
      assert.equal(log.get(write.revision), `${write.key} ${write.value}`, `acknowledged ${write.key}=${write.value} at revision ${write.revision} missing on ${members[i]!.name}`)
    }
    assert.deepEqual([...log], [...logs[0]!], `${members[i]!.name}'s log differs from ${members[0]!.name}'s`)
  }
  const hashes = await Promise.all(members.map((m) => m.client!.unary('etcdserverpb.Maintenance', 'HashKV', {revision})))
  assert.equal(new Set(hashes.map((h) => h.hash)).size, 1, `HashKV at revision ${revision} differs: ${hashes.map((h) => h.hash).join(', ')}`)
})

function describe(o: RecordedOp): string {
  return `${o.member}: ${o.op.kind} ${o.op.key} at ${o.callTime.toFixed(0)}-${o.returnTime.toFixed(0)} ms -> ${JSON.stringify(o.output)}`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
