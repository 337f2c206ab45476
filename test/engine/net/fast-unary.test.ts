// Unary calls answered on the HTTP/2 stream (fast-unary.ts), spoken to in raw HTTP/2 so each
// edge of the framing can be sent: the answer is one response with gRPC's headers, message and
// status, and the malformed cases end as grpc-js ends them (same codes, same words).
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {connect, constants, type ClientHttp2Session, type IncomingHttpHeaders} from 'node:http2'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {Worker} from 'node:worker_threads'
import {GrpcCode} from '../../../src/api/errors.js'
import {CampaignRequest} from '../../../src/api/proto/v3election.js'
import {LockRequest} from '../../../src/api/proto/v3lock.js'
import {LeaseGrantRequest, LeaseGrantResponse, PutRequest, PutResponse, RangeRequest, RangeResponse} from '../../../src/api/proto/rpc.js'
import {serveDataDir, type ServingDataDir} from '../../../src/engine/net/grpc/serve-datadir.js'

const frame = (message: Uint8Array, compressed = 0) => {
  const framed = Buffer.alloc(5 + message.length)
  framed[0] = compressed
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, 5)
  return framed
}

interface Answer {
  headers: IncomingHttpHeaders
  trailers: IncomingHttpHeaders | undefined
  body: Buffer
  status: string
  message: string
}

function call(session: ClientHttp2Session, path: string, body: Buffer, extra: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_TE]: 'trailers',
      ...extra,
    })
    let headers: IncomingHttpHeaders = {}
    let trailers: IncomingHttpHeaders | undefined
    const chunks: Buffer[] = []
    stream.on('response', (h) => (headers = h))
    stream.on('trailers', (t) => (trailers = t))
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('error', reject)
    stream.on('close', () => {
      const last = trailers ?? headers
      resolve({headers, trailers, body: Buffer.concat(chunks), status: String(last['grpc-status']), message: decodeURIComponent(String(last['grpc-message'] ?? ''))})
    })
    stream.end(body)
  })
}

describe('unary calls on the HTTP/2 stream', () => {
  let dataDir: string
  let serving: ServingDataDir
  let session: ClientHttp2Session

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fast-unary-'))
    serving = await serveDataDir({
      dataDir,
      member: {name: 'n1', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379']},
      listen: ['127.0.0.1:0'],
      maxRequestBytes: 1000,
    })
    session = connect(`http://127.0.0.1:${serving.ports[0]}`)
  })

  after(async () => {
    session.close()
    await serving.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  test('a put and a range: gRPC headers, one message, status OK in the trailers', async () => {
    const put = await call(session, '/etcdserverpb.KV/Put', frame(PutRequest.encode(PutRequest.fromPartial({key: Buffer.from('a'), value: Buffer.from('1')})).finish()))
    assert.equal(put.headers[':status'], 200)
    // the headers etcd's gRPC server sends, and no other (no date: Node would add one)
    assert.deepEqual(
      Object.keys(put.headers).filter((name) => name !== ':status').sort(),
      ['content-type'],
    )
    assert.equal(put.headers['content-type'], 'application/grpc')
    assert.equal(put.trailers?.['grpc-status'], '0')
    assert.equal(put.body.readUInt32BE(1), put.body.length - 5)
    assert.equal(PutResponse.decode(put.body.subarray(5)).header?.revision, 2n)

    const range = await call(session, '/etcdserverpb.KV/Range', frame(RangeRequest.encode(RangeRequest.fromPartial({key: Buffer.from('a')})).finish()))
    assert.equal(range.status, '0')
    assert.equal(RangeResponse.decode(range.body.subarray(5)).kvs[0]?.value.toString(), '1')
  })

  test('the answer (headers, message and trailers) leaves the server in one write', async () => {
    // A relay between client and server that counts the chunks the server sends: on loopback one
    // write of a few dozen bytes arrives as one chunk. It runs on a worker thread, with its own
    // event loop, so it reads while the server (on this thread) is still between two writes.
    const relay = new Worker(
      `const {parentPort, workerData} = require('node:worker_threads')
      const net = require('node:net')
      let chunks = 0
      const server = net.createServer((client) => {
        const upstream = net.connect(workerData.port, '127.0.0.1')
        client.pipe(upstream)
        upstream.on('data', () => chunks++)
        upstream.pipe(client)
      })
      server.listen(0, '127.0.0.1', () => parentPort.postMessage({port: server.address().port}))
      parentPort.on('message', () => { parentPort.postMessage({chunks}); chunks = 0 })`,
      {eval: true, workerData: {port: serving.ports[0]}},
    )
    const replies: Array<(message: {port?: number; chunks?: number}) => void> = []
    relay.on('message', (message: {port?: number; chunks?: number}) => replies.shift()?.(message))
    const reply = () => new Promise<{port?: number; chunks?: number}>((resolve) => replies.push(resolve))
    const {port} = await reply()
    const relayed = connect(`http://127.0.0.1:${port}`)
    try {
      const put = frame(PutRequest.encode(PutRequest.fromPartial({key: Buffer.from('one-write'), value: Buffer.from('1')})).finish())
      assert.equal((await call(relayed, '/etcdserverpb.KV/Put', put)).status, '0') // settings and their acks go first
      await new Promise((resolve) => setTimeout(resolve, 50))
      for (let i = 0; i < 5; i++) {
        const counted = reply()
        relay.postMessage('reset')
        await counted
        const answer = await call(relayed, '/etcdserverpb.KV/Put', put)
        assert.equal(answer.trailers?.['grpc-status'], '0')
        const after = reply()
        relay.postMessage('count')
        assert.equal((await after).chunks, 1, 'the answer came in more than one write')
      }
    } finally {
      relayed.close()
      await relay.terminate()
    }
  })

  test("an answer larger than the client's flow-control window still ends with all its bytes, then its status", async () => {
    const value = Buffer.alloc(900, 'v')
    for (let i = 0; i < 100; i++) {
      const put = await call(session, '/etcdserverpb.KV/Put', frame(PutRequest.encode(PutRequest.fromPartial({key: Buffer.from(`big/${i}`), value})).finish()))
      assert.equal(put.status, '0')
    }
    // ~95 KB of answer against the 64 KB window a client starts with: nghttp2 waits for the
    // client's WINDOW_UPDATE midway, and the trailers still come after the last byte
    const range = await call(session, '/etcdserverpb.KV/Range', frame(RangeRequest.encode(RangeRequest.fromPartial({key: Buffer.from('big/'), rangeEnd: Buffer.from('big0')})).finish()))
    assert.equal(range.trailers?.['grpc-status'], '0')
    assert.equal(range.body.readUInt32BE(1), range.body.length - 5)
    const kvs = RangeResponse.decode(range.body.subarray(5)).kvs
    assert.equal(kvs.length, 100)
    assert.ok(kvs.every((kv) => kv.value.equals(value)))
  })

  test("an engine error is etcd's code and message, as a trailers-only response", async () => {
    const empty = await call(session, '/etcdserverpb.KV/Put', frame(PutRequest.encode(PutRequest.fromPartial({})).finish()))
    assert.equal(empty.trailers, undefined)
    assert.equal(empty.status, String(GrpcCode.INVALID_ARGUMENT))
    assert.equal(empty.message, 'etcdserver: key is not provided')
  })

  test('no message, two messages, a message past the hard limit, bytes that are not the message', async () => {
    const path = '/etcdserverpb.KV/Range'
    const one = frame(RangeRequest.encode(RangeRequest.fromPartial({key: Buffer.from('a')})).finish())

    const none = await call(session, path, Buffer.alloc(0))
    assert.equal(none.status, String(GrpcCode.UNIMPLEMENTED))
    assert.equal(none.message, `Received no request message for server streaming method ${path}`)

    const two = await call(session, path, Buffer.concat([one, one]))
    assert.equal(two.status, String(GrpcCode.UNIMPLEMENTED))
    assert.equal(two.message, `Received a second request message for server streaming method ${path}`)

    const huge = Buffer.alloc(5)
    huge.writeUInt32BE(2 ** 31, 1)
    const tooLarge = await call(session, path, huge)
    assert.equal(tooLarge.status, String(GrpcCode.RESOURCE_EXHAUSTED))
    assert.match(tooLarge.message, /^Received message larger than max \(2147483648 vs \d+\)$/)

    const garbage = await call(session, path, frame(Buffer.from([0xff, 0xff, 0xff])))
    assert.equal(garbage.status, String(GrpcCode.INVALID_ARGUMENT))
    assert.match(garbage.message, /^grpc: error unmarshalling request: /)
  })

  /** The keys under `prefix`, once they are `expected` (waits up to 3 s for a waiter to give up its place). */
  async function keysUnder(prefix: string, expected: number): Promise<number> {
    const range = frame(RangeRequest.encode(RangeRequest.fromPartial({key: Buffer.from(prefix), rangeEnd: Buffer.from(prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)), countOnly: true})).finish())
    let count = -1
    for (let tries = 0; tries < 60; tries++) {
      count = Number(RangeResponse.decode((await call(session, '/etcdserverpb.KV/Range', range)).body.subarray(5)).count)
      if (count === expected) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return count
  }

  test('a call still waiting at its deadline (grpc-timeout) ends with DEADLINE_EXCEEDED, and gives its place back', async () => {
    const lockPath = '/v3lockpb.Lock/Lock'
    const lease = async () => {
      const granted = await call(session, '/etcdserverpb.Lease/LeaseGrant', frame(LeaseGrantRequest.encode(LeaseGrantRequest.fromPartial({TTL: 60n})).finish()))
      assert.equal(granted.status, '0')
      return LeaseGrantResponse.decode(granted.body.subarray(5)).ID
    }
    const held = await call(session, lockPath, frame(LockRequest.encode(LockRequest.fromPartial({name: Buffer.from('L'), lease: await lease()})).finish()))
    assert.equal(held.status, '0')
    const started = performance.now()
    const waiting = await call(session, lockPath, frame(LockRequest.encode(LockRequest.fromPartial({name: Buffer.from('L'), lease: await lease()})).finish()), {'grpc-timeout': '300m'})
    assert.equal(waiting.status, String(GrpcCode.DEADLINE_EXCEEDED))
    assert.equal(waiting.message, 'Deadline exceeded')
    assert.ok(performance.now() - started >= 250)
    // the waiter's key is gone: it will not take the lock after its caller stopped waiting
    assert.equal(await keysUnder('L/', 1), 1)

    // a caller that hangs up (RST_STREAM) gives its place back too
    const hangingUp = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: '/v3electionpb.Election/Campaign',
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    })
    hangingUp.on('error', () => undefined)
    const leader = frame(CampaignRequest.encode(CampaignRequest.fromPartial({name: Buffer.from('E'), lease: await lease(), value: Buffer.from('one')})).finish())
    assert.equal((await call(session, '/v3electionpb.Election/Campaign', leader)).status, '0')
    hangingUp.end(frame(CampaignRequest.encode(CampaignRequest.fromPartial({name: Buffer.from('E'), lease: await lease(), value: Buffer.from('two')})).finish()))
    assert.equal(await keysUnder('E/', 2), 2)
    hangingUp.close(constants.NGHTTP2_CANCEL)
    assert.equal(await keysUnder('E/', 1), 1)
  })

  test('a compressed request goes to grpc-js, which refuses an encoding it lacks', async () => {
    const one = frame(RangeRequest.encode(RangeRequest.fromPartial({key: Buffer.from('a')})).finish(), 1)
    const answer = await call(session, '/etcdserverpb.KV/Range', one, {'grpc-encoding': 'snappy'})
    assert.equal(answer.status, String(GrpcCode.UNIMPLEMENTED))
    assert.equal(answer.message, 'Received message compressed with unsupported encoding "snappy"')
  })
})
