// Three `ectl server` members beside three real etcd 3.4 members on loopback, driven the same
// way (the workers of bench/server): put and linearizable range against the leader at 1, 64
// and 256 clients; then fail-over: the leader killed with SIGKILL, and the time until the
// first write acknowledged by a survivor (default timings: 100 ms heartbeat, 1 s election).
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {startCluster} from '../../test/cluster/harness.js'
import {type Cell, populate, runCell} from '../server/load.js'
import type {Result} from '../util.js'
import type {WorkloadKind} from '../server/workload.js'
import {startEtcdCluster} from './etcd-cluster.js'

const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,64,256').split(',').map(Number)
const workloads: WorkloadKind[] = ['put', 'range-linearizable']
const keySpace = 10_000
const valueBytes = 100

interface Member {
  endpoint: string
  kill(): Promise<void> | void
}

interface RunningCluster {
  members: Member[]
  stop(): Promise<void>
}

async function startTarget(name: 'ectl' | 'etcd'): Promise<RunningCluster> {
  if (name === 'etcd') {
    const cluster = await startEtcdCluster(3)
    return {members: cluster.members.map((m) => ({endpoint: m.endpoint, kill: () => m.kill()})), stop: () => cluster.stop()}
  }
  const cluster = await startCluster(3)
  return {members: cluster.members.map((m) => ({endpoint: m.endpoint, kill: () => m.signal('SIGKILL')})), stop: () => cluster.stop()}
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer))
}

/** The member every member names as leader. */
async function leaderOf(members: Member[]): Promise<Member> {
  const deadline = performance.now() + 20_000
  for (;;) {
    const clients = members.map((m) => new RawGrpcClient(m.endpoint))
    try {
      const statuses = await Promise.all(clients.map((c) => within(c.unary('etcdserverpb.Maintenance', 'Status', {}), 2_000)))
      const leader = statuses[0]!.leader
      const index = statuses.findIndex((s) => s.header!.memberId === leader)
      if (leader !== 0n && index >= 0 && statuses.every((s) => s.leader === leader)) return members[index]!
    } catch {
      // not every member answers yet
    } finally {
      for (const c of clients) c.close()
    }
    if (performance.now() > deadline) throw new Error('no agreed leader')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Kills the leader; milliseconds until a survivor acknowledges a put. */
async function failoverMs(members: Member[]): Promise<number> {
  const leader = await leaderOf(members)
  const survivors = members.filter((m) => m !== leader).map((m) => new RawGrpcClient(m.endpoint))
  try {
    await Promise.all(survivors.map((c) => c.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('failover/warm'), value: Buffer.from('1')})))
    const killedAt = performance.now()
    await leader.kill()
    for (let attempt = 0; ; attempt++) {
      try {
        await within(survivors[attempt % 2]!.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('failover/after'), value: Buffer.from(String(attempt))}), 500)
        return performance.now() - killedAt
      } catch {
        if (performance.now() - killedAt > 30_000) throw new Error('no write acknowledged within 30 s of killing the leader')
      }
    }
  } finally {
    for (const c of survivors) c.close()
  }
}

export async function benchCluster(): Promise<Result[]> {
  const cells = new Map<string, Cell>()
  const failover: Record<string, number> = {}
  for (const name of ['ectl', 'etcd'] as const) {
    const cluster = await startTarget(name)
    try {
      const leader = await leaderOf(cluster.members)
      await populate(leader.endpoint, keySpace, valueBytes)
      for (const kind of workloads) {
        for (const clients of concurrencies) {
          const cell = await runCell({name, endpoint: leader.endpoint, pid: 0, stop: async () => undefined}, kind, clients)
          cells.set(`${name} ${kind} ${clients}`, cell)
          console.error(`${name} cluster ${kind} x${clients}: ${Math.round(cell.opsPerSec)}/s p99 ${cell.p99Ms.toFixed(2)} ms`)
        }
      }
      failover[name] = await failoverMs(cluster.members)
      console.error(`${name} cluster fail-over: ${failover[name]!.toFixed(0)} ms`)
    } finally {
      await cluster.stop()
    }
  }
  const results: Result[] = []
  for (const kind of workloads) {
    for (const clients of concurrencies) {
      const ours = cells.get(`ectl ${kind} ${clients}`)!
      const theirs = cells.get(`etcd ${kind} ${clients}`)!
      results.push({name: `3-member cluster ${kind}, ${clients} clients`, value: ours.opsPerSec, unit: 'ops/s', target: '>= 1.0x etcd', peer: theirs.opsPerSec})
      results.push({name: `3-member cluster ${kind}, ${clients} clients, p99`, value: ours.p99Ms, unit: 'ms', target: '<= etcd', peer: theirs.p99Ms})
    }
  }
  results.push({name: '3-member cluster fail-over: SIGKILL of the leader to the first acknowledged write', value: failover.ectl!, unit: 'ms', target: '<= 1500', peer: failover.etcd!})
  return results
}
