// A follower further behind than the leader's log is caught up by snapshot: the leader streams
// its store on a connection of its own and the follower installs it. With --snapshot-count 100
// and --experimental-snapshot-catchup-entries 10 a few hundred writes are enough:
// - a stopped follower, restarted, installs a snapshot (its key index loaded from the copy, not
//   rebuilt), then has the leader's HashKV, serves reads and follows new writes;
// - a paused follower's open watch gets every change made while it was paused, from the store
//   it installed;
// - a follower killed with SIGKILL while a snapshot is on its way restarts whole and catches up.
import assert from 'node:assert/strict'
import {readdir} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import type {WatchResponse} from '../../src/api/proto/rpc.js'
import {agreedLeader, eventually, get, hashKV, put, status} from './client.js'
import {type ClusterProcess, type LocalCluster, startCluster} from './harness.js'

let cluster: LocalCluster
before(async () => {
  cluster = await startCluster(3, ['--snapshot-count', '100', '--experimental-snapshot-catchup-entries', '10'])
})
after(async () => {
  await cluster?.stop()
})

/** `count` puts through `member`, `parallel` at a time. */
async function putMany(member: ClusterProcess, prefix: string, count: number, value: string, parallel = 16): Promise<void> {
  for (let i = 0; i < count; i += parallel) {
    const batch: Promise<bigint>[] = []
    for (let j = i; j < Math.min(count, i + parallel); j++) batch.push(put(member, `${prefix}${j}`, value, 10_000))
    await Promise.all(batch)
  }
}

function installs(member: ClusterProcess): number {
  return member.log().split('installed snapshot at index').length - 1
}

/** Waits until `member` has the leader's revision, then compares their HashKV. */
async function sameHashKV(member: ClusterProcess, leader: ClusterProcess): Promise<void> {
  const target = await hashKV(leader)
  const mine = await eventually(`${member.name} reaches revision ${target.revision}`, 30_000, async () => {
    const h = await hashKV(member)
    return h.revision === target.revision ? h : undefined
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${member.name}'s log:\n${member.log()}\nthe leader's log:\n${leader.log()}`)
  })
  assert.equal(mine.hash, target.hash, `${member.name}'s HashKV equals the leader's`)
}

test('a stopped follower restarts behind the leader log: it installs a snapshot, then matches the leader, serves reads and follows writes', async () => {
  const members = cluster.members
  const leader = await agreedLeader(members, 10_000)
  const follower = members.find((m) => m !== leader)!
  await putMany(leader, 'before/', 20, 'x')
  await follower.stop()
  const installedBefore = installs(follower)
  await putMany(leader, 'behind/', 300, 'y')
  await follower.start()
  await eventually('the follower installs a snapshot', 20_000, async () => (installs(follower) > installedBefore ? true : undefined))
  assert.match(leader.log(), /sent snapshot at index \d+/)
  // written while nothing was applied: the copy carries its key index, and the install loads it
  assert.match(leader.log(), /sent snapshot at index \d+ .*key index of \d+ keys included/)
  assert.match(follower.log(), /installed snapshot at index \d+ .*key index loaded from the snapshot/)
  await sameHashKV(follower, leader)
  assert.equal(await get(follower, 'behind/299', true), 'y', 'a serializable read on the follower sees the snapshot')
  await put(leader, 'after', 'z')
  await eventually('the follower follows a new write', 10_000, async () => ((await get(follower, 'after', true)) === 'z' ? true : undefined))
  await sameHashKV(follower, leader)
})

test('a paused follower is caught up by snapshot: its open watch gets every change made meanwhile', async () => {
  const members = cluster.members
  const leader = await agreedLeader(members, 10_000)
  const follower = members.find((m) => m !== leader)!
  const from = (await status(leader)).header!.revision + 1n
  const seen = new Map<string, string>()
  const watch = follower.client!.bidi('etcdserverpb.Watch', 'Watch')
  let canceled = false
  watch.on('data', (response: WatchResponse) => {
    if (response.canceled) canceled = true
    for (const ev of response.events) seen.set(ev.kv!.key.toString(), ev.kv!.value.toString())
  })
  watch.on('error', () => undefined)
  try {
    watch.write({createRequest: {key: Buffer.from('watched/'), rangeEnd: Buffer.from('watched0'), startRevision: from}})
    await put(leader, 'watched/first', '1')
    await eventually('the watch is live', 10_000, async () => (seen.has('watched/first') ? true : undefined))
    const installedBefore = installs(follower)
    await follower.signal('SIGSTOP')
    try {
      // one entry per message: past raft's window of 256 messages in flight, the leader stops
      // sending to the paused follower, and what it did not send leaves its log
      await putMany(leader, 'watched/', 450, 'w', 1)
    } finally {
      await follower.signal('SIGCONT')
    }
    await eventually('the follower installs a snapshot', 20_000, async () => (installs(follower) > installedBefore ? true : undefined))
    await eventually('the watch sees every change', 20_000, async () => (seen.size === 451 ? true : undefined))
    assert.equal(canceled, false)
    assert.equal(seen.get('watched/449'), 'w')
  } finally {
    watch.end()
    watch.cancel()
  }
  await sameHashKV(follower, leader)
})

test('SIGKILL of a follower while a snapshot is on its way: it restarts whole and catches up', async () => {
  const members = cluster.members
  const leader = await agreedLeader(members, 10_000)
  const follower = members.find((m) => m !== leader)!
  await follower.stop()
  // a store of some tens of MB, so the transfer takes long enough to be caught in the middle
  await putMany(leader, 'big/', 400, 'b'.repeat(64 * 1024), 8)
  const snapDir = join(follower.dataDir, 'member', 'snap')
  await follower.start()
  const partial = await eventually(
    'a snapshot being received',
    20_000,
    async () => ((await readdir(snapDir)).some((name) => name.endsWith('.snap.db.part')) ? true : undefined),
    2,
  ).catch(() => false)
  await follower.signal('SIGKILL')
  process.stderr.write(`# follower killed ${partial ? 'while receiving a snapshot' : 'after the snapshot was received (the transfer was too quick to catch)'}\n`)
  await follower.start()
  await sameHashKV(follower, leader)
  assert.deepEqual((await readdir(snapDir)).filter((name) => name.includes('.snap.db')), [], 'no snapshot file left behind')
  await put(leader, 'after-kill', 'k')
  await eventually('the follower follows a new write', 10_000, async () => ((await get(follower, 'after-kill', true)) === 'k' ? true : undefined))
})
