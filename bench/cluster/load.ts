// Three `ectl server` members beside three real etcd 3.4 members on loopback, driven the same
// way (the workers of bench/server): put and linearizable range against the leader at 1, 64
// and 256 clients, the two clusters running side by side and taking turns cell by cell; then
// fail-over: the leader killed with SIGKILL, and the time until the first write acknowledged by
// a survivor (default timings: 100 ms heartbeat, 1 s election), once; `npm run bench failover`
// repeats it many times.
import {type Cell, interleavedCells, populate, type Target} from '../server/load.js'
import type {Result} from '../util.js'
import type {WorkloadKind} from '../server/workload.js'
import {type FailoverCluster, failoverMs, leaderOf, startFailoverCluster} from './failover.js'

const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,64,256').split(',').map(Number)
const workloads: WorkloadKind[] = ['put', 'range-linearizable']
const keySpace = 10_000
const valueBytes = 100

export async function benchCluster(): Promise<Result[]> {
  const failover: Record<string, number> = {}
  const clusters: Array<{name: 'ectl' | 'etcd'; cluster: FailoverCluster}> = []
  let cells: Map<string, Cell>
  try {
    // both clusters run side by side and take turns cell by cell (interleavedCells)
    const targets: Target[] = []
    for (const name of ['ectl', 'etcd'] as const) {
      const cluster = await startFailoverCluster(name)
      clusters.push({name, cluster})
      const leader = (await leaderOf(cluster.members)).endpoint()
      await populate(leader, keySpace, valueBytes)
      targets.push({name, endpoint: leader, pid: 0, stop: async () => undefined})
    }
    cells = await interleavedCells(targets, workloads, concurrencies, (name, kind, clients) => `${name} cluster ${kind} x${clients}`)
    for (const {name, cluster} of clusters) {
      failover[name] = (await failoverMs(cluster.members)).ms
      console.error(`${name} cluster fail-over: ${failover[name]!.toFixed(0)} ms`)
    }
  } finally {
    await Promise.all(clusters.map(({cluster}) => cluster.stop()))
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
