// Watch and leases of the embedded engine over gRPC (skipped, saying why, until the engine has
// them): one Watch stream with events, LeaseGrant/KeepAlive/TimeToLive/Leases/Revoke, and
// lease errors in etcd's words.
import assert from 'node:assert/strict'
import {once} from 'node:events'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EtcdError, ErrorMessage, GrpcCode} from '../../../src/api/errors.js'
import {Event_EventType} from '../../../src/api/proto/kv.js'
import type {LeaseKeepAliveResponse, WatchResponse} from '../../../src/api/proto/rpc.js'
import {EmbeddedEtcd} from '../../../src/engine/etcd/embedded.js'
import {RawGrpcClient} from '../../../src/engine/net/grpc/raw-client.js'
import {serveDataDir, type ServingDataDir} from '../../../src/engine/net/grpc/serve-datadir.js'

const engineHas = (method: string) => typeof (EmbeddedEtcd.prototype as unknown as Record<string, unknown>)[method] === 'function'
const key = (text: string) => Buffer.from(text)

/** Collects a stream's messages; `next()` waits for the next one not yet taken. */
function collect<T>(stream: NodeJS.EventEmitter): {next(): Promise<T>} {
  const queued: T[] = []
  stream.on('data', (message: T) => queued.push(message))
  return {
    async next() {
      while (queued.length === 0) await once(stream, 'data')
      return queued.shift()!
    },
  }
}

describe('watch and leases over gRPC', () => {
  let dataDir: string
  let serving: ServingDataDir
  let client: RawGrpcClient

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'grpc-watch-lease-'))
    serving = await serveDataDir({dataDir, member: {name: 'm', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0'], maxRequestBytes: 1.5 * 1024 * 1024})
    client = new RawGrpcClient(`127.0.0.1:${serving.ports[0]}`)
  })
  after(async () => {
    client.close()
    await serving.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  test('Watch: two watches on one stream see their puts and deletes; cancel answers canceled', {skip: !engineHas('watch') && 'the engine has no watch yet'}, async () => {
    const stream = client.bidi('etcdserverpb.Watch', 'Watch')
    stream.on('error', () => undefined)
    const responses = collect<WatchResponse>(stream)
    stream.write({createRequest: {key: key('w/a')}})
    const createdA = await responses.next()
    assert.equal(createdA.created, true)
    stream.write({createRequest: {key: key('w/'), rangeEnd: key('w0'), prevKv: true}})
    const createdPrefix = await responses.next()
    assert.equal(createdPrefix.created, true)
    assert.notEqual(createdPrefix.watchId, createdA.watchId)

    await client.unary('etcdserverpb.KV', 'Put', {key: key('w/a'), value: key('1')})
    await client.unary('etcdserverpb.KV', 'DeleteRange', {key: key('w/a')})
    const seen = new Map<bigint, string[]>()
    while ([...seen.values()].flat().length < 4) {
      const response = await responses.next()
      for (const event of response.events) {
        const what = `${event.type === Event_EventType.PUT ? 'PUT' : 'DELETE'} ${event.kv?.key.toString()} ${event.kv?.value.toString()}`
        seen.set(response.watchId, [...(seen.get(response.watchId) ?? []), what])
        assert.ok(response.header && response.header.revision > 0n)
      }
    }
    assert.deepEqual(seen.get(createdA.watchId), ['PUT w/a 1', 'DELETE w/a '])
    assert.deepEqual(seen.get(createdPrefix.watchId), ['PUT w/a 1', 'DELETE w/a '])

    stream.write({cancelRequest: {watchId: createdA.watchId}})
    const canceled = await responses.next()
    assert.equal(canceled.canceled, true)
    assert.equal(canceled.watchId, createdA.watchId)
    stream.cancel()
  })

  test('Lease: grant, attach, keep alive, time to live, list, revoke', {skip: !engineHas('leaseGrant') && 'the engine has no leases yet'}, async () => {
    const granted = await client.unary('etcdserverpb.Lease', 'LeaseGrant', {TTL: 60n})
    assert.equal(granted.TTL, 60n)
    assert.ok(granted.header?.memberId)
    const id = granted.ID
    await client.unary('etcdserverpb.KV', 'Put', {key: key('leased'), value: key('v'), lease: id})

    const keepAlive = client.bidi('etcdserverpb.Lease', 'LeaseKeepAlive')
    const answers = collect<LeaseKeepAliveResponse>(keepAlive)
    keepAlive.write({ID: id})
    const kept = await answers.next()
    assert.deepEqual([kept.ID, kept.TTL], [id, 60n])
    keepAlive.end()

    const ttl = await client.unary('etcdserverpb.Lease', 'LeaseTimeToLive', {ID: id, keys: true})
    assert.equal(ttl.grantedTTL, 60n)
    assert.ok(ttl.TTL > 0n && ttl.TTL <= 60n)
    assert.deepEqual(ttl.keys.map((k) => k.toString()), ['leased'])
    const leases = await client.unary('etcdserverpb.Lease', 'LeaseLeases', {})
    assert.deepEqual(leases.leases.map((lease) => lease.ID), [id])

    await client.unary('etcdserverpb.Lease', 'LeaseRevoke', {ID: id})
    const after = await client.unary('etcdserverpb.KV', 'Range', {key: key('leased')})
    assert.equal(after.count, 0n)
    await assert.rejects(client.unary('etcdserverpb.Lease', 'LeaseRevoke', {ID: id}), (error: unknown) => {
      assert.ok(error instanceof EtcdError)
      assert.deepEqual([error.code, error.message], [GrpcCode.NOT_FOUND, ErrorMessage.leaseNotFound])
      return true
    })
  })
})
