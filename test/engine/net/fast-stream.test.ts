// Watch streams served on the HTTP/2 stream (fast-stream.ts), spoken to in raw HTTP/2: headers
// come with the first message, a cancelled stream stops its watchers, a reader that stops
// reading holds the server back without losing or reordering an event, and bad input or an
// expired deadline ends the call as grpc-js ends it (same codes, same words).
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders} from 'node:http2'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {GrpcCode} from '../../../src/api/errors.js'
import {PutRequest, WatchCreateRequest, WatchRequest, WatchResponse} from '../../../src/api/proto/rpc.js'
import {type EmbeddedEtcd, openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {type RunningGrpcServer, startGrpcServer} from '../../../src/engine/net/grpc/server.js'
import type {WatchableStore} from '../../../src/engine/mvcc/watchable-store.js'

const WATCH = '/etcdserverpb.Watch/Watch'
const maxRequestBytes = 1000

const frame = (message: Uint8Array) => {
  const framed = Buffer.alloc(5 + message.length)
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, 5)
  return framed
}
const createWatch = (create: Partial<WatchCreateRequest>) => frame(WatchRequest.encode(WatchRequest.fromPartial({createRequest: WatchCreateRequest.fromPartial(create)})).finish())

/** A Watch call: its responses as they come, its headers and how it ended. */
class WatchCall {
  readonly stream: ClientHttp2Stream
  headers: IncomingHttpHeaders | undefined
  trailers: IncomingHttpHeaders | undefined
  readonly responses: WatchResponse[] = []
  readonly closed: Promise<void>
  private pending = Buffer.alloc(0)

  constructor(session: ClientHttp2Session, extra: Record<string, string> = {}) {
    this.stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: WATCH,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_TE]: 'trailers',
      ...extra,
    })
    // as a gRPC client does, the call is closed once its status has come
    this.stream.on('response', (headers) => {
      this.headers = headers
      if (headers['grpc-status'] !== undefined) this.stream.close()
    })
    this.stream.on('trailers', (trailers) => {
      this.trailers = trailers
      this.stream.close()
    })
    this.stream.on('error', () => undefined)
    this.stream.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk])
      while (this.pending.length >= 5 && this.pending.length >= 5 + this.pending.readUInt32BE(1)) {
        const length = this.pending.readUInt32BE(1)
        this.responses.push(WatchResponse.decode(this.pending.subarray(5, 5 + length)))
        this.pending = this.pending.subarray(5 + length)
      }
    })
    this.closed = new Promise((resolve) => this.stream.on('close', () => resolve()))
  }

  /** The status the call ended with, from the trailers or a trailers-only response. */
  get status(): {code: string; message: string} {
    const last = this.trailers ?? this.headers ?? {}
    return {code: String(last['grpc-status']), message: decodeURIComponent(String(last['grpc-message'] ?? ''))}
  }

  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 60_000
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${this.responses.length} responses`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  events(): WatchResponse['events'] {
    return this.responses.flatMap((r) => r.events)
  }
}

describe('Watch streams on the HTTP/2 stream', () => {
  let dataDir: string
  let engine: EmbeddedEtcd
  let server: RunningGrpcServer
  let session: ClientHttp2Session
  const watchers = () => (engine.member.store as WatchableStore).watcherCounts()

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fast-stream-'))
    engine = await openEmbedded(dataDir)
    server = await startGrpcServer({engine, member: {name: 'n1', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0'], maxRequestBytes, header: () => engine.member.header()})
    session = connect(`http://127.0.0.1:${server.ports[0]}`)
  })

  after(async () => {
    session.close()
    await server.close()
    await engine.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  test('created, then the events, with gRPC headers on the first message; a cancelled call stops its watchers', async () => {
    const call = new WatchCall(session)
    call.stream.write(createWatch({key: Buffer.from('a/'), rangeEnd: Buffer.from('a0'), prevKv: true}))
    call.stream.write(createWatch({key: Buffer.from('a/x')}))
    await call.until(() => call.responses.length === 2, 'two created responses')
    assert.equal(call.headers?.[':status'], 200)
    assert.equal(call.headers?.['content-type'], 'application/grpc')
    assert.deepEqual(call.responses.map((r) => [r.watchId, r.created]), [[0n, true], [1n, true]])
    assert.equal(watchers().synced, 2)

    await engine.put(PutRequest.fromPartial({key: Buffer.from('a/x'), value: Buffer.from('1')}))
    await engine.put(PutRequest.fromPartial({key: Buffer.from('a/x'), value: Buffer.from('2')}))
    await call.until(() => call.events().length === 4, 'four events')
    const byWatch = (id: bigint) => call.responses.filter((r) => r.watchId === id && r.events.length > 0)
    assert.deepEqual(byWatch(0n).map((r) => [r.events[0]!.kv?.value.toString(), r.events[0]!.prevKv?.value.toString()]), [['1', undefined], ['2', '1']])
    assert.deepEqual(byWatch(1n).map((r) => [r.events[0]!.kv?.value.toString(), r.events[0]!.prevKv]), [['1', undefined], ['2', undefined]])
    assert.ok(byWatch(1n).every((r) => r.header?.revision === r.events[0]!.kv?.modRevision))

    call.stream.close(constants.NGHTTP2_CANCEL)
    await call.closed
    for (let tries = 0; watchers().synced > 0 && tries < 2000; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.equal(watchers().synced, 0)
  })

  test("a put's answer leaves before its watchers' events: on one connection its status comes first", async () => {
    const watch = new WatchCall(session)
    watch.stream.write(createWatch({key: Buffer.from('order/'), rangeEnd: Buffer.from('order0')}))
    await watch.until(() => watch.responses.length === 1, 'created')
    const seen: string[] = []
    for (let i = 0; i < 5; i++) {
      const before = watch.events().length
      const onEvent = () => {
        if (watch.events().length > before) {
          seen.push(`event ${i}`)
          watch.stream.off('data', onEvent)
        }
      }
      watch.stream.on('data', onEvent)
      const put = session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: '/etcdserverpb.KV/Put',
        [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
        [constants.HTTP2_HEADER_TE]: 'trailers',
      })
      put.on('trailers', (trailers) => seen.push(`answer ${i} ${trailers['grpc-status']}`))
      put.resume()
      put.end(frame(PutRequest.encode(PutRequest.fromPartial({key: Buffer.from(`order/${i}`), value: Buffer.from('v')})).finish()))
      await watch.until(() => seen.length === 2 * (i + 1), `answer and event ${i}`)
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4].flatMap((i) => [`answer ${i} 0`, `event ${i}`]))
    watch.stream.close(constants.NGHTTP2_CANCEL)
    await watch.closed
  })

  test('a progress request is answered after the events before it, with watch id -1 and the current revision', async () => {
    const call = new WatchCall(session)
    call.stream.write(createWatch({key: Buffer.from('p/'), rangeEnd: Buffer.from('p0')}))
    await call.until(() => call.responses.length === 1, 'created')
    for (let i = 0; i < 3; i++) await engine.put(PutRequest.fromPartial({key: Buffer.from(`p/${i}`), value: Buffer.from('v')}))
    call.stream.write(frame(WatchRequest.encode(WatchRequest.fromPartial({progressRequest: {}})).finish()))
    await call.until(() => call.responses.some((r) => r.watchId === -1n), 'the progress answer')
    const revision = BigInt(engine.member.store.currentRevision)
    const progress = call.responses.findIndex((r) => r.watchId === -1n)
    assert.equal(call.events().length, 3, 'every event came before the progress answer')
    assert.ok(call.responses.slice(0, progress).flatMap((r) => r.events).length === 3)
    assert.deepEqual([call.responses[progress]!.header?.revision, call.responses[progress]!.events.length, call.responses[progress]!.created], [revision, 0, false])
    call.stream.close(constants.NGHTTP2_CANCEL)
    await call.closed
  })

  test('a watcher created with fragment gets a large response in pieces of at most --max-request-bytes; one without gets it whole', async () => {
    // a member of its own, given --max-request-bytes as ectl server gives it to both the member and the port
    const dir = await mkdtemp(join(tmpdir(), 'fast-stream-fragment-'))
    const small = await openEmbedded(dir, {limits: {maxRequestBytes}})
    const port = await startGrpcServer({engine: small, member: {name: 'n1', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0'], maxRequestBytes, header: () => small.member.header()})
    const client = connect(`http://127.0.0.1:${port.ports[0]}`)
    try {
      // five keys of 400 bytes, each put under the limit; a watcher from the first one's
      // revision catches up with all five in one response of about 2,100 bytes
      const value = Buffer.alloc(400, 'v')
      const first = await small.put(PutRequest.fromPartial({key: Buffer.from('f/0'), value}))
      for (let i = 1; i < 5; i++) await small.put(PutRequest.fromPartial({key: Buffer.from(`f/${i}`), value}))
      const from = first.header!.revision
      const call = new WatchCall(client)
      call.stream.write(createWatch({key: Buffer.from('f/'), rangeEnd: Buffer.from('f0'), startRevision: from, fragment: true}))
      call.stream.write(createWatch({key: Buffer.from('f/'), rangeEnd: Buffer.from('f0'), startRevision: from}))
      const answered = (id: bigint) => call.responses.filter((r) => r.watchId === id && r.events.length > 0)
      await call.until(() => answered(0n).some((r) => !r.fragment) && answered(1n).length > 0, 'both watchers answered')
      const pieces = answered(0n)
      assert.ok(pieces.length >= 2, `${pieces.length} pieces`)
      assert.deepEqual(pieces.map((r) => r.fragment), [...pieces.slice(1).map(() => true), false])
      for (const piece of pieces) assert.ok(WatchResponse.encode(piece).finish().length <= maxRequestBytes, 'a piece within the limit')
      assert.deepEqual(pieces.flatMap((r) => r.events.map((e) => e.kv!.key.toString())), ['f/0', 'f/1', 'f/2', 'f/3', 'f/4'])
      assert.deepEqual(answered(1n).map((r) => [r.fragment, r.events.length]), [[false, 5]])
      call.stream.close(constants.NGHTTP2_CANCEL)
      await call.closed
    } finally {
      client.close()
      await port.close()
      await small.close()
      await rm(dir, {recursive: true, force: true})
    }
  })

  test('a reader that stops reading holds the server back; once it reads, every event comes, in order, none twice', async () => {
    const slow = connect(`http://127.0.0.1:${server.ports[0]}`, {settings: {initialWindowSize: 1024}})
    try {
      const call = new WatchCall(slow)
      call.stream.write(createWatch({key: Buffer.from('b/'), rangeEnd: Buffer.from('b0')}))
      await call.until(() => call.responses.length === 1, 'created')
      call.stream.pause()
      const value = Buffer.alloc(2000, 'v')
      const puts = 400
      for (let i = 0; i < puts; i += 50) {
        await Promise.all(Array.from({length: Math.min(50, puts - i)}, (_, j) => engine.put(PutRequest.fromPartial({key: Buffer.from(`b/${i + j}`), value}))))
      }
      // far more than the HTTP/2 window and the engine's per-watcher buffer: it fell behind
      assert.ok(call.events().length < puts, `${call.events().length} events read while paused`)
      call.stream.resume()
      await call.until(() => call.events().length >= puts, `${puts} events`)
      const revisions = call.events().map((e) => Number(e.kv!.modRevision))
      assert.equal(revisions.length, puts)
      for (let i = 1; i < revisions.length; i++) assert.equal(revisions[i], revisions[i - 1]! + 1)
      call.stream.close(constants.NGHTTP2_CANCEL)
      await call.closed
    } finally {
      slow.close()
    }
  })

  test('a request past the receive limit, bytes that are not a request, and an expired deadline end the call', async () => {
    const oversize = new WatchCall(session)
    oversize.stream.write(createWatch({key: Buffer.alloc(maxRequestBytes + 512 * 1024 + 1, 'k')}))
    await oversize.closed
    assert.equal(oversize.status.code, String(GrpcCode.RESOURCE_EXHAUSTED))
    assert.match(oversize.status.message, /^grpc: received message larger than max \(\d+ vs\. \d+\)$/)

    const huge = new WatchCall(session)
    const prefix = Buffer.alloc(5)
    prefix.writeUInt32BE(2 ** 31, 1)
    huge.stream.write(prefix)
    await huge.closed
    assert.equal(huge.status.code, String(GrpcCode.RESOURCE_EXHAUSTED))
    assert.match(huge.status.message, /^Received message larger than max \(2147483648 vs \d+\)$/)

    const garbage = new WatchCall(session)
    garbage.stream.write(frame(Buffer.from([0xff, 0xff, 0xff])))
    await garbage.closed
    assert.equal(garbage.status.code, String(GrpcCode.INVALID_ARGUMENT))
    assert.match(garbage.status.message, /^grpc: error unmarshalling request: /)

    const timed = new WatchCall(session, {'grpc-timeout': '200m'})
    timed.stream.write(createWatch({key: Buffer.from('c')}))
    await timed.closed
    assert.equal(timed.responses[0]?.created, true)
    assert.deepEqual(timed.status, {code: String(GrpcCode.DEADLINE_EXCEEDED), message: 'Deadline exceeded'})
    for (let tries = 0; watchers().synced > 0 && tries < 2000; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.equal(watchers().synced, 0)
  })
})
