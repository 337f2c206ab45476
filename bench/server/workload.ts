// The load of one client process: `clients` concurrent callers over `conns` HTTP/2 connections,
// each repeating one kind of request against one endpoint for a fixed time. Requests are encoded
// before the run and sent by a light gRPC client (light-grpc.ts). Run by load.ts in several
// processes at once so the generator is not what limits the server.
import {hrtime} from 'node:process'
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveRequest,
  LeaseRevokeRequest,
  PutRequest,
  RangeRequest,
  TxnRequest,
  WatchRequest,
  WatchResponse,
} from '../../src/api/proto/rpc.js'
import {frame, LightGrpcClient} from './light-grpc.js'

export type WorkloadKind = 'put' | 'range-linearizable' | 'range-serializable' | 'txn' | 'watch' | 'keepalive'

export interface WorkerTask {
  endpoint: string
  kind: WorkloadKind
  clients: number
  conns: number
  warmupMs: number
  measureMs: number
  keySpace: number
  valueBytes: number
  /** For watch: true in the one process that writes the events the others receive. */
  publisher?: boolean
}

export interface WorkerResult {
  ops: number
  /** Latency of each measured op in microseconds (watch: put-to-delivery). */
  latenciesUs: number[]
  measuredMs: number
  cpuMs: number
}

const nowUs = () => Number(hrtime.bigint() / 1000n)
const key = (i: number) => Buffer.from(`bench/${(i % 1_000_000).toString().padStart(7, '0')}`)

const PUT = '/etcdserverpb.KV/Put'
const RANGE = '/etcdserverpb.KV/Range'
const TXN = '/etcdserverpb.KV/Txn'

/** Every request a caller of `kind` sends, framed once before the run (one per key). */
function requestsFor(kind: WorkloadKind, keySpace: number, value: Buffer): {path: string; framed: Buffer[]} {
  const framed: Buffer[] = []
  for (let i = 0; i < keySpace; i++) {
    const k = key(i)
    switch (kind) {
      case 'put':
        framed.push(frame(PutRequest.encode(PutRequest.fromPartial({key: k, value})).finish()))
        break
      case 'range-linearizable':
      case 'range-serializable':
        framed.push(frame(RangeRequest.encode(RangeRequest.fromPartial({key: k, serializable: kind === 'range-serializable'})).finish()))
        break
      case 'txn':
        framed.push(
          frame(
            TxnRequest.encode(
              TxnRequest.fromPartial({
                compare: [{key: k, target: Compare_CompareTarget.MOD, result: Compare_CompareResult.GREATER, modRevision: 0n}],
                success: [{requestPut: {key: k, value}}],
                failure: [{requestPut: {key: k, value}}],
              }),
            ).finish(),
          ),
        )
        break
      default:
        throw new Error(`not a request loop: ${kind}`)
    }
  }
  return {path: kind === 'put' ? PUT : kind === 'txn' ? TXN : RANGE, framed}
}

/** What a task needs before its clock starts: connections and every request, framed. */
export interface PreparedTask {
  channels: LightGrpcClient[]
  value: Buffer
  requests: {path: string; framed: Buffer[]} | undefined
}

export function prepareTask(task: WorkerTask): PreparedTask {
  const value = Buffer.alloc(task.valueBytes, 'x')
  return {
    channels: Array.from({length: Math.max(1, task.conns)}, () => new LightGrpcClient(task.endpoint)),
    value,
    requests: task.kind === 'watch' || task.kind === 'keepalive' ? undefined : requestsFor(task.kind, task.keySpace, value),
  }
}

export async function runTask(task: WorkerTask, prepared: PreparedTask = prepareTask(task)): Promise<WorkerResult> {
  const {channels, value, requests} = prepared
  const cpuStart = process.cpuUsage()
  const latenciesUs: number[] = []
  let ops = 0
  let measuring = false
  const started = nowUs()
  const warmEnd = started + task.warmupMs * 1000
  const end = warmEnd + task.measureMs * 1000
  setTimeout(() => (measuring = true), task.warmupMs).unref()
  const record = (t0: number) => {
    if (!measuring) return
    ops++
    latenciesUs.push(nowUs() - t0)
  }

  const caller = async (c: number) => {
    const client = channels[c % channels.length]!
    if (task.kind === 'keepalive') return keepAliveLoop(client, end, record)
    const {path, framed} = requests!
    let i = Math.floor(Math.random() * task.keySpace)
    while (nowUs() < end) {
      i = (i + 7919) % task.keySpace
      const t0 = nowUs()
      await client.unary(path, framed[i]!)
      record(t0)
    }
  }

  if (task.kind === 'watch') {
    await watchTask(task, channels, end, measuringNow, latenciesUs, value, (n) => (ops += n))
  } else {
    await Promise.all(Array.from({length: task.clients}, (_, c) => caller(c)))
  }
  for (const channel of channels) channel.close()
  const cpu = process.cpuUsage(cpuStart)
  return {ops, latenciesUs, measuredMs: task.measureMs, cpuMs: (cpu.user + cpu.system) / 1000}

  function measuringNow() {
    return measuring
  }
}

/** One lease kept alive as fast as its stream answers: one request in flight at a time. */
async function keepAliveLoop(client: LightGrpcClient, endUs: number, record: (t0: number) => void): Promise<void> {
  const grant = LeaseGrantResponse.decode(await client.unary('/etcdserverpb.Lease/LeaseGrant', frame(LeaseGrantRequest.encode(LeaseGrantRequest.fromPartial({TTL: 600n})).finish())))
  let answered: (() => void) | undefined
  const stream = client.bidi('/etcdserverpb.Lease/LeaseKeepAlive', () => answered?.())
  const ping = frame(LeaseKeepAliveRequest.encode({ID: grant.ID}).finish())
  while (nowUs() < endUs) {
    const t0 = nowUs()
    const reply = new Promise<void>((resolve) => (answered = resolve))
    stream.write(ping)
    await reply
    record(t0)
  }
  stream.end()
  await client.unary('/etcdserverpb.Lease/LeaseRevoke', frame(LeaseRevokeRequest.encode({ID: grant.ID}).finish())).catch(() => undefined)
}

/**
 * Watch fan-out: every caller of a receiving process opens a watch on the `watch/` prefix; the
 * publisher process writes values that carry their send time, and each delivery counts as one op
 * with its put-to-delivery latency (hrtime is the machine's monotonic clock, shared by processes).
 */
async function watchTask(
  task: WorkerTask,
  channels: LightGrpcClient[],
  endUs: number,
  measuring: () => boolean,
  latenciesUs: number[],
  value: Buffer,
  count: (n: number) => void,
): Promise<void> {
  if (task.publisher) {
    const client = channels[0]!
    let i = 0
    while (nowUs() < endUs) {
      const stamp = Buffer.from(String(nowUs()).padEnd(Math.max(16, value.length), ' '))
      await client.unary(PUT, frame(PutRequest.encode(PutRequest.fromPartial({key: Buffer.from(`watch/${i++ % 100}`), value: stamp})).finish()))
      if (measuring()) count(0)
    }
    return
  }
  const create = frame(WatchRequest.encode(WatchRequest.fromPartial({createRequest: {key: Buffer.from('watch/'), rangeEnd: Buffer.from('watch0')}})).finish())
  const streams = Array.from({length: task.clients}, (_, c) => {
    const stream = channels[c % channels.length]!.bidi('/etcdserverpb.Watch/Watch', (bytes) => {
      if (!measuring()) return
      const at = nowUs()
      const response = WatchResponse.decode(bytes)
      for (const event of response.events) {
        const sent = Number(Buffer.from(event.kv?.value ?? []).toString().trim())
        if (Number.isFinite(sent) && sent > 0) latenciesUs.push(at - sent)
      }
      count(response.events.length)
    })
    stream.write(create)
    return stream
  })
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (endUs - nowUs()) / 1000 + 200)))
  for (const stream of streams) stream.cancel()
}
