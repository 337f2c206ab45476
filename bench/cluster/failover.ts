// Fail-over time of a 3-member cluster, ours beside the real etcd 3.4, many times over: the
// leader is killed with SIGKILL, a client puts to the survivors (each attempt given 500 ms, then
// the other survivor) until one is acknowledged; the time from the kill to that acknowledgement
// is one sample. The killed member is restarted and the cluster agrees on a leader again before
// the next run. Runs alternate between the two clusters (both stay up) so a change in the
// machine's load falls on both alike. Default timings on both: 100 ms heartbeat, 1 s election.
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {startCluster} from '../../test/cluster/harness.js'
import type {Result} from '../util.js'
import {startEtcdCluster} from './etcd-cluster.js'

const attemptMs = 500

export interface FailoverMember {
  /** host:port of its client URL (it may change across restarts). */
  endpoint(): string
  kill(): Promise<void> | void
  /** Starts the killed member again; resolves once it serves. */
  restart(): Promise<void>
}

export interface FailoverCluster {
  members: FailoverMember[]
  stop(): Promise<void>
}

export async function startFailoverCluster(name: 'ectl' | 'etcd'): Promise<FailoverCluster> {
  if (name === 'etcd') {
    const cluster = await startEtcdCluster(3)
    return {
      members: cluster.members.map((m) => {
        let pid = m.pid
        return {
          endpoint: () => m.endpoint,
          kill: () => {
            pid = m.pid
            m.kill()
          },
          // once the killed process is gone (its ports free); leaderOf waits until it serves
          restart: async () => {
            while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 20))
            m.start()
          },
        }
      }),
      stop: () => cluster.stop(),
    }
  }
  const cluster = await startCluster(3)
  return {
    members: cluster.members.map((m) => ({endpoint: () => m.endpoint, kill: () => m.signal('SIGKILL'), restart: () => m.start()})),
    stop: () => cluster.stop(),
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer))
}

/** The member every member names as leader. */
export async function leaderOf<M extends FailoverMember>(members: M[]): Promise<M> {
  const deadline = performance.now() + 20_000
  for (;;) {
    const clients = members.map((m) => new RawGrpcClient(m.endpoint()))
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

/** Kills the leader; milliseconds until a survivor acknowledges a put. The leader stays down. */
export async function failoverMs(members: FailoverMember[]): Promise<{ms: number; killed: FailoverMember}> {
  const leader = await leaderOf(members)
  const survivors = members.filter((m) => m !== leader).map((m) => new RawGrpcClient(m.endpoint()))
  try {
    await Promise.all(survivors.map((c) => c.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('failover/warm'), value: Buffer.from('1')})))
    const killedAt = performance.now()
    await leader.kill()
    for (let attempt = 0; ; attempt++) {
      try {
        await within(survivors[attempt % 2]!.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('failover/after'), value: Buffer.from(String(attempt))}), attemptMs)
        return {ms: performance.now() - killedAt, killed: leader}
      } catch {
        if (performance.now() - killedAt > 30_000) throw new Error('no write acknowledged within 30 s of killing the leader')
      }
    }
  } finally {
    for (const c of survivors) c.close()
  }
}

/** One fail-over, then the killed member back and a leader every member agrees on. */
export async function failoverRun(cluster: FailoverCluster): Promise<number> {
  const {ms, killed} = await failoverMs(cluster.members)
  await killed.restart()
  await leaderOf(cluster.members)
  return ms
}

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

export async function benchFailover(): Promise<Result[]> {
  const runs = Number(process.env.BENCH_FAILOVER_RUNS ?? '20')
  const ours = await startFailoverCluster('ectl')
  const theirs = await startFailoverCluster('etcd').catch(async (error: Error) => {
    await ours.stop()
    throw error
  })
  const samples = {ectl: [] as number[], etcd: [] as number[]}
  try {
    for (let run = 0; run < runs; run++) {
      for (const [name, cluster] of [['ectl', ours], ['etcd', theirs]] as const) {
        const ms = await failoverRun(cluster)
        samples[name].push(ms)
        console.error(`fail-over ${run + 1}/${runs} ${name}: ${ms.toFixed(0)} ms`)
      }
    }
  } finally {
    await Promise.all([ours.stop(), theirs.stop()])
  }
  const ectl = samples.ectl.sort((a, b) => a - b)
  const etcd = samples.etcd.sort((a, b) => a - b)
  console.error(`ectl samples: ${ectl.map((ms) => ms.toFixed(0)).join(' ')}\netcd samples: ${etcd.map((ms) => ms.toFixed(0)).join(' ')}`)
  const what = `3-member cluster fail-over (SIGKILL of the leader to the first acknowledged write, ${runs} runs)`
  return [
    {name: `${what}, median`, value: quantile(ectl, 0.5), unit: 'ms', target: '<= 1500', peer: quantile(etcd, 0.5)},
    {name: `${what}, p90`, value: quantile(ectl, 0.9), unit: 'ms', target: '<= etcd', peer: quantile(etcd, 0.9)},
  ]
}
