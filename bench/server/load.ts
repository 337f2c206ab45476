// `ectl server` against the real etcd 3.4, driven the same way: every workload at 1, 16, 64 and
// 256 concurrent clients, spread over several load-generator processes (worker.ts) so that one
// Node process is never the limit; the generator's own CPU use is reported beside each cell so
// a reader can tell when the machine, not the server, was the bottleneck. Both servers run side
// by side and take turns cell by cell, BENCH_ROUNDS times (3; 1 with BENCH_QUICK), and each
// cell reports its medians (interleavedCells). Then the RSS of each server after 1,000,000 keys.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {startEctlServer} from '../../test/compat/harness/ectl-server.js'
import {startRealEtcd} from '../../test/compat/harness/real-etcd.js'
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {percentile, processCpuUs, type Result} from '../util.js'
import type {WorkerResult, WorkerTask, WorkloadKind} from './workload.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const quick = process.env.BENCH_QUICK === '1'
const measureMs = quick ? 1500 : 3000
// Each cell starts fresh generator processes, whose own code is cold for their first second or
// two (a Node HTTP/2 client at 64 callers uses more than a core even when warm): measured from
// 0.5 s in, a cell at 64 callers read a third lower for either server than from 2 s in.
const warmupMs = 2000
/** Runs of each cell per target; the medians are reported (interleavedCells). */
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3))
const keySpace = 10_000
const valueBytes = 100
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64,256').split(',').map(Number)
const workloads: WorkloadKind[] = (process.env.BENCH_WORKLOADS?.split(',') as WorkloadKind[] | undefined) ?? [
  'put',
  'range-linearizable',
  'range-serializable',
  'txn',
  'watch',
  'keepalive',
]

export interface Target {
  name: 'ectl' | 'etcd'
  endpoint: string
  pid: number
  stop(): Promise<unknown>
}

export interface Cell {
  opsPerSec: number
  p99Ms: number
  generatorCpu: number
  /**
   * The server's CPU (every thread) per op, in microseconds: its CPU across the cell over the
   * ops of warm-up and measurement (the measured rate times both). Steadier than ops/s on a
   * machine whose speed swings. NaN for a target without a process id (a cluster).
   */
  serverCpuUsPerOp: number
}

/** Processes to spread `clients` over: one per 16 clients, at most 4 (the machine has 2 cores). */
const processesFor = (clients: number) => Math.min(4, Math.max(1, Math.ceil(clients / 16)))

/**
 * Starts one worker per task; each says "ready" once connected and framed, and all are told
 * "go" together, so no process's start-up (a Node start and a TypeScript compile, a good part
 * of a core for a moment) falls in another's measurement.
 */
function runWorkers(tasks: WorkerTask[]): Promise<WorkerResult[]> {
  let readyCount = 0
  const children = tasks.map((task) => spawn(process.execPath, ['--import', 'tsx', `${root}bench/server/worker.ts`, JSON.stringify(task)], {stdio: ['pipe', 'pipe', 'inherit']}))
  return Promise.all(
    children.map(
      (child) =>
        new Promise<WorkerResult>((resolve, reject) => {
          let out = ''
          let ready = false
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString()
            if (!ready && out.startsWith('ready\n')) {
              ready = true
              out = out.slice('ready\n'.length)
              if (++readyCount === children.length) for (const each of children) each.stdin.end('go\n')
            }
          })
          child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkerResult) : reject(new Error(`load worker exited ${code}`))))
        }),
    ),
  )
}

export async function runCell(target: Target, kind: WorkloadKind, clients: number): Promise<Cell> {
  const processes = processesFor(clients)
  const tasks: WorkerTask[] = Array.from({length: processes}, (_, p) => {
    const share = Math.floor(clients / processes) + (p < clients % processes ? 1 : 0)
    return {endpoint: target.endpoint, kind, clients: share, conns: Math.min(share, 8), warmupMs, measureMs, keySpace, valueBytes}
  })
  if (kind === 'watch') tasks.push({endpoint: target.endpoint, kind, clients: 1, conns: 1, warmupMs, measureMs, keySpace, valueBytes, publisher: true})
  const serverCpuBefore = target.pid > 0 ? processCpuUs(target.pid) : NaN
  const results = await runWorkers(tasks)
  const serverCpuUs = target.pid > 0 ? processCpuUs(target.pid) - serverCpuBefore : NaN
  const latencies = results.flatMap((r) => r.latenciesUs).sort((a, b) => a - b)
  const ops = results.reduce((sum, r) => sum + r.ops, 0)
  const cpuMs = results.reduce((sum, r) => sum + r.cpuMs, 0)
  const opsPerSec = ops / (measureMs / 1000)
  return {
    opsPerSec,
    p99Ms: percentile(latencies, 99) / 1000,
    generatorCpu: cpuMs / (warmupMs + measureMs),
    serverCpuUsPerOp: serverCpuUs / (opsPerSec * ((warmupMs + measureMs) / 1000)),
  }
}

/** Writes `keys` keys of `bytes` B through `endpoint`: txns of `batch` puts, 16 in flight. */
export async function populate(endpoint: string, keys: number, bytes: number, prefix = 'bench/', batch = 100): Promise<void> {
  const client = new RawGrpcClient(endpoint)
  const value = Buffer.alloc(bytes, 'v')
  let next = 0
  await Promise.all(
    Array.from({length: 16}, async () => {
      while (next < keys) {
        const from = next
        next += batch
        const success = []
        for (let i = from; i < Math.min(keys, from + batch); i++) {
          success.push({requestPut: {key: Buffer.from(`${prefix}${i.toString().padStart(7, '0')}`), value}})
        }
        await client.unary('etcdserverpb.KV', 'Txn', {success})
      }
    }),
  )
  client.close()
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

async function startTarget(name: Target['name']): Promise<Target> {
  if (name === 'etcd') {
    const etcd = await startRealEtcd()
    return {name, endpoint: etcd.endpoint, pid: etcd.pid, stop: () => etcd.stop()}
  }
  const env = {...process.env}
  delete env.NODE_EXTRA_CA_CERTS
  const server = await startEctlServer(`${root}bin/ectl.js`, env)
  return {name, endpoint: server.endpoint, pid: server.pid, stop: () => server.stop()}
}

export async function benchServer(): Promise<Result[]> {
  const results: Result[] = []
  const targets: Target[] = []
  try {
    for (const name of ['ectl', 'etcd'] as const) {
      const target = await startTarget(name)
      targets.push(target)
      await populate(target.endpoint, keySpace, valueBytes)
    }
    const cells = await interleavedCells(targets, workloads, concurrencies, (name, kind, clients) => `${name} ${kind} x${clients}`)
    for (const kind of workloads) {
      for (const clients of concurrencies) {
        const ours = cells.get(`ectl ${kind} ${clients}`)!
        const theirs = cells.get(`etcd ${kind} ${clients}`)!
        const note = `generator ${(ours.generatorCpu * 100).toFixed(0)}% / ${(theirs.generatorCpu * 100).toFixed(0)}% of a core; server CPU ${ours.serverCpuUsPerOp.toFixed(0)} / ${theirs.serverCpuUsPerOp.toFixed(0)} µs per op`
        results.push({name: `server ${kind}, ${clients} clients`, value: ours.opsPerSec, unit: 'ops/s', target: '>= 1.0x etcd', peer: theirs.opsPerSec, note})
        results.push({name: `server ${kind}, ${clients} clients, p99`, value: ours.p99Ms, unit: 'ms', target: '<= etcd', peer: theirs.p99Ms})
      }
    }
  } finally {
    await Promise.all(targets.map((target) => target.stop()))
  }
  results.push(...(await benchRss()))
  return results
}

/**
 * Each cell of `kinds` × `concurrencies` run `rounds` times on every target, the targets taking
 * turns cell by cell (and the first turn alternating between rounds), so that a machine whose
 * speed drifts over a run (another tenant, the disk writing back) weighs on both alike rather
 * than on whichever ran in the slower minutes. A cell's figures are the medians of its rounds.
 * Keyed `${target} ${kind} ${clients}`.
 */
export async function interleavedCells(
  targets: Target[],
  kinds: WorkloadKind[],
  concurrencyList: number[],
  label: (name: string, kind: WorkloadKind, clients: number) => string,
): Promise<Map<string, Cell>> {
  const cells = new Map<string, Cell>()
  for (const kind of kinds) {
    for (const clients of concurrencyList) {
      const byTarget = new Map<string, Cell[]>(targets.map((target) => [target.name, []]))
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? targets : [...targets].reverse()
        for (const target of order) {
          const cell = await runCell(target, kind, clients)
          byTarget.get(target.name)!.push(cell)
          const serverCpu = Number.isNaN(cell.serverCpuUsPerOp) ? '' : `, server ${cell.serverCpuUsPerOp.toFixed(0)} µs/op`
          console.error(`${label(target.name, kind, clients)}: ${Math.round(cell.opsPerSec)}/s p99 ${cell.p99Ms.toFixed(2)} ms (generator ${(cell.generatorCpu * 100).toFixed(0)}% of a core${serverCpu})${rounds > 1 ? ` [round ${round + 1}/${rounds}]` : ''}`)
        }
      }
      for (const [name, runs] of byTarget) cells.set(`${name} ${kind} ${clients}`, medianCell(runs))
    }
  }
  return cells
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Each figure's median over the rounds (not one round's figures: throughput and p99 are taken apart). */
function medianCell(runs: Cell[]): Cell {
  return {
    opsPerSec: median(runs.map((run) => run.opsPerSec)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    generatorCpu: median(runs.map((run) => run.generatorCpu)),
    serverCpuUsPerOp: median(runs.map((run) => run.serverCpuUsPerOp)),
  }
}

/** RSS of each server after 1,000,000 keys of 256 B (the same load into both). */
export async function benchRss(keys = quick ? 100_000 : 1_000_000): Promise<Result[]> {
  const rss: Record<string, number> = {}
  for (const name of ['ectl', 'etcd'] as const) {
    const target = await startTarget(name)
    try {
      const t0 = performance.now()
      await populate(target.endpoint, keys, 256, 'rss/')
      console.error(`${name}: loaded ${keys} keys in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      rss[name] = rssMb(target.pid)
    } finally {
      await target.stop()
    }
  }
  return [{name: `server RSS after ${keys.toLocaleString('en-US')} keys of 256 B`, value: rss.ectl!, unit: 'MB', peer: rss.etcd!}]
}
