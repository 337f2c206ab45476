// Server CPU per operation for the two streaming workloads, ectl server beside the real etcd:
// the figure that stays steady on a shared, loaded machine where ops/s swing several times
// between runs. CPU is the server process's user + system time (all its threads) from
// /proc/PID/stat across a fixed amount of work.
//
// - watch: W watchers on the prefix `watch/` (over up to 32 HTTP/2 connections); one client
//   makes P sequential puts (each awaits its answer, as the `watch` cell's publisher); the run
//   ends once every watcher has every event. Reports puts/s, server CPU per put and per event.
// - keepalive: S streams over up to 8 connections renewing their leases R times in all, one
//   request in flight per stream. Reports renewals/s and server CPU per renewal.
//
// Usage: node --import tsx bench/server/cpu-per-op.ts
//   CPU_TARGETS=ectl,etcd  CPU_WATCHERS=16,256  CPU_PUTS=400  CPU_STREAMS=16,256  CPU_RENEWALS=20000
//   CPU_ECTL_BIN=path/to/bin/ectl.js (another build, for A/B runs)  CPU_ROUNDS=1
import {readdirSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveRequest, PutRequest, WatchRequest, WatchResponse} from '../../src/api/proto/rpc.js'
import {startEctlServer} from '../../test/compat/harness/ectl-server.js'
import {startRealEtcd} from '../../test/compat/harness/real-etcd.js'
import {frame, LightGrpcClient} from './light-grpc.js'
import {processCpuUs, statCpuUs} from '../util.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').filter((s) => s !== '')
const targets = list('CPU_TARGETS', 'ectl,etcd')
const watcherCounts = list('CPU_WATCHERS', '1,16,256').map(Number)
const puts = Number(process.env.CPU_PUTS ?? 400)
const streamCounts = list('CPU_STREAMS', '1,16,256').map(Number)
/** Renewals in all (spread over the streams), so a cell measures a fixed amount of work. */
const renewals = Number(process.env.CPU_RENEWALS ?? 20_000)
const rounds = Number(process.env.CPU_ROUNDS ?? 1)
const ectlBin = process.env.CPU_ECTL_BIN ?? `${root}bin/ectl.js`

/** CPU of each thread of a process by thread name (main thread first), in microseconds. */
function threadCpuUs(pid: number): Map<string, number> {
  const byName = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    } catch {
      continue // the thread ended meanwhile
    }
    const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    byName.set(name, (byName.get(name) ?? 0) + statCpuUs(stat))
  }
  return byName
}

/** Each thread's share of the CPU spent between two threadCpuUs readings, per op. */
function threadSplit(before: Map<string, number>, after: Map<string, number>, ops: number): string {
  const parts: string[] = []
  for (const [name, us] of after) {
    const spent = us - (before.get(name) ?? 0)
    if (spent > 0) parts.push(`${name} ${(spent / ops).toFixed(1)}`)
  }
  return parts.join(', ')
}

async function start(name: string): Promise<{endpoint: string; pid: number; stop(): Promise<unknown>}> {
  if (name === 'etcd') return startRealEtcd()
  const env = {...process.env}
  delete env.NODE_EXTRA_CA_CERTS
  return startEctlServer(ectlBin, env)
}

async function watchRun(endpoint: string, pid: number, watchers: number): Promise<string> {
  const conns = Array.from({length: Math.min(32, watchers)}, () => new LightGrpcClient(endpoint))
  const publisher = new LightGrpcClient(endpoint)
  const create = frame(WatchRequest.encode(WatchRequest.fromPartial({createRequest: {key: Buffer.from('watch/'), rangeEnd: Buffer.from('watch0')}})).finish())
  let created = 0
  let events = 0
  let allCreated!: () => void
  const ready = new Promise<void>((resolve) => (allCreated = resolve))
  let allDelivered: (() => void) | undefined
  const streams = Array.from({length: watchers}, (_, w) => {
    const stream = conns[w % conns.length]!.bidi('/etcdserverpb.Watch/Watch', (bytes) => {
      const response = WatchResponse.decode(bytes)
      if (response.created && ++created === watchers) allCreated()
      events += response.events.length
      if (events === watchers * puts) allDelivered?.()
    })
    stream.write(create)
    return stream
  })
  if (watchers === 0) allCreated()
  await ready
  const delivered = watchers === 0 ? Promise.resolve() : new Promise<void>((resolve) => (allDelivered = resolve))
  const value = Buffer.alloc(100, 'x')
  const requests = Array.from({length: puts}, (_, i) => frame(PutRequest.encode(PutRequest.fromPartial({key: Buffer.from(`watch/${i % 100}`), value})).finish()))
  const cpu0 = processCpuUs(pid)
  const threads0 = threadCpuUs(pid)
  const t0 = performance.now()
  for (const request of requests) await publisher.unary('/etcdserverpb.KV/Put', request)
  const putMs = performance.now() - t0
  await delivered
  const cpu = processCpuUs(pid) - cpu0
  const split = threadSplit(threads0, threadCpuUs(pid), puts)
  for (const stream of streams) stream.cancel()
  for (const conn of [...conns, publisher]) conn.close()
  return `watch x${watchers}: ${Math.round((puts / putMs) * 1000)} puts/s, ${Math.round((watchers * puts) / ((performance.now() - t0) / 1000))} events/s; server CPU ${(cpu / puts).toFixed(0)} µs/put, ${watchers === 0 ? '-' : (cpu / (puts * watchers)).toFixed(1)} µs/event (µs/put by thread: ${split})`
}

async function keepAliveRun(endpoint: string, pid: number, streams: number): Promise<string> {
  const conns = Array.from({length: Math.min(8, streams)}, () => new LightGrpcClient(endpoint))
  const grant = frame(LeaseGrantRequest.encode(LeaseGrantRequest.fromPartial({TTL: 600n})).finish())
  const ids = await Promise.all(Array.from({length: streams}, async (_, s) => LeaseGrantResponse.decode(await conns[s % conns.length]!.unary('/etcdserverpb.Lease/LeaseGrant', grant)).ID))
  // the grants' background work (the backend's commit of their writes) is not the renewals'
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const perStream = Math.ceil(renewals / streams)
  const cpu0 = processCpuUs(pid)
  const threads0 = threadCpuUs(pid)
  const t0 = performance.now()
  await Promise.all(
    ids.map(async (id, s) => {
      let answered: (() => void) | undefined
      const stream = conns[s % conns.length]!.bidi('/etcdserverpb.Lease/LeaseKeepAlive', () => answered?.())
      const ping = frame(LeaseKeepAliveRequest.encode({ID: id}).finish())
      for (let r = 0; r < perStream; r++) {
        const reply = new Promise<void>((resolve) => (answered = resolve))
        stream.write(ping)
        await reply
      }
      stream.end()
    }),
  )
  const ms = performance.now() - t0
  const cpu = processCpuUs(pid) - cpu0
  const total = streams * perStream
  const split = threadSplit(threads0, threadCpuUs(pid), total)
  for (const conn of conns) conn.close()
  return `keepalive x${streams}: ${Math.round((total / ms) * 1000)} renewals/s; server CPU ${(cpu / total).toFixed(1)} µs/renewal (by thread: ${split})`
}

for (let round = 0; round < rounds; round++) {
  for (const name of targets) {
    const target = await start(name)
    try {
      for (const watchers of watcherCounts) console.log(`${name} ${await watchRun(target.endpoint, target.pid, watchers)}`)
      for (const streams of streamCounts) console.log(`${name} ${await keepAliveRun(target.endpoint, target.pid, streams)}`)
    } finally {
      await target.stop()
    }
  }
}
