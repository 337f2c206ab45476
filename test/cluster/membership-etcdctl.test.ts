// The real etcdctl 3.4 changing the membership of a 3-member cluster of `ectl server`: member
// add (a learner), list, promote, update and remove print as etcdctl prints them for etcd, and
// every refusal (a second learner, a peer URL in use, promoting a learner not in sync or a
// voter, an unknown id, too few started members) reads as etcd's, through etcdctl and through
// ectl alike. A new member started with the wrong --initial-cluster-state, or with an
// --initial-cluster that does not match the cluster, is refused. A member removed while cut
// off learns it from the others when it speaks again, and stops.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {etcdctlBinary, freePort} from '../compat/harness/real-etcd.js'
import {runProcess} from '../compat/harness/run-process.js'
import {ectlLauncher} from '../compat/harness/script.js'
import {agreedLeader, eventually, get, getPrefix, put, status} from './client.js'
import {cleanEnv, type ClusterProcess, type LocalCluster, startCluster} from './harness.js'

let cluster: LocalCluster
before(async () => {
  cluster = await startCluster(3)
})
after(async () => {
  await cluster?.stop()
})

const run = (tool: 'etcdctl' | 'ectl', endpoints: string, args: string[]) =>
  tool === 'etcdctl'
    ? runProcess({command: etcdctlBinary, args: ['--endpoints', endpoints, ...args], env: {...cleanEnv(), ETCDCTL_API: '3'}})
    : runProcess({command: process.execPath, args: [ectlLauncher, '--endpoints', endpoints, ...args], env: cleanEnv()})
const etcdctl = async (endpoints: string, ...args: string[]) => {
  const result = await run('etcdctl', endpoints, args)
  assert.equal(result.exitCode, 0, `etcdctl ${args.join(' ')}: ${result.stderr.toString()}`)
  return result.stdout.toString()
}
/** The same refusal from etcdctl and from ectl: exit 1 and `Error: <message>` last on stderr (after the client's log of its retry, as etcdctl 3.4's). */
const refusedByBoth = async (endpoints: string, args: string[], message: string) => {
  for (const tool of ['etcdctl', 'ectl'] as const) {
    const result = await run(tool, endpoints, args)
    const stderr = result.stderr.toString()
    const lines = stderr.trimEnd().split('\n')
    assert.equal(lines.at(-1), `Error: ${message}`, `${tool} ${args.join(' ')}: ${stderr}`)
    for (const line of lines.slice(0, -1)) assert.match(line, /"msg":"retrying of unary invoker failed"/, `${tool} ${args.join(' ')}: ${stderr}`)
    assert.equal(result.exitCode, 1, `${tool} ${args.join(' ')}`)
    assert.equal(result.stdout.toString(), '')
  }
}
const hex16 = (id: bigint) => id.toString(16).padStart(16, ' ')
const all = () => cluster.members.filter((m) => m.running).map((m) => m.endpoint).join(',')

test('etcdctl adds a learner, the new member joins, etcdctl promotes, updates and removes it; refusals as etcd', async () => {
  const [m1, m2, m3] = cluster.members as [ClusterProcess, ClusterProcess, ClusterProcess]
  await agreedLeader(cluster.members, 10_000)
  await put(m1, 'k', 'v')
  const clusterId = (await status(m1)).header!.clusterId
  await eventually('every member started', 10_000, async () => ((await etcdctl(all(), 'member', 'list')).includes('unstarted') ? undefined : true))

  const peerUrl = `http://127.0.0.1:${await freePort()}`
  const added = await etcdctl(all(), 'member', 'add', 'm4', `--peer-urls=${peerUrl}`, '--learner')
  const id = BigInt(`0x${/^Member +([0-9a-f]+) /.exec(added)![1]}`)
  const initialCluster = /^ETCD_INITIAL_CLUSTER="(.*)"$/m.exec(added)![1]!
  assert.equal(
    added,
    `Member ${hex16(id)} added to cluster ${hex16(clusterId)}\n\n` +
      `ETCD_NAME="m4"\nETCD_INITIAL_CLUSTER="${initialCluster}"\nETCD_INITIAL_ADVERTISE_PEER_URLS="${peerUrl}"\nETCD_INITIAL_CLUSTER_STATE="existing"\n`,
  )
  assert.deepEqual(initialCluster.split(',').sort(), [...cluster.members.map((m) => `${m.name}=${m.peerUrl}`), `m4=${peerUrl}`].sort())
  assert.ok((await etcdctl(m2.endpoint, 'member', 'list')).includes(`${id.toString(16)}, unstarted, , ${peerUrl}, , true\n`))

  // refusals, checked when proposed or when applied, in etcd's words
  const secondUrl = `http://127.0.0.1:${await freePort()}`
  await refusedByBoth(all(), ['member', 'add', 'm5', `--peer-urls=${secondUrl}`, '--learner'], 'etcdserver: too many learner members in cluster')
  await refusedByBoth(all(), ['member', 'add', 'm5', `--peer-urls=${m1.peerUrl}`], 'etcdserver: Peer URLs already exists')
  await refusedByBoth(all(), ['member', 'update', id.toString(16), `--peer-urls=${m2.peerUrl}`], 'etcdserver: Peer URLs already exists')
  await refusedByBoth(all(), ['member', 'promote', id.toString(16)], 'etcdserver: can only promote a learner member which is in sync with leader')
  const voterId = (await status(m3)).header!.memberId
  await refusedByBoth(all(), ['member', 'promote', voterId.toString(16)], 'etcdserver: can only promote a learner member')
  await refusedByBoth(all(), ['member', 'remove', '1234abcd'], 'etcdserver: member not found')
  await refusedByBoth(all(), ['member', 'update', '1234abcd', `--peer-urls=${secondUrl}`], 'etcdserver: member not found')

  // the added member started as a new cluster member: refused, it must join
  const wrongState = cluster.joiner('m4', peerUrl, initialCluster, ['--initial-cluster-state', 'new'])
  await assert.rejects(wrongState.start(), /belong to cluster [0-9a-f]+, not to the new cluster [0-9a-f]+ --initial-cluster describes; a member added with `member add` starts with --initial-cluster-state existing/)
  cluster.members.splice(cluster.members.indexOf(wrongState), 1)
  // a member nobody added joining with its own --initial-cluster: refused, as etcd's check of the peer URLs
  const strangerUrl = `http://127.0.0.1:${await freePort()}`
  const stranger = cluster.joiner('m9', strangerUrl, `${initialCluster},m9=${strangerUrl}`)
  await assert.rejects(stranger.start(), /error validating peerURLs \{ClusterID:[0-9a-f]+ Members:\[&\{ID:[0-9a-f]+ RaftAttributes:\{PeerURLs:\[http:\/\/127\.0\.0\.1:\d+\] IsLearner:(true|false)\} .*\] RemovedMemberIDs:\[\]\}: member count is unequal/)
  cluster.members.splice(cluster.members.indexOf(stranger), 1)

  const m4 = cluster.joiner('m4', peerUrl, initialCluster)
  await m4.start()
  await eventually('the learner caught up', 15_000, async () => ((await getPrefix(m4, 'k', true)).get('k') === 'v' ? true : undefined))
  const promoted = await eventually('promoted', 15_000, async () => {
    const result = await run('etcdctl', all(), ['member', 'promote', id.toString(16)])
    return result.exitCode === 0 ? result.stdout.toString() : undefined
  })
  assert.equal(promoted, `Member ${hex16(id)} promoted in cluster ${hex16(clusterId)}\n`)
  const listed = await eventually('m4 started and voting', 10_000, async () => {
    const out = await etcdctl(m1.endpoint, 'member', 'list')
    return out.includes(`${id.toString(16)}, started, m4, ${peerUrl}, http://${m4.endpoint}, false\n`) ? out : undefined
  })
  assert.equal(listed.trim().split('\n').length, 4, listed)
  await put(m4, 'from/m4', 'yes')
  assert.equal(await get(m2, 'from/m4'), 'yes')

  // its peer URL moved to where nothing listens: the others can no longer reach it
  const nowhere = `http://127.0.0.1:${await freePort()}`
  assert.equal(await etcdctl(m1.endpoint, 'member', 'update', id.toString(16), `--peer-urls=${nowhere}`), `Member ${hex16(id)} updated in cluster ${hex16(clusterId)}\n`)
  assert.ok((await etcdctl(m1.endpoint, 'member', 'list')).includes(`${id.toString(16)}, started, m4, ${nowhere}, `))
  // removed while cut off: it learns it from the others when it next speaks, and stops
  assert.equal(await etcdctl(m1.endpoint, 'member', 'remove', id.toString(16)), `Member ${hex16(id)} removed from cluster ${hex16(clusterId)}\n`)
  assert.equal(await m4.exit(20_000), 0)
  assert.match(m4.log(), /the member has been permanently removed from the cluster/)
  await agreedLeader([m1, m2, m3], 10_000)
  const three = await etcdctl(all(), 'member', 'list')
  assert.equal(three.trim().split('\n').length, 3, three)
  await put(m3, 'after', 'removal')
  assert.equal(await get(m1, 'after'), 'removal')
})

test('too few started members for another voter: refused as etcd', async () => {
  // two voters added but never started: 3 of 5 started, the least quorum of 5; a sixth is refused
  const unstarted: bigint[] = []
  for (let i = 0; i < 2; i++) {
    const out = await etcdctl(all(), 'member', 'add', `u${i}`, `--peer-urls=http://127.0.0.1:${await freePort()}`)
    unstarted.push(BigInt(`0x${/^Member +([0-9a-f]+) /.exec(out)![1]}`))
  }
  await refusedByBoth(all(), ['member', 'add', 'u2', `--peer-urls=http://127.0.0.1:${await freePort()}`], 'etcdserver: re-configuration failed due to not enough started members')
  for (const id of unstarted) await etcdctl(all(), 'member', 'remove', id.toString(16))
  const three = await etcdctl(all(), 'member', 'list')
  assert.equal(three.trim().split('\n').length, 3, three)
})
