// Lock, Election and LeaseRevoke under auth, over gRPC, against the real etcd 3.4 and against
// `ectl server` (the built bin/ectl.js): users with no, read-only, write-only and read-write
// permission on the keys of a lock and an election, and without a token or with a forged one,
// make the same calls on both, and the transcripts (each call's code and message, or its
// answer with ids and revisions masked) must be equal. etcdctl's own lock and elect run the
// recipes client-side, so only a gRPC client reaches these services.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {credentials, type Client, makeGenericClientConstructor, Metadata, type ServiceError} from '@grpc/grpc-js'
import {serviceDefinition, type ServiceName} from '../../src/api/grpc-methods.js'
import {startEctlServer} from './harness/ectl-server.js'
import {startRealEtcd} from './harness/real-etcd.js'

const launcher = new URL('../../bin/ectl.js', import.meta.url).pathname
const callTimeoutMs = 5_000
/** A call that waits (an observer following its leader) is cut after this; the cut is recorded. */
const waitingCallMs = 1_000

const b = (text: string) => Buffer.from(text)

/** Answers with what differs between two servers masked: ids, revisions, lease ids in keys. */
function masked(value: unknown): string {
  return JSON.stringify(value, (name, field: unknown) => {
    if (typeof field === 'bigint') return ['revision', 'rev', 'createRevision', 'modRevision', 'raftTerm', 'clusterId', 'memberId', 'ID', 'lease', 'version'].includes(name) ? '#' : field.toString()
    if (field !== null && typeof field === 'object' && (field as {type?: string}).type === 'Buffer') {
      return Buffer.from((field as {data: number[]}).data).toString().replace(/\/[0-9a-f]{1,16}$/, '/<lease>')
    }
    return field
  })
}

class Caller {
  private readonly clients = new Map<ServiceName, Client>()
  constructor(private readonly endpoint: string) {}

  private client(service: ServiceName): Record<string, (...args: unknown[]) => unknown> {
    let client = this.clients.get(service)
    if (client === undefined) {
      const Constructor = makeGenericClientConstructor(serviceDefinition(service), service)
      client = new Constructor(this.endpoint, credentials.createInsecure())
      this.clients.set(service, client)
    }
    return client as unknown as Record<string, (...args: unknown[]) => unknown>
  }

  private metadata(token: string | undefined): Metadata {
    const metadata = new Metadata()
    if (token !== undefined) metadata.set('token', token)
    return metadata
  }

  raw<T>(service: ServiceName, method: string, request: unknown, token?: string): Promise<{error?: ServiceError; response?: T}> {
    return new Promise((resolve) => {
      const client = this.client(service)
      client[method]!.call(client, request, this.metadata(token), {deadline: Date.now() + callTimeoutMs}, (error: ServiceError | null, response: T) =>
        resolve(error ? {error} : {response}),
      )
    })
  }

  async unary(service: ServiceName, method: string, request: unknown, token?: string): Promise<string> {
    const {error, response} = await this.raw(service, method, request, token)
    return error ? `error ${error.code}: ${error.details}` : `ok ${masked(response)}`
  }

  /** A server stream read for a short while: what came, and how it ended (or that it waited). */
  stream(service: ServiceName, method: string, request: unknown, token?: string): Promise<string> {
    return new Promise((resolve) => {
      const client = this.client(service)
      const call = client[method]!.call(client, request, this.metadata(token)) as NodeJS.ReadableStream & {cancel(): void}
      const seen: string[] = []
      const timer = setTimeout(() => {
        call.cancel()
        resolve(`${seen.join(', ')} (still open)`)
      }, waitingCallMs)
      call.on('data', (message: unknown) => seen.push(masked(message)))
      call.on('error', (error: ServiceError) => {
        clearTimeout(timer)
        if (error.code !== 1) resolve(`${seen.join(', ')} error ${error.code}: ${error.details}`)
      })
      call.on('end', () => {
        clearTimeout(timer)
        resolve(`${seen.join(', ')} (ended)`)
      })
    })
  }

  close(): void {
    for (const client of this.clients.values()) client.close()
  }
}

const AUTH = 'etcdserverpb.Auth'
const KV = 'etcdserverpb.KV'
const LEASE = 'etcdserverpb.Lease'
const LOCK = 'v3lockpb.Lock'
const ELECTION = 'v3electionpb.Election'

/** Users and their roles: permission on [l, m), where the lock and the election live. */
const users = [
  {name: 'none', perm: undefined},
  {name: 'reader', perm: 0},
  {name: 'writer', perm: 1},
  {name: 'both', perm: 2},
]

/** The whole transcript of one server: every line is one call and what it answered. */
async function transcript(endpoint: string): Promise<string[]> {
  const caller = new Caller(endpoint)
  const lines: string[] = []
  const log = (what: string, answer: string) => lines.push(`${what}: ${answer}`)
  try {
    await caller.unary(AUTH, 'UserAdd', {name: 'root', password: 'root'})
    await caller.unary(AUTH, 'UserGrantRole', {user: 'root', role: 'root'})
    for (const user of users) {
      await caller.unary(AUTH, 'UserAdd', {name: user.name, password: user.name})
      if (user.perm === undefined) continue
      await caller.unary(AUTH, 'RoleAdd', {name: `${user.name}-role`})
      await caller.unary(AUTH, 'RoleGrantPermission', {name: `${user.name}-role`, perm: {permType: user.perm, key: b('l'), rangeEnd: b('m')}})
      await caller.unary(AUTH, 'UserGrantRole', {user: user.name, role: `${user.name}-role`})
    }
    log('auth enable', await caller.unary(AUTH, 'AuthEnable', {}))
    const token = async (name: string) => (await caller.raw<{token: string}>(AUTH, 'Authenticate', {name, password: name})).response!.token
    const root = await token('root')
    const lease = async () => (await caller.raw<{ID: bigint}>(LEASE, 'LeaseGrant', {TTL: 60n}, root)).response!.ID

    // the root holds a lock and an election; the others try theirs and the root's
    const rootLease = await lease()
    const lock = (await caller.raw<{key: Buffer}>(LOCK, 'Lock', {name: b('lk-held'), lease: rootLease}, root)).response!
    const won = (await caller.raw<{leader: unknown}>(ELECTION, 'Campaign', {name: b('le-held'), lease: rootLease, value: b('root')}, root)).response!
    const callers: Array<[string, string | undefined]> = [['no token', undefined], ['forged token', 'forged.1']]
    for (const user of users) callers.push([user.name, await token(user.name)])
    for (const [who, as] of callers) {
      const own = await lease()
      log(`${who} lock`, await caller.unary(LOCK, 'Lock', {name: b('lk'), lease: own}, as))
      log(`${who} unlock`, await caller.unary(LOCK, 'Unlock', {key: b(`lk/${own.toString(16)}`)}, as))
      log(`${who} campaign`, await caller.unary(ELECTION, 'Campaign', {name: b('le'), lease: own, value: b(who)}, as))
      log(`${who} leader`, await caller.unary(ELECTION, 'Leader', {name: b('le-held')}, as))
      log(`${who} proclaim`, await caller.unary(ELECTION, 'Proclaim', {leader: won.leader, value: b(who)}, as))
      log(`${who} observe`, await caller.stream(ELECTION, 'Observe', {name: b('le-held')}, as))
      log(`${who} resign own`, await caller.unary(ELECTION, 'Resign', {leader: {name: b('le'), key: b(`le/${own.toString(16)}`), rev: 1n, lease: own}}, as))
      await caller.unary(LEASE, 'LeaseRevoke', {ID: own}, root)
    }
    log('writer unlock held', await caller.unary(LOCK, 'Unlock', {key: lock.key}, await token('writer')))
    log('both resign held', await caller.unary(ELECTION, 'Resign', {leader: won.leader}, await token('both')))
    await caller.unary(LEASE, 'LeaseRevoke', {ID: rootLease}, root)

    // LeaseRevoke: write on every key of the lease
    const mixed = await lease()
    await caller.unary(KV, 'Put', {key: b('l1'), value: b('v'), lease: mixed}, root)
    await caller.unary(KV, 'Put', {key: b('z1'), value: b('v'), lease: mixed}, root)
    const inside = await lease()
    await caller.unary(KV, 'Put', {key: b('l2'), value: b('v'), lease: inside}, root)
    for (const [who, as] of callers) log(`${who} revoke l1+z1`, await caller.unary(LEASE, 'LeaseRevoke', {ID: mixed}, as))
    log('reader revoke l2', await caller.unary(LEASE, 'LeaseRevoke', {ID: inside}, await token('reader')))
    log('writer revoke l2', await caller.unary(LEASE, 'LeaseRevoke', {ID: inside}, await token('writer')))
    log('reader revoke empty', await caller.unary(LEASE, 'LeaseRevoke', {ID: await lease()}, await token('reader')))
    log('reader revoke missing', await caller.unary(LEASE, 'LeaseRevoke', {ID: 12345n}, await token('reader')))
    log('keys left', await caller.unary(KV, 'Range', {key: b('\0'), rangeEnd: b('\0'), keysOnly: true}, root))
    return lines
  } finally {
    caller.close()
  }
}

describe('Lock, Election and LeaseRevoke under auth: ectl server answers as etcd 3.4', () => {
  let reference: string[]
  let ours: string[]

  before(async () => {
    const etcd = await startRealEtcd()
    try {
      reference = await transcript(etcd.endpoint)
    } finally {
      await etcd.stop()
    }
    const env = {...process.env}
    delete env.NODE_EXTRA_CA_CERTS
    const server = await startEctlServer(launcher, env)
    try {
      ours = await transcript(server.endpoint)
    } finally {
      await server.stop()
    }
  })
  after(() => undefined)

  test('the reference refuses what it should (the transcript is not vacuous)', () => {
    assert.ok(reference.includes('no token lock: error 2: etcdserver: user name is empty'), reference.join('\n'))
    assert.ok(reference.includes('reader lock: error 2: etcdserver: permission denied'))
    assert.ok(reference.includes('writer revoke l2: ok {"header":{"clusterId":"#","memberId":"#","revision":"#","raftTerm":"#"}}'))
    assert.ok(reference.includes('both revoke l1+z1: error 7: etcdserver: permission denied'))
  })

  test('every call answers the same on both', () => {
    assert.deepEqual(ours, reference)
  })
})
