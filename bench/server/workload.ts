// The load of one client process: `clients` concurrent callers over `conns` gRPC channels, each
// repeating one kind of request against one endpoint for a fixed time. Run by load.ts in several
// processes at once so the generator is not what limits the server.
import {hrtime} from 'node:process'
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'

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

export async function runTask(task: WorkerTask): Promise<WorkerResult> {
  const channels = Array.from({length: Math.max(1, task.conns)}, () => new RawGrpcClient(task.endpoint))
  const value = Buffer.alloc(task.valueBytes, 'x')
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
    let i = Math.floor(Math.random() * task.keySpace)
    if (task.kind === 'keepalive') return keepAliveLoop(client, end, record)
    while (nowUs() < end) {
      i = (i + 7919) % task.keySpace
      const t0 = nowUs()
      switch (task.kind) {
        case 'put':
          await client.unary('etcdserverpb.KV', 'Put', {key: key(i), value})
          break
        case 'range-linearizable':
          await client.unary('etcdserverpb.KV', 'Range', {key: key(i)})
          break
        case 'range-serializable':
          await client.unary('etcdserverpb.KV', 'Range', {key: key(i), serializable: true})
          break
        case 'txn':
          await client.unary('etcdserverpb.KV', 'Txn', {
            compare: [{key: key(i), target: 2 /* MOD */, result: 1 /* GREATER */, modRevision: 0n}],
            success: [{requestPut: {key: key(i), value}}],
            failure: [{requestPut: {key: key(i), value}}],
          })
          break
        default:
          throw new Error(`not a request loop: ${task.kind}`)
      }
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

async function keepAliveLoop(client: RawGrpcClient, endUs: number, record: (t0: number) => void): Promise<void> {
  const grant = await client.unary('etcdserverpb.Lease', 'LeaseGrant', {TTL: 600n})
  const stream = client.bidi('etcdserverpb.Lease', 'LeaseKeepAlive')
  const responses = stream[Symbol.asyncIterator]()
  while (nowUs() < endUs) {
    const t0 = nowUs()
    stream.write({ID: grant.ID})
    const next = await responses.next()
    if (next.done) throw new Error('keep-alive stream ended')
    record(t0)
  }
  stream.end()
  await client.unary('etcdserverpb.Lease', 'LeaseRevoke', {ID: grant.ID}).catch(() => undefined)
}

/**
 * Watch fan-out: every caller of a receiving process opens a watch on the `watch/` prefix; the
 * publisher process writes values that carry their send time, and each delivery counts as one op
 * with its put-to-delivery latency (hrtime is the machine's monotonic clock, shared by processes).
 */
async function watchTask(
  task: WorkerTask,
  channels: RawGrpcClient[],
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
      await client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from(`watch/${i++ % 100}`), value: stamp})
      if (measuring()) count(0)
    }
    return
  }
  const streams = Array.from({length: task.clients}, (_, c) => {
    const stream = channels[c % channels.length]!.bidi('etcdserverpb.Watch', 'Watch')
    stream.write({createRequest: {key: Buffer.from('watch/'), rangeEnd: Buffer.from('watch0')}})
    stream.on('data', (response: {events: {kv?: {value: Uint8Array}}[]}) => {
      if (!measuring()) return
      const at = nowUs()
      for (const event of response.events) {
        const sent = Number(Buffer.from(event.kv?.value ?? []).toString().trim())
        if (Number.isFinite(sent) && sent > 0) latenciesUs.push(at - sent)
      }
      count(response.events.length)
    })
    stream.on('error', () => undefined)
    return stream
  })
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (endUs - nowUs()) / 1000 + 200)))
  for (const stream of streams) stream.cancel()
}
