// Server CPU per put of a 3-member cluster, ours and the real etcd 3.4's: each member's user +
// system time (/proc/PID/stat) across the put cells of the cluster bench (warm-up and
// measurement), divided by the puts of the whole cell (measured rate times warm-up plus
// measurement). The span also holds the workers' start, when the cluster only heartbeats: at
// 1 client that idle cost is a visible part of the figure, the same for every build. On a
// shared, loaded machine this stays steadier than puts/s. The leader is driven, as in load.ts.
//
// Usage: node --import tsx bench/cluster/cpu-per-put.ts
//   BENCH_CONCURRENCY=1,64,256  CPU_TARGETS=ectl,etcd  COMPAT_ECTL_BIN=path/to/bin/ectl.js (another build)
import {startCluster} from '../../test/cluster/harness.js'
import {populate, runCell} from '../server/load.js'
import {processCpuUs} from '../util.js'
import {startEtcdCluster} from './etcd-cluster.js'
import {leaderOf} from './failover.js'

const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,64,256').split(',').map(Number)
const targets = (process.env.CPU_TARGETS ?? 'ectl,etcd').split(',').filter((name): name is 'ectl' | 'etcd' => name === 'ectl' || name === 'etcd')
/** The cell's warm-up plus measurement (load.ts: 2 s and 1.5 s under BENCH_QUICK, 2 s and 3 s otherwise). */
const cellSeconds = process.env.BENCH_QUICK === '1' ? 3.5 : 5

interface Member {
  endpoint: string
  pid: number
}

async function startTarget(name: 'ectl' | 'etcd'): Promise<{members: Member[]; stop(): Promise<void>}> {
  const cluster = name === 'etcd' ? await startEtcdCluster(3) : await startCluster(3)
  return {members: cluster.members.map((m) => ({endpoint: m.endpoint, pid: m.pid})), stop: () => cluster.stop()}
}

for (const name of targets) {
  const cluster = await startTarget(name)
  try {
    const members = cluster.members
    const leader = await leaderOf(members.map((m) => ({endpoint: () => m.endpoint, kill: () => undefined, restart: async () => undefined})))
    const leaderIndex = members.findIndex((m) => m.endpoint === leader.endpoint())
    await populate(leader.endpoint(), 10_000, 100)
    for (const clients of concurrencies) {
      const before = members.map((m) => processCpuUs(m.pid))
      const cell = await runCell({name, endpoint: leader.endpoint(), pid: 0, stop: async () => undefined}, 'put', clients)
      const puts = cell.opsPerSec * cellSeconds
      const perPut = members.map((m, i) => Math.round((processCpuUs(m.pid) - before[i]!) / puts))
      const followers = perPut.filter((_, i) => i !== leaderIndex)
      console.log(`${name} put x${clients}: ${Math.round(cell.opsPerSec)}/s p99 ${cell.p99Ms.toFixed(1)} ms; CPU per put leader ${perPut[leaderIndex]} µs, followers ${followers.join(' / ')} µs`)
    }
  } finally {
    await cluster.stop()
  }
}
