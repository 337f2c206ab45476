// Catch-up by snapshot, ours beside the real etcd 3.4, each a 3-member cluster on loopback with
// --snapshot-count 1000, 1,000,000 keys of 256 B written through the leader (txns of 100 puts,
// 16 at a time), so that the leader's log no longer holds what the member needs (both keep
// etcd's 5000 catch-up entries). Two cases, chosen with BENCH_CATCHUP_CASES (a comma list;
// `restart` by default, as `npm run bench` runs it: `join` takes as long again):
// - restart: a follower is stopped (SIGTERM) before the writes and started again after them;
// - join: a new member is added to the running cluster after the writes (the real etcdctl's
//   `member add`, on both) and started with --initial-cluster-state existing and the
//   --initial-cluster it printed.
// The time is taken from the member's start until its revision is the leader's and its HashKV
// at that revision has been answered (and must equal the leader's, taken before the start); a
// catch-up without a snapshot is an error.
// BENCH_CATCHUP_KEYS changes the key count, BENCH_CATCHUP_TXN_PUTS the puts per txn (a smaller
// count still needs more than 6000 txns for the log to lose what the member needs).
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {cleanEnv, type ClusterProcess, startCluster} from '../../test/cluster/harness.js'
import {etcdctlBinary, freePort} from '../../test/compat/harness/real-etcd.js'
import {runProcess} from '../../test/compat/harness/run-process.js'
import {populate} from '../server/load.js'
import type {Result} from '../util.js'
import {type EtcdClusterMember, startEtcdCluster} from './etcd-cluster.js'

const keys = Number(process.env.BENCH_CATCHUP_KEYS ?? 1_000_000)
const putsPerTxn = Number(process.env.BENCH_CATCHUP_TXN_PUTS ?? 100)
const cases = (process.env.BENCH_CATCHUP_CASES ?? 'restart').split(',').map((c) => c.trim()) as CatchUpCase[]
type CatchUpCase = 'restart' | 'join'
const valueBytes = 256
const snapshotCount = '1000'
const catchUpTimeoutMs = 30 * 60_000

interface Member {
  endpoint: string
  stop(): Promise<void>
  /** Resolves once the process is started (ours: once it says it is ready). */
  start(): Promise<void>
  /** Its log, when there is one to read. */
  log(): string
  /** Snapshots it installed since it started, as far as it tells. */
  snapshotsReceived(): Promise<number>
}

interface RunningCluster {
  members: Member[]
  /** Starts a member added with `member add` (`initialCluster` as it printed); resolves as start() does. */
  join(name: string, peerUrl: string, initialCluster: string): Promise<Member>
  stop(): Promise<void>
}

async function startTarget(name: 'ectl' | 'etcd'): Promise<RunningCluster> {
  if (name === 'etcd') {
    const cluster = await startEtcdCluster(3, ['--snapshot-count', snapshotCount])
    const member = (m: EtcdClusterMember): Member => ({
      get endpoint() {
        return m.endpoint
      },
      stop: () => m.stop(),
      start: async () => m.start(),
      log: () => '',
      snapshotsReceived: async () => {
        // etcd 3.4 counts them in etcd_network_snapshot_receive_success (per sender)
        const text = await (await fetch(`http://${m.endpoint}/metrics`)).text()
        let total = 0
        for (const match of text.matchAll(/^etcd_network_snapshot_receive_success\{[^}]*\} (\d+)/gm)) total += Number(match[1])
        return total
      },
    })
    return {
      members: cluster.members.map(member),
      join: async (name, peerUrl, initialCluster) => member(await cluster.join(name, peerUrl, initialCluster)),
      stop: () => cluster.stop(),
    }
  }
  const cluster = await startCluster(3, ['--snapshot-count', snapshotCount])
  const member = (m: ClusterProcess): Member => ({
    get endpoint() {
      return m.endpoint
    },
    stop: async () => {
      await m.stop()
    },
    start: () => m.start(),
    log: () => m.log(),
    snapshotsReceived: async () => m.log().split('installed snapshot at index').length - 1,
  })
  return {
    members: cluster.members.map(member),
    join: async (name, peerUrl, initialCluster) => {
      const joiner = cluster.joiner(name, peerUrl, initialCluster)
      await joiner.start()
      return member(joiner)
    },
    stop: () => cluster.stop(),
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer))
}

async function leaderIndex(members: Member[]): Promise<number> {
  const deadline = performance.now() + 30_000
  for (;;) {
    const clients = members.map((m) => new RawGrpcClient(m.endpoint))
    try {
      const statuses = await Promise.all(clients.map((c) => within(c.unary('etcdserverpb.Maintenance', 'Status', {}), 2_000)))
      const leader = statuses[0]!.leader
      const index = statuses.findIndex((s) => s.header!.memberId === leader)
      if (leader !== 0n && index >= 0 && statuses.every((s) => s.leader === leader)) return index
    } catch {
      // not every member answers yet
    } finally {
      for (const c of clients) c.close()
    }
    if (performance.now() > deadline) throw new Error('no agreed leader')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

interface CatchUp {
  /** From the member's start until its HashKV at the leader's revision was answered. */
  ms: number
  /** From its start until it reported the leader's revision. */
  revisionMs: number
  dbBytes: number
  hashesEqual: boolean
  note: string
}

/** `etcdctl member add` (the real one, for both) of a member on `peerUrl`; returns the --initial-cluster it printed. */
async function memberAdd(endpoint: string, name: string, peerUrl: string): Promise<string> {
  const result = await runProcess({command: etcdctlBinary, args: ['--endpoints', endpoint, 'member', 'add', name, `--peer-urls=${peerUrl}`], env: cleanEnv()})
  const initialCluster = /^ETCD_INITIAL_CLUSTER="(.*)"$/m.exec(result.stdout.toString())?.[1]
  if (result.exitCode !== 0 || initialCluster === undefined) throw new Error(`etcdctl member add: ${result.stderr.toString()}${result.stdout.toString()}`)
  return initialCluster
}

async function catchUp(name: 'ectl' | 'etcd', kind: CatchUpCase): Promise<CatchUp> {
  const cluster = await startTarget(name)
  try {
    const leader = cluster.members[await leaderIndex(cluster.members)]!
    const follower = cluster.members.find((m) => m !== leader)!
    if (kind === 'restart') await follower.stop()
    const loadStarted = performance.now()
    await populate(leader.endpoint, keys, valueBytes, 'catchup/', putsPerTxn)
    const leaderClient = new RawGrpcClient(leader.endpoint)
    try {
      const leaderStatus = await leaderClient.unary('etcdserverpb.Maintenance', 'Status', {})
      const revision = leaderStatus.header!.revision
      console.error(`${name} ${kind}: ${keys} keys written in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s; leader at revision ${revision}, db ${(Number(leaderStatus.dbSize) / 2 ** 20).toFixed(0)} MiB`)
      // the leader's hash first, so that only the member's counts in the time
      const theirs = await leaderClient.unary('etcdserverpb.Maintenance', 'HashKV', {revision})
      let started: number
      let member: Member
      if (kind === 'restart') {
        started = performance.now()
        await follower.start()
        member = follower
      } else {
        const peerUrl = `http://127.0.0.1:${await freePort()}`
        const initialCluster = await memberAdd(leader.endpoint, 'joiner', peerUrl)
        started = performance.now()
        member = await cluster.join('joiner', peerUrl, initialCluster)
      }
      const client = new RawGrpcClient(member.endpoint)
      try {
        for (;;) {
          try {
            const status = await within(client.unary('etcdserverpb.Maintenance', 'Status', {}), 2_000)
            if (status.header!.revision >= revision) break
          } catch {
            // starting, or busy installing
          }
          if (performance.now() - started > catchUpTimeoutMs) throw new Error(`${name}: the member did not catch up within ${catchUpTimeoutMs} ms`)
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        const revisionMs = performance.now() - started
        const mine = await client.unary('etcdserverpb.Maintenance', 'HashKV', {revision})
        const ms = performance.now() - started
        // the store has the revision once the install moved it in; the install's log line comes a moment later
        let received = await member.snapshotsReceived()
        for (const waitUntil = performance.now() + 10_000; received === 0 && performance.now() < waitUntil; received = await member.snapshotsReceived()) {
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        if (received === 0) throw new Error(`${name} ${kind}: the member caught up without a snapshot (write more keys); its log:\n${member.log()}`)
        const note = [...ourSteps(leader.log(), member.log())].join(', ')
        console.error(
          `${name} ${kind}: the member had the leader's revision after ${revisionMs.toFixed(0)} ms and its HashKV after ${ms.toFixed(0)} ms (${mine.hash === theirs.hash ? 'equal' : 'DIFFERS'})${note === '' ? '' : ` (${note})`}`,
        )
        return {ms, revisionMs, dbBytes: Number(leaderStatus.dbSize), hashesEqual: mine.hash === theirs.hash, note}
      } finally {
        client.close()
      }
    } finally {
      leaderClient.close()
    }
  } finally {
    await cluster.stop()
  }
}

/** Where our time went, from the members' own log lines (nothing for etcd, whose log is off). */
function* ourSteps(leaderLog: string, memberLog: string): Generator<string> {
  const sent = /sent snapshot at index \d+ \(term \d+, (\d+) bytes\) to member \w+ in (\d+) ms \(copy (\d+) ms, stream (\d+) ms; ([^)]*)\)/.exec(leaderLog)
  if (sent !== null) yield `snapshot of ${(Number(sent[1]) / 2 ** 20).toFixed(0)} MiB copied in ${sent[3]} ms and streamed in ${sent[4]} ms (${sent[5]})`
  const installed = /installed snapshot at index \d+ in (\d+) ms: store revision \d+; (.*)/.exec(memberLog)
  if (installed !== null) yield `installed in ${installed[1]} ms (${installed[2]})`
}

const titles: Record<CatchUpCase, string> = {
  restart: 'a stopped follower catches up by snapshot',
  join: 'a member added with member add catches up by snapshot',
}

export async function benchCatchUp(): Promise<Result[]> {
  const results: Result[] = []
  for (const kind of cases) {
    if (titles[kind] === undefined) throw new Error(`BENCH_CATCHUP_CASES: unknown case ${kind} (restart, join)`)
    const ours = await catchUp('ectl', kind)
    const theirs = await catchUp('etcd', kind)
    const hashes = `HashKV ${ours.hashesEqual ? 'equal' : 'DIFFERS'} (ours), ${theirs.hashesEqual ? 'equal' : 'DIFFERS'} (etcd)`
    results.push({
      name: `3-member cluster: ${titles[kind]} (${keys} keys of ${valueBytes} B, db ${(ours.dbBytes / 2 ** 20).toFixed(0)} MiB ours, ${(theirs.dbBytes / 2 ** 20).toFixed(0)} MiB etcd)`,
      value: ours.ms,
      unit: 'ms',
      target: '<= etcd',
      peer: theirs.ms,
      note: [`the leader's revision after ${(ours.revisionMs / 1000).toFixed(1)} s ours, ${(theirs.revisionMs / 1000).toFixed(1)} s etcd`, ours.note, hashes].filter((n) => n !== '').join('; '),
    })
  }
  return results
}
