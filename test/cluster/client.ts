// The few v3 calls the cluster tests make, each bounded in time (a member that is down or cut
// off must fail a call, not hang the test).
import type {StatusResponse} from '../../src/api/proto/rpc.js'
import type {ClusterProcess} from './harness.js'
import {within} from './harness.js'

const callTimeoutMs = 3_000

export async function put(member: ClusterProcess, key: string, value: string, timeoutMs = callTimeoutMs): Promise<bigint> {
  const response = await within(member.client!.unary('etcdserverpb.KV', 'Put', {key: Buffer.from(key), value: Buffer.from(value)}), timeoutMs, `put ${key} on ${member.name}`)
  return response.header!.revision
}

/** The value of `key` (undefined when absent); linearizable unless `serializable`. */
export async function get(member: ClusterProcess, key: string, serializable = false): Promise<string | undefined> {
  const response = await within(member.client!.unary('etcdserverpb.KV', 'Range', {key: Buffer.from(key), serializable}), callTimeoutMs, `get ${key} on ${member.name}`)
  return response.kvs[0]?.value.toString()
}

/** Every key and value under `prefix`, linearizable unless `serializable`. */
export async function getPrefix(member: ClusterProcess, prefix: string, serializable = false): Promise<Map<string, string>> {
  const end = Buffer.from(prefix)
  end[end.length - 1]!++
  const response = await within(
    member.client!.unary('etcdserverpb.KV', 'Range', {key: Buffer.from(prefix), rangeEnd: end, serializable}),
    callTimeoutMs,
    `range ${prefix} on ${member.name}`,
  )
  return new Map(response.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]))
}

export function status(member: ClusterProcess): Promise<StatusResponse> {
  return within(member.client!.unary('etcdserverpb.Maintenance', 'Status', {}), callTimeoutMs, `status of ${member.name}`)
}

export async function hashKV(member: ClusterProcess): Promise<{hash: number; revision: bigint}> {
  const response = await within(member.client!.unary('etcdserverpb.Maintenance', 'HashKV', {revision: 0n}), callTimeoutMs, `hashkv of ${member.name}`)
  return {hash: response.hash, revision: response.header!.revision}
}

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last === undefined ? '' : ` (last error: ${(last as Error).message})`}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** The leader every running member agrees on, once they do. */
export function agreedLeader(members: ClusterProcess[], timeoutMs: number): Promise<ClusterProcess> {
  return eventually('an agreed leader', timeoutMs, async () => {
    const running = members.filter((m) => m.running)
    const statuses = await Promise.all(running.map((m) => status(m)))
    const leader = statuses[0]!.leader
    if (leader === 0n || statuses.some((s) => s.leader !== leader)) return undefined
    return running.find((m, i) => statuses[i]!.header!.memberId === leader)
  })
}
