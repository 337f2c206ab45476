// Catch-up by snapshot, ours beside the real etcd 3.4, each a 3-member cluster on loopback: a
// follower is stopped (SIGTERM), 1,000,000 keys of 256 B are written through the leader (txns
// of 100 puts, 16 at a time) with --snapshot-count 1000, so the leader's log no longer holds
// what the follower misses (both keep etcd's 5000 catch-up entries); the follower is started
// again, and the time is taken from its start until its revision is the leader's. Its HashKV is
// then checked against the leader's. BENCH_CATCHUP_KEYS changes the key count.
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {startCluster} from '../../test/cluster/harness.js'
import {populate} from '../server/load.js'
import type {Result} from '../util.js'
import {startEtcdCluster} from './etcd-cluster.js'

const keys = Number(process.env.BENCH_CATCHUP_KEYS ?? 1_000_000)
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
  stop(): Promise<void>
}

async function startTarget(name: 'ectl' | 'etcd'): Promise<RunningCluster> {
  if (name === 'etcd') {
    const cluster = await startEtcdCluster(3, ['--snapshot-count', snapshotCount])
    return {
      members: cluster.members.map((m) => ({
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
      })),
      stop: () => cluster.stop(),
    }
  }
  const cluster = await startCluster(3, ['--snapshot-count', snapshotCount])
  return {
    members: cluster.members.map((m) => ({
      get endpoint() {
        return m.endpoint
      },
      stop: async () => {
        await m.stop()
      },
      start: () => m.start(),
      log: () => m.log(),
      snapshotsReceived: async () => m.log().split('installed snapshot at index').length - 1,
    })),
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
  ms: number
  dbBytes: number
  hashesEqual: boolean
  note: string
}

async function catchUp(name: 'ectl' | 'etcd'): Promise<CatchUp> {
  const cluster = await startTarget(name)
  try {
    const leader = cluster.members[await leaderIndex(cluster.members)]!
    const follower = cluster.members.find((m) => m !== leader)!
    await follower.stop()
    const loadStarted = performance.now()
    await populate(leader.endpoint, keys, valueBytes, 'catchup/')
    const leaderClient = new RawGrpcClient(leader.endpoint)
    try {
      const leaderStatus = await leaderClient.unary('etcdserverpb.Maintenance', 'Status', {})
      const revision = leaderStatus.header!.revision
      console.error(`${name}: ${keys} keys written in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s; leader at revision ${revision}, db ${(Number(leaderStatus.dbSize) / 2 ** 20).toFixed(0)} MiB`)
      const started = performance.now()
      await follower.start()
      const client = new RawGrpcClient(follower.endpoint)
      try {
        for (;;) {
          try {
            const status = await within(client.unary('etcdserverpb.Maintenance', 'Status', {}), 2_000)
            if (status.header!.revision >= revision) break
          } catch {
            // starting, or busy installing
          }
          if (performance.now() - started > catchUpTimeoutMs) throw new Error(`${name}: the follower did not catch up within ${catchUpTimeoutMs} ms`)
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        const ms = performance.now() - started
        const [mine, theirs] = await Promise.all([
          client.unary('etcdserverpb.Maintenance', 'HashKV', {revision}),
          leaderClient.unary('etcdserverpb.Maintenance', 'HashKV', {revision}),
        ])
        const received = await follower.snapshotsReceived()
        if (received === 0) throw new Error(`${name}: the follower caught up without a snapshot (write more keys)`)
        const sent = /sent snapshot at index \d+ \(term \d+, (\d+) bytes\) to member \w+ in (\d+) ms/.exec(leader.log())
        const note = sent === null ? '' : `snapshot of ${(Number(sent[1]) / 2 ** 20).toFixed(0)} MiB copied and sent in ${sent[2]} ms`
        console.error(`${name}: the follower caught up in ${ms.toFixed(0)} ms${note === '' ? '' : ` (${note})`}; HashKV ${mine.hash === theirs.hash ? 'equal' : 'DIFFERS'}`)
        return {ms, dbBytes: Number(leaderStatus.dbSize), hashesEqual: mine.hash === theirs.hash, note}
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

export async function benchCatchUp(): Promise<Result[]> {
  const ours = await catchUp('ectl')
  const theirs = await catchUp('etcd')
  const hashes = `HashKV ${ours.hashesEqual ? 'equal' : 'DIFFERS'} (ours), ${theirs.hashesEqual ? 'equal' : 'DIFFERS'} (etcd)`
  return [
    {
      name: `3-member cluster: a stopped follower catches up by snapshot (${keys} keys of ${valueBytes} B, db ${(ours.dbBytes / 2 ** 20).toFixed(0)} MiB ours, ${(theirs.dbBytes / 2 ** 20).toFixed(0)} MiB etcd)`,
      value: ours.ms,
      unit: 'ms',
      target: '<= etcd',
      peer: theirs.ms,
      note: [ours.note, hashes].filter((s) => s !== '').join('; '),
    },
  ]
}
