// Auth against a real etcd 3.4 with auth enabled (root:pw, set up with the real etcdctl): the
// token on every call and stream, refusals in etcd's words, and a token that expired
// (--auth-token-ttl 1) renewed once, transparently.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {after, before, test} from 'node:test'
import {Client, credentials, Metadata, type ServiceError} from '@grpc/grpc-js'
import {GrpcCode} from '../../../../src/api/errors.js'
import {WatchCreateRequest} from '../../../../src/api/proto/rpc.js'
import {deserializer, grpcServices, serializer} from '../../../../src/api/grpc-methods.js'
import {createGrpcEtcdClient} from '../../../../src/client/etcd/grpc/client.js'
import {etcdctlBinary} from '../../../compat/harness/real-etcd.js'
import {type EtcdMember, startEtcd} from './etcd-member.js'

const tokenTtlSeconds = 1
let etcd: EtcdMember
before(async () => {
  etcd = await startEtcd({args: ['--auth-token-ttl', String(tokenTtlSeconds)]})
  const etcdctl = (...args: string[]) => execFileSync(etcdctlBinary, ['--endpoints', etcd.address, ...args], {stdio: 'pipe'})
  etcdctl('user', 'add', 'root:pw')
  etcdctl('auth', 'enable')
})
after(() => etcd.stop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('with the user, calls and watches carry the token; without, etcd refuses', async () => {
  const client = createGrpcEtcdClient({endpoints: [etcd.address], user: {name: 'root', password: 'pw'}})
  const anonymous = createGrpcEtcdClient({endpoints: [etcd.address]})
  try {
    await client.ready()
    const watch = client.watch()
    watch.send({createRequest: WatchCreateRequest.fromPartial({key: Buffer.from('auth/'), rangeEnd: Buffer.from('auth0')})})
    const events: string[] = []
    let created: () => void = () => undefined
    const watching = new Promise<void>((resolve) => (created = resolve))
    const seen = (async () => {
      for await (const response of watch) {
        if (response.created) created()
        for (const event of response.events) events.push(event.kv!.key.toString())
        if (events.length === 2) return
      }
    })()
    await watching
    await client.put({key: Buffer.from('auth/a'), value: Buffer.from('1')})
    await client.put({key: Buffer.from('auth/b'), value: Buffer.from('2')})
    await seen
    watch.close()
    assert.deepEqual(events, ['auth/a', 'auth/b'])
    await assert.rejects(anonymous.range({key: Buffer.from('auth/a')}), {message: 'etcdserver: user name is empty'})
  } finally {
    await client.close()
    await anonymous.close()
  }
})

test('a wrong password is refused when the client gets ready, in etcd words', async () => {
  const client = createGrpcEtcdClient({endpoints: [etcd.address], user: {name: 'root', password: 'nope'}})
  try {
    await assert.rejects(client.ready(), {code: GrpcCode.INVALID_ARGUMENT, message: 'etcdserver: authentication failed, invalid user ID or password'})
  } finally {
    await client.close()
  }
})

test('an expired token is renewed once and the call goes through', async () => {
  // first: a token held past its TTL really is refused (so the renewal below is exercised)
  const raw = new Client(etcd.address, credentials.createInsecure())
  const call = <Req, Res>(spec: {request: never; response: never}, path: string, request: Req, metadata: Metadata) =>
    new Promise<Res>((resolve, reject) =>
      raw.makeUnaryRequest(path, serializer<Req>(spec.request), deserializer<Res>(spec.response), request, metadata, (error: ServiceError | null, response?: Res) =>
        error ? reject(error) : resolve(response!),
      ),
    )
  const auth = grpcServices['etcdserverpb.Auth'].Authenticate
  const range = grpcServices['etcdserverpb.KV'].Range
  const {token} = await call<object, {token: string}>(auth as never, '/etcdserverpb.Auth/Authenticate', {name: 'root', password: 'pw'}, new Metadata())
  await sleep((tokenTtlSeconds + 1.5) * 1000)
  const stale = new Metadata()
  stale.set('token', token)
  await assert.rejects(call(range as never, '/etcdserverpb.KV/Range', {key: Buffer.from('x')}, stale), (error: ServiceError) => {
    assert.equal(error.details, 'etcdserver: invalid auth token')
    return true
  })
  raw.close()

  const client = createGrpcEtcdClient({endpoints: [etcd.address], user: {name: 'root', password: 'pw'}})
  try {
    await client.put({key: Buffer.from('renew'), value: Buffer.from('1')})
    await sleep((tokenTtlSeconds + 1.5) * 1000)
    const got = await client.range({key: Buffer.from('renew')})
    assert.equal(got.kvs[0]!.value.toString(), '1')
  } finally {
    await client.close()
  }
})
