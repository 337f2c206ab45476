// Watch and LeaseKeepAlive over gRPC, on an engine whose streams the test controls: many
// requests on one stream, answers in order, half-close as etcd treats it, cancellation reaching
// the engine, engine errors as statuses, and shutdown ending open streams.
import assert from 'node:assert/strict'
import {once} from 'node:events'
import {afterEach, test} from 'node:test'
import {EtcdError, Errors, ErrorMessage, GrpcCode} from '../../../src/api/errors.js'
import type {LeaseKeepAliveRequest, LeaseKeepAliveResponse, WatchRequest, WatchResponse} from '../../../src/api/proto/rpc.js'
import type {BidiStream, EtcdClient, Req} from '../../../src/client/etcd/client.js'
import type {ServedEngine} from '../../../src/engine/net/grpc/handlers.js'
import {RawGrpcClient} from '../../../src/engine/net/grpc/raw-client.js'
import {type RunningGrpcServer, startGrpcServer} from '../../../src/engine/net/grpc/server.js'
import {AsyncQueue} from '../../../src/util/async-queue.js'

/** A stream that answers each request with `answer(request)`; records what happened to it. */
class ScriptedStream<Request, Response> implements BidiStream<Request, Response> {
  readonly responses = new AsyncQueue<Response>()
  readonly received: Req<Request>[] = []
  closed = false

  constructor(private readonly answer: (request: Req<Request>) => Response | Error) {}

  send(request: Req<Request>): void {
    this.received.push(request)
    const answer = this.answer(request)
    if (answer instanceof Error) this.responses.fail(answer)
    else this.responses.push(answer)
  }

  close(): void {
    this.closed = true
    this.responses.end()
  }

  [Symbol.asyncIterator](): AsyncIterator<Response> {
    return this.responses[Symbol.asyncIterator]()
  }
}

/** The unary half is not used here: any call to it fails the test. */
const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected call ${name}`))
const kvUnused: EtcdClient = {
  range: unexpected('range'),
  put: unexpected('put'),
  deleteRange: unexpected('deleteRange'),
  txn: unexpected('txn'),
  compact: unexpected('compact'),
  hashKV: unexpected('hashKV'),
  status: unexpected('status'),
  close: () => Promise.resolve(),
}

let server: RunningGrpcServer | undefined
let client: RawGrpcClient | undefined
afterEach(async () => {
  client?.close()
  await server?.close()
  client = server = undefined
})

async function serve(engine: ServedEngine): Promise<RawGrpcClient> {
  server = await startGrpcServer({engine, member: {name: 'm', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0']})
  client = new RawGrpcClient(`127.0.0.1:${server.ports[0]}`)
  return client
}

function watchEngine(answer: (request: Req<WatchRequest>) => WatchResponse | Error) {
  const opened: ScriptedStream<WatchRequest, WatchResponse>[] = []
  const engine: ServedEngine = Object.assign(Object.create(kvUnused) as EtcdClient, {
    watch: () => {
      const stream = new ScriptedStream<WatchRequest, WatchResponse>(answer)
      opened.push(stream)
      return stream
    },
  })
  return {engine, opened}
}

const createdFor = (request: Req<WatchRequest>): WatchResponse => ({
  header: undefined,
  watchId: request.createRequest?.watchId ?? 0n,
  created: request.createRequest !== undefined,
  canceled: request.cancelRequest !== undefined,
  compactRevision: 0n,
  cancelReason: '',
  fragment: false,
  events: [],
})

function nextMessage<T>(stream: NodeJS.EventEmitter): Promise<T> {
  return once(stream, 'data').then(([message]) => message as T)
}

function statusOf(stream: NodeJS.EventEmitter): Promise<{code: number; details: string}> {
  return new Promise((resolve) => {
    stream.on('error', (error: {code: number; details: string}) => resolve(error))
    stream.on('status', (status: {code: number; details: string}) => {
      if (status.code === 0) resolve(status)
    })
  })
}

test('one Watch stream carries many watches; answers come in order', async () => {
  const {engine, opened} = watchEngine(createdFor)
  const grpc = await serve(engine)
  const stream = grpc.bidi('etcdserverpb.Watch', 'Watch')
  const seen: WatchResponse[] = []
  stream.on('data', (response: WatchResponse) => seen.push(response))
  for (const watchId of [1n, 2n, 3n]) stream.write({createRequest: {key: Buffer.from('k'), watchId}})
  stream.write({cancelRequest: {watchId: 2n}})
  while (seen.length < 4) await new Promise((resolve) => setTimeout(resolve, 5))
  assert.deepEqual(
    seen.map((response) => [response.watchId, response.created, response.canceled]),
    [
      [1n, true, false],
      [2n, true, false],
      [3n, true, false],
      [0n, false, true],
    ],
  )
  assert.equal(opened.length, 1)
  assert.equal(opened[0]!.received.length, 4)

  // etcd keeps delivering on a watch stream the client half-closed
  stream.end()
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(opened[0]!.closed, false)

  stream.on('error', () => undefined) // the cancellation itself
  stream.cancel()
  await waitFor(() => opened[0]!.closed)
})

test('an engine error ends the Watch stream with its code and message', async () => {
  const {engine} = watchEngine(() => Errors.compacted())
  const grpc = await serve(engine)
  const stream = grpc.bidi('etcdserverpb.Watch', 'Watch')
  const status = statusOf(stream)
  stream.on('data', () => undefined)
  stream.write({createRequest: {key: Buffer.from('k')}})
  assert.deepEqual(await status.then(({code, details}) => ({code, details})), {code: GrpcCode.OUT_OF_RANGE, details: ErrorMessage.compacted})
})

test('shutdown ends open streams with "server stopped"', async () => {
  const {engine, opened} = watchEngine(createdFor)
  const grpc = await serve(engine)
  const stream = grpc.bidi('etcdserverpb.Watch', 'Watch')
  const status = statusOf(stream)
  stream.write({createRequest: {key: Buffer.from('k'), watchId: 7n}})
  const first = await nextMessage<WatchResponse>(stream)
  assert.equal(first.watchId, 7n)
  await server!.close()
  server = undefined
  assert.deepEqual(await status.then(({code, details}) => ({code, details})), {code: GrpcCode.UNAVAILABLE, details: ErrorMessage.stopped})
  assert.equal(opened[0]!.closed, true)
})

test('LeaseKeepAlive: answers each ping; a half-close ends the stream, as etcd does', async () => {
  const opened: ScriptedStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>[] = []
  const engine: ServedEngine = Object.assign(Object.create(kvUnused) as EtcdClient, {
    leaseKeepAlive: () => {
      const stream = new ScriptedStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>((request) => ({
        header: undefined,
        ID: request.ID ?? 0n,
        TTL: 10n,
      }))
      opened.push(stream)
      return stream
    },
  })
  const grpc = await serve(engine)
  const stream = grpc.bidi('etcdserverpb.Lease', 'LeaseKeepAlive')
  const status = statusOf(stream)
  const seen: LeaseKeepAliveResponse[] = []
  stream.on('data', (response: LeaseKeepAliveResponse) => seen.push(response))
  stream.write({ID: 5n})
  stream.write({ID: 6n})
  stream.end()
  assert.equal((await status).code, GrpcCode.OK)
  assert.deepEqual(
    seen.map((response) => [response.ID, response.TTL]),
    [
      [5n, 10n],
      [6n, 10n],
    ],
  )
  assert.equal(opened[0]!.closed, true)
})

test('an engine without watch or leases answers UNIMPLEMENTED', async () => {
  const grpc = await serve(Object.create(kvUnused) as EtcdClient)
  const stream = grpc.bidi('etcdserverpb.Watch', 'Watch')
  const status = await statusOf(stream)
  assert.equal(status.code, GrpcCode.UNIMPLEMENTED)
  assert.equal(status.details, 'ectl server does not implement /etcdserverpb.Watch/Watch yet')
  await assert.rejects(grpc.unary('etcdserverpb.Lease', 'LeaseGrant', {TTL: 5n}), (error: unknown) => {
    assert.ok(error instanceof EtcdError)
    assert.equal(error.code, GrpcCode.UNIMPLEMENTED)
    return true
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
