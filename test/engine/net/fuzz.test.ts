// Fuzzing the client port (fast-check, a few seconds each): random and malformed protobuf
// bytes on every method of the method table, unary and streaming, and random paths and bodies
// on the HTTP gateway. The server must answer each within a deadline with a status that names
// the problem (never Unknown, which would be an unexpected exception), and keep serving.
import assert from 'node:assert/strict'
import {type Client, credentials, makeGenericClientConstructor, Metadata, type ServiceError} from '@grpc/grpc-js'
import fc from 'fast-check'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {GrpcCode} from '../../../src/api/errors.js'
import {grpcServices, type MethodSpec, methodPath, type ServiceName} from '../../../src/api/grpc-methods.js'
import {serveDataDir, type ServingDataDir} from '../../../src/engine/net/grpc/serve-datadir.js'
import {gatewayBindings} from '../../../src/engine/net/gateway/routes.js'
import {RawGrpcClient} from '../../../src/engine/net/grpc/raw-client.js'

const callDeadlineMs = 3_000
/**
 * The deadline of a call that waits by design (waitsByDesign): its wait ends with the deadline
 * anyway, and a long one would spend the property's time budget on a few such calls.
 */
const waitingCallDeadlineMs = 300
const maxRequestBytes = 64 * 1024

interface Method {
  service: ServiceName
  method: string
  spec: MethodSpec
}
const methods: Method[] = (Object.keys(grpcServices) as ServiceName[]).flatMap((service) =>
  (Object.entries(grpcServices[service]) as [string, MethodSpec][]).map(([method, spec]) => ({service, method, spec})),
)

/** Codes a fuzzed call may end with: success, a refusal naming the problem, or not implemented. */
/** A lock or a campaign waits for the one before it, as etcd's do: a deadline may end the wait. */
const waitsByDesign = new Set(['v3lockpb.Lock/Lock', 'v3electionpb.Election/Campaign', 'v3electionpb.Election/Observe'])

/** Errors etcd itself answers with code Unknown (plain Go errors in its servers). */
const etcdUnknownMessages = new Set(['"leader" field must be provided', 'election: no leader', 'election: not leader', 'etcdserver: re-configuration failed due to not enough started members'])

/**
 * etcd's Lock and Election servers call the KV service through an in-process client, which turns
 * every error into a plain Go error: they answer Unknown with the KV error's words
 * (`etcdserver: key is not provided`, `etcdserver: requested lease not found`).
 */
const servedThroughClient = new Set(['v3lockpb.Lock', 'v3electionpb.Election'])

/** A gateway answer carrying one of those errors (etcd's gateway answers them with 500). */
function isEtcdUnknown(text: string, path: string): boolean {
  try {
    const parsed = JSON.parse(text) as {error?: unknown; code?: unknown}
    if (parsed.code !== 2 || typeof parsed.error !== 'string') return false
    return etcdUnknownMessages.has(parsed.error) || (/^\/v3(beta)?\/(lock|election)\//.test(path) && parsed.error.startsWith('etcdserver: '))
  } catch {
    return false
  }
}

const acceptable = new Set<number>([
  GrpcCode.OK,
  GrpcCode.INVALID_ARGUMENT,
  GrpcCode.NOT_FOUND,
  GrpcCode.FAILED_PRECONDITION,
  GrpcCode.OUT_OF_RANGE,
  GrpcCode.RESOURCE_EXHAUSTED,
  GrpcCode.UNIMPLEMENTED,
  GrpcCode.CANCELLED,
])

const identity = (value: Buffer) => value

describe('fuzzing the client port', () => {
  let dataDir: string
  let serving: ServingDataDir
  let raw: Client
  let client: RawGrpcClient
  let base: string

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fuzz-'))
    serving = await serveDataDir({dataDir, member: {name: 'f', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0'], maxRequestBytes})
    const Constructor = makeGenericClientConstructor({}, 'fuzz')
    raw = new Constructor(`127.0.0.1:${serving.ports[0]}`, credentials.createInsecure(), {'grpc.max_send_message_length': -1})
    client = new RawGrpcClient(`127.0.0.1:${serving.ports[0]}`)
    base = `http://127.0.0.1:${serving.ports[0]}`
  })
  after(async () => {
    raw.close()
    client.close()
    await serving.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  const deadlineOf = (method: Method) =>
    new Date(Date.now() + (waitsByDesign.has(`${method.service}/${method.method}`) ? waitingCallDeadlineMs : callDeadlineMs))

  /** One call with raw request bytes; resolves with the status code it ended with. */
  function call(method: Method, messages: Buffer[]): Promise<{code: number; details: string}> {
    const path = methodPath(method.service, method.method)
    return new Promise((resolve) => {
      const done = (error: ServiceError | null) => resolve({code: error?.code ?? GrpcCode.OK, details: error?.details ?? ''})
      if (method.spec.kind === 'unary') {
        raw.makeUnaryRequest(path, identity, identity, messages[0] ?? Buffer.alloc(0), new Metadata(), {deadline: deadlineOf(method)}, (error) => done(error))
        return
      }
      if (method.spec.kind === 'serverStream') {
        const stream = raw.makeServerStreamRequest(path, identity, identity, messages[0] ?? Buffer.alloc(0), new Metadata(), {deadline: deadlineOf(method)})
        stream.on('data', () => undefined)
        stream.on('error', (error: ServiceError) => done(error))
        stream.on('end', () => done(null))
        return
      }
      // a bidi stream (Watch, LeaseKeepAlive) may stay open by design: hang up after a moment
      const stream = raw.makeBidiStreamRequest(path, identity, identity, new Metadata(), {deadline: deadlineOf(method)})
      let settled = false
      const finish = (error: ServiceError | null) => {
        if (settled) return
        settled = true
        clearTimeout(hangUp)
        done(error)
      }
      const hangUp = setTimeout(() => {
        stream.cancel()
        finish(null)
      }, 200)
      stream.on('data', () => undefined)
      stream.on('error', (error: ServiceError) => finish(error))
      stream.on('end', () => finish(null))
      for (const message of messages) stream.write(message)
      stream.end()
    })
  }

  /** Still serving: a plain read answers. */
  const alive = async () => {
    const answer = await client.unary('etcdserverpb.KV', 'Range', {key: Buffer.from('alive')})
    assert.ok(answer.header)
  }

  /** Valid messages of a method with random field values (the codec's own encoding of random fields). */
  const bytesFor = fc.oneof(
    fc.uint8Array({maxLength: 300}).map((bytes) => Buffer.from(bytes)),
    // well-formed field tags with random payloads: reach the handlers more often
    fc.array(fc.tuple(fc.integer({min: 1, max: 12}), fc.integer({min: 0, max: 2}), fc.uint8Array({maxLength: 24}), fc.bigInt({min: 0n, max: (1n << 64n) - 1n})), {maxLength: 6}).map((fields) =>
      Buffer.concat(
        fields.map(([number, wire, payload, varint]) => {
          if (wire === 0) return Buffer.concat([varintBytes(BigInt(number << 3)), varintBytes(varint)])
          if (wire === 1) return Buffer.concat([varintBytes(BigInt((number << 3) | 1)), Buffer.from(payload.slice(0, 8).length === 8 ? payload.slice(0, 8) : new Uint8Array(8))])
          return Buffer.concat([varintBytes(BigInt((number << 3) | 2)), varintBytes(BigInt(payload.length)), Buffer.from(payload)])
        }),
      ),
    ),
  )

  test('random and malformed protobuf on every gRPC method: a clear status, never a crash or a hang', async () => {
    const seen = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(fc.integer({min: 0, max: methods.length - 1}), fc.array(bytesFor, {minLength: 1, maxLength: 3}), async (index, messages) => {
        const method = methods[index]!
        const {code, details} = await call(method, messages)
        seen.set(code, (seen.get(code) ?? 0) + 1)
        const waited = code === GrpcCode.DEADLINE_EXCEEDED && waitsByDesign.has(`${method.service}/${method.method}`)
        const unknownAsEtcd =
          code === GrpcCode.UNKNOWN && (etcdUnknownMessages.has(details) || (servedThroughClient.has(method.service) && details.startsWith('etcdserver: ')))
        assert.ok(acceptable.has(code) || waited || unknownAsEtcd, `${method.service}/${method.method}: code ${code} (${details})`)
        assert.ok(code === GrpcCode.OK || code === GrpcCode.CANCELLED || details.length > 0, 'an error says why')
      }),
      {numRuns: 300, interruptAfterTimeLimit: 5_000, ...(process.env.FC_SEED ? {seed: Number(process.env.FC_SEED)} : {})},
    )
    await alive()
    assert.ok((seen.get(GrpcCode.INVALID_ARGUMENT) ?? 0) > 0, `no malformed request was refused: ${JSON.stringify([...seen])}`)
  })

  test('over-size requests, big txns, bad lease ids, future and compacted revisions: etcd\'s errors over gRPC', async () => {
    const put = await client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('k'), value: Buffer.from('v')})
    await client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('k'), value: Buffer.from('w')})
    await client.unary('etcdserverpb.KV', 'Compact', {revision: put.header!.revision})
    const cases: [() => Promise<unknown>, string][] = [
      [() => client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('big'), value: Buffer.alloc(maxRequestBytes + 1)}), 'etcdserver: request is too large'],
      [() => client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('huge'), value: Buffer.alloc(maxRequestBytes + 600 * 1024)}), 'grpc: received message larger than max'],
      [() => client.unary('etcdserverpb.KV', 'Txn', {success: Array.from({length: 129}, (_, i) => ({requestPut: {key: Buffer.from(`t${i}`)}}))}), 'etcdserver: too many operations in txn request'],
      [() => client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('leased'), lease: 987654321n}), 'etcdserver: requested lease not found'],
      [() => client.unary('etcdserverpb.Lease', 'LeaseRevoke', {ID: 987654321n}), 'etcdserver: requested lease not found'],
      [() => client.unary('etcdserverpb.KV', 'Range', {key: Buffer.from('k'), revision: 1_000_000n}), 'etcdserver: mvcc: required revision is a future revision'],
      [() => client.unary('etcdserverpb.KV', 'Range', {key: Buffer.from('k'), revision: 1n}), 'etcdserver: mvcc: required revision has been compacted'],
      [() => client.unary('etcdserverpb.KV', 'Compact', {revision: 1_000_000n}), 'etcdserver: mvcc: required revision is a future revision'],
    ]
    for (const [call, message] of cases) await assert.rejects(call(), (error: Error) => error.message.startsWith(message), message)
    await alive()
  })

  test('random paths, methods and bodies on the gateway: an HTTP answer every time, JSON errors on /v3 routes', async () => {
    const routes = gatewayBindings().map(([path]) => path)
    const bodies = fc.oneof(
      fc.string({maxLength: 200}),
      fc.json({maxDepth: 3}),
      fc.constantFrom('{', '[', 'null', '{"key":', '{"key":"Zm9v","revision":"-1"}', '{"ID":"18446744073709551616"}', `{"key":"${'A'.repeat(90_000)}"}`),
    )
    const paths = fc.oneof(
      fc.constantFrom(...routes).map((path) => `/v3/${path}`),
      fc.string({maxLength: 40}).map((text) => `/${encodeURIComponent(text)}`),
      fc.constantFrom('/health', '/version', '/metrics', '/v3/', '/v3beta/kv/range?x=1'),
    )
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom('POST', 'GET', 'PUT', 'OPTIONS'), bodies, async (path, method, body) => {
        const waiting = /\/(lock\/lock|election\/campaign)$/.test(path)
        const response = await fetch(base + path, {
          method,
          body: method === 'GET' ? undefined : body,
          signal: AbortSignal.timeout(callDeadlineMs),
        }).catch((error: unknown) => {
          // a lock or a campaign waits for the one before it, as etcd's do
          if (waiting && error instanceof Error && error.name === 'TimeoutError') return undefined
          throw error
        })
        if (response === undefined) return
        // a watch (or keep-alive) stream that is open stays open, as etcd's: take its status only
        const streamRoute = /\/(watch|lease\/keepalive|election\/observe|maintenance\/snapshot)$/.test(path)
        const streaming = streamRoute && response.status === 200
        const text = streaming ? (await response.body?.cancel(), '') : await response.text()
        // etcd's gateway fails a stream whose first request cannot be read with 500 and code 2 (Unknown)
        const unreadableStream = streamRoute && method === 'POST' && response.status === 500 && /"code":2\}$/.test(text)
        // an error etcd itself codes Unknown (e.g. removing the last voting member) is a 500 there too
        const etcdUnknown = method === 'POST' && response.status === 500 && isEtcdUnknown(text, path)
        assert.ok(response.status < 500 || response.status === 501 || response.status === 503 || unreadableStream || etcdUnknown, `${method} ${path}: ${response.status} ${text.slice(0, 200)}`)
        if (method === 'POST' && !streaming && !unreadableStream && path.startsWith('/v3/') && routes.includes(path.slice(4))) {
          const parsed = JSON.parse(text) as {error?: string; code?: number}
          if (response.status !== 200) assert.ok(typeof parsed.error === 'string' && typeof parsed.code === 'number', text)
        }
      }),
      {numRuns: 300, interruptAfterTimeLimit: 5_000, ...(process.env.FC_SEED ? {seed: Number(process.env.FC_SEED)} : {})},
    )
    await alive()
  })
})

function varintBytes(value: bigint): Buffer {
  const out: number[] = []
  let rest = BigInt.asUintN(64, value)
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80)
    rest >>= 7n
  }
  out.push(Number(rest))
  return Buffer.from(out)
}
