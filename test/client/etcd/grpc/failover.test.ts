// The gRPC client against a real etcd 3.4: calls, etcd's errors, failover past dead and silent
// endpoints, the dial and command timeouts.
import assert from 'node:assert/strict'
import {connect, createServer} from 'node:net'
import {after, before, test} from 'node:test'
import {EtcdError, GrpcCode} from '../../../../src/api/errors.js'
import {RequestOp} from '../../../../src/api/proto/rpc.js'
import {createGrpcEtcdClient} from '../../../../src/client/etcd/grpc/client.js'
import {GrpcCallError} from '../../../../src/client/etcd/grpc/errors.js'
import {deadAddress, type EtcdMember, silentListener, startEtcd, startProxy} from './etcd-member.js'

let etcd: EtcdMember
before(async () => {
  etcd = await startEtcd()
})
after(() => etcd.stop())

test('put, range, txn, leases and the maintenance status over gRPC, with http:// and bare endpoints', async () => {
  for (const endpoint of [etcd.address, `http://${etcd.address}`]) {
    const client = createGrpcEtcdClient({endpoints: [endpoint]})
    try {
      const put = await client.put({key: Buffer.from('k'), value: Buffer.from(endpoint)})
      assert.ok(put.header!.revision > 0n)
      const got = await client.range({key: Buffer.from('k')})
      assert.equal(got.kvs[0]!.value.toString(), endpoint)
      const txn = await client.txn({success: [RequestOp.fromPartial({requestRange: {key: Buffer.from('k')}})]})
      assert.equal(txn.succeeded, true)
      const lease = await client.leaseGrant({TTL: 30n})
      const ttl = await client.leaseTimeToLive({ID: lease.ID})
      assert.equal(ttl.grantedTTL, 30n)
      await client.leaseRevoke({ID: lease.ID})
      const status = await client.status()
      assert.match(status.version, /^3\.4\./)
      const members = await client.memberList({})
      assert.equal(members.members.length, 1)
    } finally {
      await client.close()
    }
  }
})

test("a refused request is an EtcdError with etcd's code and words", async () => {
  const client = createGrpcEtcdClient({endpoints: [etcd.address]})
  try {
    await assert.rejects(client.put({key: Buffer.alloc(0), value: Buffer.from('v')}), (error: unknown) => {
      assert.ok(error instanceof EtcdError)
      assert.equal(error.code, GrpcCode.INVALID_ARGUMENT)
      assert.equal(error.message, 'etcdserver: key is not provided')
      return true
    })
    await assert.rejects(client.leaseRevoke({ID: 12345n}), {code: GrpcCode.NOT_FOUND, message: 'etcdserver: requested lease not found'})
  } finally {
    await client.close()
  }
})

test('the first endpoint refuses connections: calls go to the next one at once', async () => {
  const client = createGrpcEtcdClient({endpoints: [await deadAddress(), await deadAddress(), etcd.address]})
  try {
    const started = Date.now()
    await client.put({key: Buffer.from('failover'), value: Buffer.from('1')})
    assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`)
    assert.equal(client.endpoint, etcd.address)
    const got = await client.range({key: Buffer.from('failover')})
    assert.equal(got.count, 1n)
  } finally {
    await client.close()
  }
})

test('an endpoint that accepts and never answers is left after the dial timeout', async () => {
  const silent = await silentListener()
  const client = createGrpcEtcdClient({endpoints: [silent.address, etcd.address], dialTimeoutMs: 300, commandTimeoutMs: 5_000})
  try {
    const started = Date.now()
    await client.range({key: Buffer.from('x')})
    const elapsed = Date.now() - started
    assert.ok(elapsed >= 250 && elapsed < 2_500, `took ${elapsed} ms`)
  } finally {
    await client.close()
    await silent.close()
  }
})

test('no endpoint connects: the call fails after the command timeout with context deadline exceeded', async () => {
  const client = createGrpcEtcdClient({endpoints: [await deadAddress()], commandTimeoutMs: 700})
  try {
    const started = Date.now()
    await assert.rejects(client.range({key: Buffer.from('x')}), (error: unknown) => {
      assert.ok(error instanceof GrpcCallError)
      assert.equal(error.code, GrpcCode.DEADLINE_EXCEEDED)
      assert.equal(error.message, 'context deadline exceeded')
      assert.equal(error.description, 'latest balancer error: all SubConns are in TransientFailure')
      return true
    })
    const elapsed = Date.now() - started
    assert.ok(elapsed >= 650 && elapsed < 2_000, `took ${elapsed} ms`)
  } finally {
    await client.close()
  }
})

test('an endpoint that comes up while a call waits is used before the deadline', async () => {
  const proxy = await startProxy(etcd.address)
  const address = proxy.address
  await proxy.cut(true)
  const client = createGrpcEtcdClient({endpoints: [address], commandTimeoutMs: 5_000})
  // a late listener on the same port forwards to etcd
  const [, port] = address.split(':')
  const [, etcdPort] = etcd.address.split(':')
  const late = createServer((socket) => {
    const upstream = connect(Number(etcdPort), '127.0.0.1')
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
  })
  try {
    const call = client.range({key: Buffer.from('x')})
    await new Promise((resolve) => setTimeout(resolve, 400))
    await new Promise<void>((resolve) => late.listen(Number(port), '127.0.0.1', resolve))
    const got = await call
    assert.ok(got.header!.revision > 0n)
  } finally {
    await client.close()
    await new Promise((resolve) => late.close(resolve))
    late.unref()
  }
})

test('a blocking call (Lock) has no deadline; a short call does', async () => {
  const client = createGrpcEtcdClient({endpoints: [etcd.address], commandTimeoutMs: 300})
  const other = createGrpcEtcdClient({endpoints: [etcd.address]})
  try {
    const holder = await other.leaseGrant({TTL: 30n})
    const held = await other.lock({name: Buffer.from('L'), lease: holder.ID})
    const waiter = await client.leaseGrant({TTL: 30n})
    const waiting = client.lock({name: Buffer.from('L'), lease: waiter.ID})
    await new Promise((resolve) => setTimeout(resolve, 600))
    await other.unlock({key: held.key})
    const got = await waiting
    assert.ok(got.key.toString().startsWith('L/'))
  } finally {
    await client.close()
    await other.close()
  }
})
