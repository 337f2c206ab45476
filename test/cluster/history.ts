// Concurrent clients against the members of a test cluster, each operation recorded with its
// invocation and response times and result, as the linearizability checker of the simulation
// (test/sim/linearizability.ts) reads histories: puts, linearizable gets and compare-and-set
// txns on a few keys. An operation that fails or times out has an unknown outcome (a write may
// still commit later; a read constrains nothing).
//
// Beside the history: every acknowledged write with the revision it was given, so a test can
// look for each of them in every member's event log (eventLog below).
import assert from 'node:assert/strict'
import type {ClientDuplexStream} from '@grpc/grpc-js'
import {Compare_CompareResult, Compare_CompareTarget, type WatchRequest, type WatchResponse} from '../../src/api/proto/rpc.js'
import type {DeepPartial} from '../../src/engine/net/grpc/raw-client.js'
import {type CheckResult, checkHistory, describeOp, type HistoryOp} from '../sim/linearizability.js'
import type {KvOp, KvOutput} from '../sim/kv.js'
import type {ClusterProcess} from './harness.js'
import {within} from './harness.js'

export interface RecordedOp extends HistoryOp {
  member: string
  /** The failure of an op with an unknown outcome. */
  error?: string
}

export interface AckedWrite {
  key: string
  value: string
  revision: bigint
}

export interface LoadOptions {
  keys: string[]
  /** Clients per member. */
  clientsPerMember: number
  opTimeoutMs: number
  /** A pause after a failed op, so a member cut off does not fill the history with timeouts. */
  backoffMs: number
}

export class RecordedLoad {
  readonly ops: RecordedOp[] = []
  readonly acked: AckedWrite[] = []
  private running = true
  private readonly clients: Promise<void>[] = []
  private readonly start = performance.now()

  constructor(
    members: readonly ClusterProcess[],
    private readonly options: LoadOptions,
  ) {
    let client = 0
    for (const member of members) {
      for (let i = 0; i < options.clientsPerMember; i++) this.clients.push(this.runClient(client++, member))
    }
  }

  /** Milliseconds since the load started (the history's clock). */
  now(): number {
    return performance.now() - this.start
  }

  /** Ops acknowledged so far. */
  get acknowledged(): number {
    return this.ops.filter((o) => o.returnTime !== Infinity).length
  }

  async stop(): Promise<void> {
    this.running = false
    await Promise.all(this.clients)
  }

  /** A last linearizable read of every key on every member, recorded (the load must be stopped). */
  async readAll(members: readonly ClusterProcess[]): Promise<void> {
    let client = 1000
    for (const member of members) {
      for (const key of this.options.keys) {
        const callTime = this.now()
        const {output} = await within(execute(member, {kind: 'get', key}), this.options.opTimeoutMs, `get ${key} on ${member.name}`)
        this.ops.push({client: client++, member: member.name, op: {kind: 'get', key}, output, callTime, returnTime: this.now()})
      }
    }
  }

  check(): CheckResult {
    return checkHistory(this.ops)
  }

  private async runClient(client: number, member: ClusterProcess): Promise<void> {
    const {keys} = this.options
    // what this client last read of each key: the expected value of its next compare-and-set
    const lastRead = new Map<string, string | null>()
    let seq = 0
    while (this.running) {
      if (!member.running) {
        await sleep(this.options.backoffMs)
        continue
      }
      const key = keys[Math.floor(Math.random() * keys.length)]!
      const dice = Math.random()
      const value = `c${client}-${seq++}`
      const op: KvOp =
        dice < 0.35 ? {kind: 'put', key, value} : dice < 0.7 ? {kind: 'get', key} : {kind: 'cas', key, expected: lastRead.get(key) ?? null, value}
      const recorded: RecordedOp = {client, member: member.name, op, output: undefined, callTime: this.now(), returnTime: Infinity}
      this.ops.push(recorded)
      try {
        const {output, revision} = await within(execute(member, op), this.options.opTimeoutMs, `${op.kind} ${key} on ${member.name}`)
        recorded.output = output
        recorded.returnTime = this.now()
        if (op.kind === 'get') lastRead.set(key, output as string | null)
        if (op.kind === 'put' || (op.kind === 'cas' && output === true)) this.acked.push({key, value: op.value, revision})
      } catch (error) {
        recorded.error = (error as Error).message
        await sleep(this.options.backoffMs)
      }
    }
  }
}

async function execute(member: ClusterProcess, op: KvOp): Promise<{output: KvOutput; revision: bigint}> {
  const client = member.client!
  const key = Buffer.from(op.key)
  switch (op.kind) {
    case 'put': {
      const response = await client.unary('etcdserverpb.KV', 'Put', {key, value: Buffer.from(op.value)})
      return {output: null, revision: response.header!.revision}
    }
    case 'get': {
      const response = await client.unary('etcdserverpb.KV', 'Range', {key})
      return {output: response.kvs[0]?.value.toString() ?? null, revision: response.header!.revision}
    }
    case 'cas': {
      // absent: version 0; present: the value itself
      const compare =
        op.expected === null
          ? {key, target: Compare_CompareTarget.VERSION, result: Compare_CompareResult.EQUAL, version: 0n}
          : {key, target: Compare_CompareTarget.VALUE, result: Compare_CompareResult.EQUAL, value: Buffer.from(op.expected)}
      const response = await client.unary('etcdserverpb.KV', 'Txn', {compare: [compare], success: [{requestPut: {key, value: Buffer.from(op.value)}}]})
      return {output: response.succeeded, revision: response.header!.revision}
    }
    case 'delete':
      throw new Error('delete is not part of this load')
  }
}

/** Checks the history of a stopped load; a failure names the key and its operations. */
export function assertLinearizable(load: RecordedLoad): void {
  const started = performance.now()
  const result = load.check()
  const unknown = load.ops.filter((o) => o.returnTime === Infinity).length
  process.stderr.write(`# ${load.ops.length} ops (${unknown} with unknown outcome) checked in ${(performance.now() - started).toFixed(0)} ms\n`)
  assert.ok(result.ok, describeFailure(result))
}

/** A failed check, in words: the key, the reason and its operations in time order. */
export function describeFailure(result: CheckResult, maxOps = 60): string {
  if (result.ok) return 'linearizable'
  const ops = [...result.ops].sort((a, b) => a.callTime - b.callTime)
  const lines = ops.slice(0, maxOps).map((o) => `  ${describeOp(o)} on ${(o as RecordedOp).member}`)
  return `key ${result.key}: ${result.reason} (${ops.length} ops)\n${lines.join('\n')}`
}

/**
 * Every event on keys under `prefix` from revision 1 through `revision`, as "key value" by
 * revision, read from `member` by a watch (the member must have applied `revision`).
 */
export async function eventLog(member: ClusterProcess, prefix: string, revision: bigint, timeoutMs = 10_000): Promise<Map<bigint, string>> {
  const end = Buffer.from(prefix)
  end[end.length - 1]!++
  const stream = member.client!.bidi('etcdserverpb.Watch', 'Watch') as ClientDuplexStream<DeepPartial<WatchRequest>, WatchResponse>
  const events = new Map<bigint, string>()
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        stream.on('error', reject)
        stream.on('data', (response: WatchResponse) => {
          if (response.canceled) reject(new Error(`watch on ${member.name} canceled: ${response.cancelReason}`))
          for (const event of response.events) {
            const kv = event.kv!
            if (kv.modRevision <= revision) events.set(kv.modRevision, `${kv.key.toString()} ${kv.value.toString()}`)
          }
          // the answer to a progress request: the watch has caught up with the member
          if (!response.created && response.events.length === 0) {
            if (response.header!.revision >= revision) resolve()
            else setTimeout(() => stream.write({progressRequest: {}}), 50)
          }
        })
        stream.write({createRequest: {key: Buffer.from(prefix), rangeEnd: end, startRevision: 1n, progressNotify: false}})
        // answered once the watch has caught up, with the member's current revision
        stream.write({progressRequest: {}})
      }),
      timeoutMs,
      `event log of ${member.name}`,
    )
  } finally {
    stream.on('error', () => undefined)
    stream.cancel()
  }
  return events
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
