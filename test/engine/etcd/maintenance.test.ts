// Snapshot, restore, defragment, hash, status sizes and the one-member cluster answers, on the
// real embedded engine.
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, test} from 'node:test'
import {saveSnapshot} from '../../../src/client/etcd/snapshot-save.js'
import {type EmbeddedEtcd, openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {restoreSnapshot, snapshotStatus} from '../../../src/engine/etcd/snapshot-file.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maintenance-'))
  cleanups.push(() => rm(dir, {recursive: true, force: true}))
  return dir
}

async function engine(dir?: string): Promise<EmbeddedEtcd> {
  const etcd = await openEmbedded(dir ?? (await tempDir()))
  cleanups.push(() => etcd.close())
  return etcd
}

const put = (etcd: EmbeddedEtcd, key: string, value: string) => etcd.put({key: Buffer.from(key), value: Buffer.from(value)})
const restoreDefaults = {
  name: 'default',
  initialCluster: 'default=http://localhost:2380',
  initialClusterToken: 'etcd-cluster',
  initialAdvertisePeerUrls: 'http://localhost:2380',
  skipHashCheck: false,
}

test('a snapshot taken under concurrent writes is one point in time, and restores to the same history', async () => {
  const etcd = await engine()
  for (let i = 0; i < 200; i++) await put(etcd, `k${i % 50}`, `v${i}`)
  const dir = await tempDir()
  const file = join(dir, 'snap.db')
  let writing = true
  const writer = (async () => {
    let i = 0
    while (writing) await put(etcd, `w${i % 20}`, `x${i++}`)
  })()
  await saveSnapshot(etcd, file)
  writing = false
  await writer
  const status = await snapshotStatus(file)
  // the snapshot's revision names a state the live store had: its HashKV there must match
  const live = await etcd.hashKV({revision: BigInt(status.revision)})
  const restoredDir = join(dir, 'restored')
  const restored = await restoreSnapshot(file, {...restoreDefaults, dataDir: restoredDir})
  assert.equal(restored.memberId.toString(16), '8e9e05c52164694d')
  assert.equal(restored.clusterId.toString(16), 'cdf818194e3a8c32')
  const copy = await engine(restoredDir)
  const header = (await copy.status()).header!
  assert.equal(header.memberId, restored.memberId)
  assert.equal(header.clusterId, restored.clusterId)
  assert.equal(header.revision, BigInt(status.revision))
  assert.equal((await copy.hashKV({revision: 0n})).hash, live.hash)
  assert.equal((await copy.hash()).hash, status.hash)
  // and it goes on from there
  const next = await put(copy, 'after', 'restore')
  assert.equal(next.header!.revision, BigInt(status.revision) + 1n)
  const members = await copy.memberList()
  assert.deepEqual(members.members.map((m) => [m.name, m.peerURLs]), [['default', ['http://localhost:2380']]])
})

test('restore checks the hash, refuses an existing data dir, and takes a bare backend only with --skip-hash-check', async () => {
  const dir = await tempDir()
  const dataDir = join(dir, 'data')
  const etcd = await engine(dataDir)
  await put(etcd, 'a', '1')
  const file = join(dir, 'snap.db')
  await saveSnapshot(etcd, file)
  await assert.rejects(restoreSnapshot(file, {...restoreDefaults, dataDir}), {message: `data-dir ${JSON.stringify(dataDir)} exists`})
  const bytes = await readFile(file)
  bytes[100] ^= 0xff
  const damaged = join(dir, 'damaged.db')
  await writeFile(damaged, bytes)
  await assert.rejects(restoreSnapshot(damaged, {...restoreDefaults, dataDir: join(dir, 'r1')}), /^Error: expected sha256 \[/)
  const bare = join(dir, 'bare.db')
  await writeFile(bare, bytes.subarray(0, bytes.length - 544))
  await assert.rejects(restoreSnapshot(bare, {...restoreDefaults, dataDir: join(dir, 'r2')}), {message: 'snapshot missing hash but --skip-hash-check=false'})
  await assert.rejects(restoreSnapshot(file, {...restoreDefaults, name: 'other', dataDir: join(dir, 'r3')}), /couldn't find local name "other"/)
})

test('defragment shrinks the backend after deletes and compaction, while writes wait and reads go on', async () => {
  const etcd = await engine()
  const value = 'x'.repeat(2000)
  for (let i = 0; i < 2000; i++) await put(etcd, `big${i}`, value)
  const rev = (await etcd.deleteRange({key: Buffer.from('big'), rangeEnd: Buffer.from('bih')})).header!.revision
  await etcd.compact({revision: rev, physical: true})
  const marker = (await put(etcd, 'marker', 'm')).header!.revision
  const before = await etcd.status()
  const hashBefore = (await etcd.hashKV({revision: marker})).hash
  assert.ok(before.dbSizeInUse < before.dbSize, `in use ${before.dbSizeInUse} < size ${before.dbSize}`)
  let writes = 0
  let reading = true
  const load = (async () => {
    while (reading) {
      await put(etcd, `live${writes % 10}`, String(writes))
      writes++
      await etcd.range({key: Buffer.from('live0')})
    }
  })()
  await etcd.defragment()
  reading = false
  await load
  const after = await etcd.status()
  assert.ok(after.dbSize * 4n < before.dbSize, `defragmented ${before.dbSize} -> ${after.dbSize}`)
  assert.ok(writes > 0)
  // nothing lost: the keys written during the defragmentation are there, the history too
  const live = await etcd.range({key: Buffer.from('live'), rangeEnd: Buffer.from('livf')})
  assert.equal(live.kvs.length, Math.min(writes, 10))
  assert.notEqual((await etcd.hashKV({revision: 0n})).hash, 0)
  assert.equal((await etcd.hashKV({revision: marker})).hash, hashBefore)
})

test('the data survives a defragmentation and a reopen', async () => {
  const dir = await tempDir()
  const first = await openEmbedded(dir)
  for (let i = 0; i < 100; i++) await put(first, `k${i}`, `v${i}`)
  await first.defragment()
  await first.defragment()
  await put(first, 'last', 'one')
  const hash = (await first.hashKV({revision: 0n})).hash
  await first.close()
  const second = await engine(dir)
  assert.equal((await second.hashKV({revision: 0n})).hash, hash)
  assert.equal((await second.range({key: Buffer.from('last')})).kvs[0]!.value.toString(), 'one')
})

test('hash is equal on equal data and changes with it', async () => {
  const a = await engine()
  const b = await engine()
  await put(a, 'k', 'v')
  await put(b, 'k', 'v')
  assert.equal((await a.hash()).hash, (await b.hash()).hash)
  await put(b, 'k', 'w')
  assert.notEqual((await a.hash()).hash, (await b.hash()).hash)
})

test('cluster and move-leader answer as a one-member etcd', async () => {
  const etcd = await engine()
  const self = etcd.member.identity.memberId
  const list = await etcd.memberList()
  assert.deepEqual(list.members.map((m) => ({...m})), [
    {ID: self, name: 'default', peerURLs: ['http://localhost:2380'], clientURLs: ['http://localhost:2379'], isLearner: false},
  ])
  await assert.rejects(etcd.memberRemove({ID: self}), {message: 'etcdserver: re-configuration failed due to not enough started members'})
  await assert.rejects(etcd.memberRemove({ID: 0x1234n}), {message: 'etcdserver: member not found'})
  await assert.rejects(etcd.memberPromote({ID: self}), {message: 'etcdserver: can only promote a learner member'})
  await assert.rejects(etcd.memberUpdate({ID: 0x1234n, peerURLs: ['http://a:1']}), {message: 'etcdserver: member not found'})
  await assert.rejects(etcd.memberAdd({peerURLs: ['nope']}), {message: 'etcdserver: given member URLs are invalid'})
  const learner = await etcd.memberAdd({peerURLs: ['http://127.0.0.1:23801'], isLearner: true})
  assert.equal(learner.member!.isLearner, true)
  assert.equal(learner.members.length, 2)
  await assert.rejects(etcd.memberAdd({peerURLs: ['http://127.0.0.1:23802'], isLearner: true}), {message: 'etcdserver: too many learner members in cluster'})
  await assert.rejects(etcd.memberAdd({peerURLs: ['http://127.0.0.1:23801']}), /already exist/)
  await assert.rejects(etcd.memberPromote({ID: learner.member!.ID}), {message: 'etcdserver: can only promote a learner member which is in sync with leader'})
  await etcd.memberUpdate({ID: learner.member!.ID, peerURLs: ['http://127.0.0.1:23809']})
  assert.deepEqual((await etcd.memberList()).members.find((m) => m.ID === learner.member!.ID)!.peerURLs, ['http://127.0.0.1:23809'])
  await etcd.memberRemove({ID: learner.member!.ID})
  const voter = await etcd.memberAdd({peerURLs: ['http://127.0.0.1:23803']})
  assert.equal(voter.member!.name, '')
  await assert.rejects(etcd.memberAdd({peerURLs: ['http://127.0.0.1:23804']}), {message: 'etcdserver: re-configuration failed due to not enough started members'})
  await etcd.memberRemove({ID: voter.member!.ID})
  assert.equal((await etcd.memberList()).members.length, 1)
  await etcd.moveLeader({targetID: self})
  await assert.rejects(etcd.moveLeader({targetID: 0x1234n}), {message: 'etcdserver: bad leader transferee'})
})
