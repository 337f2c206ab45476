// The npm etcd3 client's lock and election against ectl server. etcd3 runs both recipes on the
// client (a txn on create revision 0 with a lease for a lock; candidate keys ordered by create
// revision and a watch for an election), so this holds our KV, lease and watch services to what
// those recipes need.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {serveDataDir, type ServingDataDir} from '../../src/engine/net/grpc/serve-datadir.js'

interface Lock {
  acquire(): Promise<Lock>
  release(): Promise<void>
}
interface Campaign {
  on(event: 'elected' | 'error', listener: (error?: Error) => void): void
  resign(): Promise<void>
  proclaim(value: string): Promise<void>
}
interface Observer {
  on(event: 'change', listener: (leader: string | undefined) => void): void
  cancel(): Promise<void>
}
interface Election {
  campaign(value: string): Campaign
  leader(): Promise<string | undefined>
  observe(): Promise<Observer>
}
interface Etcd3Client {
  lock(name: string): Lock
  election(name: string, ttlSeconds?: number): Election
  close(): void
}

async function loadEtcd3(): Promise<{Etcd3: new (options: {hosts: string; dialTimeout?: number}) => Etcd3Client}> {
  const name = 'etcd3'
  return (await import(name)) as {Etcd3: new (options: {hosts: string; dialTimeout?: number}) => Etcd3Client}
}

const waitFor = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('the npm etcd3 client lock and election against ectl server', () => {
  let dataDir: string
  let serving: ServingDataDir
  let client: Etcd3Client

  before(async () => {
    const {Etcd3} = await loadEtcd3()
    dataDir = await mkdtemp(join(tmpdir(), 'etcd3-recipes-'))
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

  test('lock: a held lock refuses a second holder until released', async () => {
    const first = await client.lock('jobs').acquire()
    await assert.rejects(client.lock('jobs').acquire(), {message: 'Failed to acquire a lock on jobs'})
    await first.release()
    const second = await client.lock('jobs').acquire()
    await second.release()
  })

  test('election: the first candidate leads, the next leads once it resigns, observers follow', async () => {
    const election = client.election('leader', 5)
    const observer = await election.observe()
    const changes: (string | undefined)[] = []
    observer.on('change', (leader) => changes.push(leader))
    const a = election.campaign('a')
    let aElected = false
    a.on('elected', () => (aElected = true))
    await waitFor(() => aElected, 'a to be elected')
    const b = election.campaign('b')
    let bElected = false
    b.on('elected', () => (bElected = true))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(bElected, false)
    assert.equal(await election.leader(), 'a')
    await a.proclaim('a2')
    await waitFor(() => changes.includes('a2'), 'the observer to see a2')
    await a.resign()
    await waitFor(() => bElected, 'b to be elected')
    assert.equal(await election.leader(), 'b')
    await waitFor(() => changes.at(-1) === 'b', 'the observer to see b')
    await b.resign()
    await observer.cancel()
  })
})
