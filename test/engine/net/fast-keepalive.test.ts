// LeaseKeepAlive served on the HTTP/2 stream (fast-stream.ts with keepalive-frame.ts), spoken
// to in raw HTTP/2 as a gRPC client does: every ping is answered in order (many in one write
// too), a lease that is not there or was revoked answers TTL 0 as etcd does, an expired one
// answers TTL 0 only once its revoke has removed its keys, a half-close ends the call with
// status OK after the answers, and a cancelled call ends the engine's session.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders} from 'node:http2'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {LeaseKeepAliveRequest, LeaseKeepAliveResponse} from '../../../src/api/proto/rpc.js'
import {type EmbeddedEtcd, openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {FakeClock} from '../../../src/engine/lease/fake-clock.js'
import {type RunningGrpcServer, startGrpcServer} from '../../../src/engine/net/grpc/server.js'

const KEEPALIVE = '/etcdserverpb.Lease/LeaseKeepAlive'

const ping = (ID: bigint) => {
  const message = LeaseKeepAliveRequest.encode({ID}).finish()
  const framed = Buffer.alloc(5 + message.length)
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, 5)
  return framed
}

/** A LeaseKeepAlive call: its responses as they come, its headers and how it ended. */
class KeepAliveCall {
  readonly stream: ClientHttp2Stream
  headers: IncomingHttpHeaders | undefined
  trailers: IncomingHttpHeaders | undefined
  readonly responses: LeaseKeepAliveResponse[] = []
  readonly closed: Promise<void>
  private pending = Buffer.alloc(0)

  constructor(session: ClientHttp2Session) {
    this.stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: KEEPALIVE,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_TE]: 'trailers',
    })
    this.stream.on('response', (headers) => (this.headers = headers))
    this.stream.on('trailers', (trailers) => (this.trailers = trailers))
    this.stream.on('error', () => undefined)
    this.stream.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk])
      while (this.pending.length >= 5 && this.pending.length >= 5 + this.pending.readUInt32BE(1)) {
        const length = this.pending.readUInt32BE(1)
        this.responses.push(LeaseKeepAliveResponse.decode(this.pending.subarray(5, 5 + length)))
        this.pending = this.pending.subarray(5 + length)
      }
    })
    this.closed = new Promise((resolve) => this.stream.on('close', () => resolve()))
  }

  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 60_000
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${this.responses.length} responses`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  answers(): Array<[bigint, bigint]> {
    return this.responses.map((r) => [r.ID, r.TTL])
  }
}

describe('LeaseKeepAlive on the HTTP/2 stream', () => {
  let dataDir: string
  let engine: EmbeddedEtcd
  let server: RunningGrpcServer
  let session: ClientHttp2Session
  const clock = new FakeClock(1_000_000)
  const sessions = () => (engine as unknown as {keepAlives: Set<unknown>}).keepAlives.size

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fast-keepalive-'))
    engine = await openEmbedded(dataDir, {clock, limits: {leaseExpiryCheckMs: 20}})
    server = await startGrpcServer({engine, member: {name: 'n1', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0'], header: () => engine.member.header()})
    session = connect(`http://127.0.0.1:${server.ports[0]}`)
  })

  after(async () => {
    session.close()
    await server.close()
    await engine.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  test('answers every ping in order with gRPC headers and full response headers; a half-close ends with OK', async () => {
    const a = await engine.leaseGrant({TTL: 30n})
    const b = await engine.leaseGrant({TTL: 60n})
    const call = new KeepAliveCall(session)
    call.stream.write(ping(a.ID))
    await call.until(() => call.responses.length === 1, 'the first answer')
    assert.equal(call.headers?.[':status'], 200)
    assert.equal(call.headers?.['content-type'], 'application/grpc')
    // many pings in one write are answered one by one, in order
    call.stream.write(Buffer.concat([ping(b.ID), ping(a.ID), ping(b.ID), ping(b.ID)]))
    await call.until(() => call.responses.length === 5, 'five answers')
    assert.deepEqual(call.answers(), [[a.ID, 30n], [b.ID, 60n], [a.ID, 30n], [b.ID, 60n], [b.ID, 60n]])
    const revision = BigInt((await engine.status()).header!.revision)
    for (const r of call.responses) {
      assert.equal(r.header?.clusterId, engine.member.identity.clusterId)
      assert.equal(r.header?.memberId, engine.member.identity.memberId)
      assert.equal(r.header?.raftTerm, 1n)
      assert.equal(r.header?.revision, revision)
    }
    call.stream.end()
    await call.closed
    assert.equal(call.trailers?.['grpc-status'], '0')
    assert.equal(sessions(), 0)
  })

  test('a lease that is not there or was revoked answers TTL 0; the stream goes on', async () => {
    const live = await engine.leaseGrant({TTL: 30n})
    const revoked = await engine.leaseGrant({TTL: 30n})
    await engine.leaseRevoke({ID: revoked.ID})
    const call = new KeepAliveCall(session)
    call.stream.write(Buffer.concat([ping(revoked.ID), ping(12345n), ping(-7n), ping(live.ID)]))
    await call.until(() => call.responses.length === 4, 'four answers')
    assert.deepEqual(call.answers(), [[revoked.ID, 0n], [12345n, 0n], [-7n, 0n], [live.ID, 30n]])
    call.stream.close(constants.NGHTTP2_CANCEL)
    await call.closed
    for (let tries = 0; sessions() > 0 && tries < 2000; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.equal(sessions(), 0)
  })

  test('an expired lease answers TTL 0 once its keys are gone, and pings after it wait their turn', async () => {
    const short = await engine.leaseGrant({TTL: 5n})
    const long = await engine.leaseGrant({TTL: 600n})
    await engine.put({key: Buffer.from('leased'), value: Buffer.from('v'), lease: short.ID})
    clock.advance(6_000)
    const call = new KeepAliveCall(session)
    call.stream.write(Buffer.concat([ping(short.ID), ping(long.ID)]))
    await call.until(() => call.responses.length === 2, 'two answers')
    assert.deepEqual(call.answers(), [[short.ID, 0n], [long.ID, 600n]])
    // the answer came after the revoke: the key went with it
    assert.equal((await engine.range({key: Buffer.from('leased')})).count, 0n)
    assert.ok(call.responses[0]!.header!.revision >= (await engine.status()).header!.revision)
    call.stream.end()
    await call.closed
    assert.equal(call.trailers?.['grpc-status'], '0')
  })
})
