// The npm `etcd3` client (a grpc-js client with its own copy of etcd's protos) against our gRPC
// server: put, get, delete, txn, errors; leases and watch once the engine has them.
//
// `etcd3` is a dev dependency this test needs: `npm install -D etcd3`. Without it every test
// here fails with that instruction (never skips).
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EmbeddedEtcd} from '../../src/engine/etcd/embedded.js'
import {serveDataDir, type ServingDataDir} from '../../src/engine/net/grpc/serve-datadir.js'

// The slice of etcd3's API used here (its own types come with the package once installed).
interface Etcd3Client {
  put(key: string): {value(value: string): Promise<unknown>; exec?: never} & PromiseLike<unknown>
  get(key: string): {string(): Promise<string | null>; number(): Promise<number | null>}
  getAll(): {prefix(prefix: string): {strings(): Promise<Record<string, string>>; count(): Promise<number>}}
  delete(): {key(key: string): Promise<{deleted: string}>; prefix(prefix: string): Promise<{deleted: string}>}
  if(key: string, column: string, cmp: string, value: string | number): Etcd3Txn
  lease(ttlSeconds: number): Etcd3Lease
  watch(): {key(key: string): {create(): Promise<Etcd3Watcher>}}
  close(): void
}
interface Etcd3Txn {
  then(...ops: unknown[]): Etcd3Txn
  else(...ops: unknown[]): Etcd3Txn
  commit(): Promise<{succeeded: boolean; header: {revision: string}}>
}
interface Etcd3Lease {
  grant(): Promise<string>
  put(key: string): {value(value: string): Promise<unknown>}
  keepaliveOnce(): Promise<{ID: string; TTL: string}>
  revoke(): Promise<void>
}
interface Etcd3Watcher {
  on(event: 'put', listener: (kv: {key: Buffer; value: Buffer}) => void): void
  cancel(): Promise<void>
}
interface Etcd3Module {
  Etcd3: new (options: {hosts: string; dialTimeout?: number}) => Etcd3Client
}

async function loadEtcd3(): Promise<Etcd3Module> {
  const name = 'etcd3'
  try {
    return (await import(name)) as Etcd3Module
  } catch (error) {
    throw new Error('the npm package etcd3 is not installed: add it with `npm install -D etcd3`', {cause: error})
  }
}

const engineHas = (method: string) => typeof (EmbeddedEtcd.prototype as unknown as Record<string, unknown>)[method] === 'function'

describe('the npm etcd3 client against ectl server', () => {
  let dataDir: string
  let serving: ServingDataDir
  let client: Etcd3Client

  before(async () => {
    const {Etcd3} = await loadEtcd3()
    dataDir = await mkdtemp(join(tmpdir(), 'etcd3-client-'))
    serving = await serveDataDir({
      dataDir,
      member: {name: 'default', peerURLs: ['http://127.0.0.1:2380'], clientURLs: []},
      listen: ['127.0.0.1:0'],
      maxRequestBytes: 1.5 * 1024 * 1024,
    })
    client = new Etcd3({hosts: `127.0.0.1:${serving.ports[0]}`, dialTimeout: 5_000})
  })

  after(async () => {
    client?.close()
    await serving?.close()
    if (dataDir) await rm(dataDir, {recursive: true, force: true})
  })

  test('put and get', async () => {
    await client.put('greeting').value('hello')
    assert.equal(await client.get('greeting').string(), 'hello')
    assert.equal(await client.get('missing').string(), null)
    await client.put('n').value('42')
    assert.equal(await client.get('n').number(), 42)
  })

  test('get a prefix, delete a key and a prefix', async () => {
    await client.put('dir/a').value('1')
    await client.put('dir/b').value('2')
    await client.put('dir/c').value('3')
    assert.deepEqual(await client.getAll().prefix('dir/').strings(), {'dir/a': '1', 'dir/b': '2', 'dir/c': '3'})
    assert.equal((await client.delete().key('dir/a')).deleted, '1')
    assert.equal(await client.getAll().prefix('dir/').count(), 2)
    assert.equal((await client.delete().prefix('dir/')).deleted, '2')
    assert.equal(await client.getAll().prefix('dir/').count(), 0)
  })

  test('txn: compare and swap', async () => {
    await client.put('lock').value('free')
    const taken = await client.if('lock', 'Value', '==', 'free').then(client.put('lock').value('mine')).commit()
    assert.equal(taken.succeeded, true)
    const again = await client
      .if('lock', 'Value', '==', 'free')
      .then(client.put('lock').value('theirs'))
      .else(client.put('loser').value('yes'))
      .commit()
    assert.equal(again.succeeded, false)
    assert.equal(await client.get('lock').string(), 'mine')
    assert.equal(await client.get('loser').string(), 'yes')
  })

  test("an error arrives as etcd's message", async () => {
    await assert.rejects(client.put('').value('x'), /etcdserver: key is not provided/)
  })

  test('lease: grant, attach a key, keep alive once, revoke', {skip: !engineHas('leaseGrant') && 'the engine has no leases yet'}, async () => {
    const lease = client.lease(30)
    await lease.grant()
    await lease.put('leased').value('v')
    const kept = await lease.keepaliveOnce()
    assert.equal(kept.TTL, '30')
    await lease.revoke()
    assert.equal(await client.get('leased').string(), null)
  })

  test('watch: a put is seen', {skip: !engineHas('watch') && 'the engine has no watch yet'}, async () => {
    const watcher = await client.watch().key('watched').create()
    const seen = new Promise<string>((resolve) => watcher.on('put', (kv) => resolve(kv.value.toString())))
    await client.put('watched').value('now')
    assert.equal(await seen, 'now')
    await watcher.cancel()
  })
})
