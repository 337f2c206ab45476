// The npm `etcd3` client with auth ({auth: {username, password}}) against our gRPC server: it
// authenticates, sends its token with every call, and hears etcd's errors by their messages.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {serveDataDir, type ServingDataDir} from '../../src/engine/net/grpc/serve-datadir.js'

interface Etcd3Role {
  create(): Promise<unknown>
  grant(req: {permission: 'Read' | 'Write' | 'Readwrite'; range: unknown}): Promise<unknown>
  permissions(): Promise<Array<{permission: string; range: {start: Buffer; end: Buffer}}>>
}
interface Etcd3User {
  create(password: string): Promise<unknown>
  addRole(role: string): Promise<unknown>
  roles(): Promise<Array<{name: string}>>
}
interface Etcd3Client {
  put(key: string): {value(value: string): Promise<unknown>}
  get(key: string): {string(): Promise<string | null>}
  getRoles(): Promise<Array<{name: string}>>
  getUsers(): Promise<Array<{name: string}>>
  role(name: string): Etcd3Role
  user(name: string): Etcd3User
  auth: {authEnable(): Promise<unknown>; authDisable(): Promise<unknown>}
  close(): void
}
interface Etcd3Module {
  Etcd3: new (options: {hosts: string; dialTimeout?: number; auth?: {username: string; password: string}}) => Etcd3Client
  Range: {prefix(prefix: string): unknown}
  EtcdPermissionDeniedError: new () => Error
  EtcdAuthenticationFailedError: new () => Error
}

describe('the npm etcd3 client with auth against ectl server', () => {
  let dataDir: string
  let serving: ServingDataDir
  let etcd3: Etcd3Module
  let hosts: string
  const clients: Etcd3Client[] = []
  const connect = (auth?: {username: string; password: string}) => {
    const client = new etcd3.Etcd3({hosts, dialTimeout: 5_000, auth})
    clients.push(client)
    return client
  }

  before(async () => {
    const name = 'etcd3'
    etcd3 = (await import(name)) as Etcd3Module
    dataDir = await mkdtemp(join(tmpdir(), 'etcd3-auth-'))
    serving = await serveDataDir({
      dataDir,
      member: {name: 'default', peerURLs: ['http://127.0.0.1:2380'], clientURLs: []},
      listen: ['127.0.0.1:0'],
      maxRequestBytes: 1.5 * 1024 * 1024,
    })
    hosts = `127.0.0.1:${serving.ports[0]}`
  })

  after(async () => {
    for (const client of clients) client.close()
    await serving?.close()
    if (dataDir) await rm(dataDir, {recursive: true, force: true})
  })

  test('users and roles are managed through the client, then auth is enabled', async () => {
    const admin = connect()
    await admin.user('root').create('rootpw')
    await admin.user('root').addRole('root')
    await admin.role('app').create()
    await admin.role('app').grant({permission: 'Readwrite', range: etcd3.Range.prefix('app/')})
    await admin.user('svc').create('svcpw')
    await admin.user('svc').addRole('app')
    assert.deepEqual((await admin.getUsers()).map((u) => u.name), ['root', 'svc'])
    assert.deepEqual((await admin.user('svc').roles()).map((r) => r.name), ['app'])
    const perms = await admin.role('app').permissions()
    assert.equal(perms.length, 1)
    assert.equal(perms[0]!.permission, 'Readwrite')
    await admin.auth.authEnable()
  })

  test('an authenticated user reaches its keys and is denied the others', async () => {
    const svc = connect({username: 'svc', password: 'svcpw'})
    await svc.put('app/config').value('v1')
    assert.equal(await svc.get('app/config').string(), 'v1')
    await assert.rejects(svc.put('other').value('x'), etcd3.EtcdPermissionDeniedError)
    await assert.rejects(svc.get('other').string(), etcd3.EtcdPermissionDeniedError)
    await assert.rejects(svc.getUsers(), etcd3.EtcdPermissionDeniedError)
  })

  test('a wrong password is refused; a client without credentials hears "user name is empty"', async () => {
    const wrong = connect({username: 'svc', password: 'nope'})
    await assert.rejects(wrong.get('app/config').string(), etcd3.EtcdAuthenticationFailedError)
    const anonymous = connect()
    await assert.rejects(anonymous.get('app/config').string(), /etcdserver: user name is empty/)
  })

  test('root reads and writes everything, and can disable auth', async () => {
    const root = connect({username: 'root', password: 'rootpw'})
    await root.put('other').value('root was here')
    assert.equal(await root.get('app/config').string(), 'v1')
    await root.auth.authDisable()
    assert.equal(await connect().get('other').string(), 'root was here')
  })
})
