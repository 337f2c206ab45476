// Several processes on one data dir: one holds it and serves the others on the local socket.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {LocalSocketClient} from '../../../src/client/etcd/local.js'
import {openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {dataDirAddress, tryHoldDataDir} from '../../../src/engine/etcd/holder.js'

function ectl(dataDir: string, args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/ectl.js', '--data-dir', dataDir, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

test('a second holder is refused while the first lives, and served over the socket', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'holder-'))
  try {
    const first = await tryHoldDataDir(dir)
    assert.ok(first)
    assert.equal(await tryHoldDataDir(dir), undefined)
    await first.engine.put({key: Buffer.from('a'), value: Buffer.from('1')})
    const other = await LocalSocketClient.connect(await dataDirAddress(dir))
    const put = await other.put({key: Buffer.from('b'), value: Buffer.from('2')})
    assert.equal(put.header!.revision, 3n)
    const got = await other.range({key: Buffer.from('a'), rangeEnd: Buffer.from('c')})
    assert.deepEqual(got.kvs.map((kv) => kv.value.toString()), ['1', '2'])
    await assert.rejects(other.range({key: Buffer.from('a'), revision: 99n}), {message: 'etcdserver: mvcc: required revision is a future revision'})
    await other.close()
    await first.release()
    const second = await tryHoldDataDir(dir)
    assert.ok(second, 'released data dir can be held again')
    await second.release()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('twelve ectl processes writing at once each land exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'holder-'))
  try {
    const results = await Promise.all(Array.from({length: 12}, (_, i) => ectl(dir, ['put', `key${String(i).padStart(2, '0')}`, `value${i}`])))
    for (const result of results) assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'OK\n', ''])
    const got = await ectl(dir, ['get', 'key', '--prefix', '-w', 'json'])
    const body = JSON.parse(got.stdout)
    assert.equal(body.count, 12)
    assert.equal(body.header.revision, 13)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('the data dir stays held until the leaving holder has closed its engine', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'holder-'))
  try {
    let closeStarted!: () => void
    const closing = new Promise<void>((resolve) => (closeStarted = resolve))
    let finishClose!: () => void
    const held = await tryHoldDataDir(dir, {}, async (dataDir, options) => {
      const engine = await openEmbedded(dataDir, options)
      const close = engine.close.bind(engine)
      engine.close = async () => {
        closeStarted()
        await new Promise<void>((resolve) => (finishClose = resolve))
        await close()
      }
      return engine
    })
    assert.ok(held)
    const released = held.release()
    await closing
    // the engine is still closing: a second process must neither hold the dir nor be served
    assert.equal(await tryHoldDataDir(dir), undefined)
    await assert.rejects(LocalSocketClient.connect(await dataDirAddress(dir)))
    finishClose()
    await released
    const next = await tryHoldDataDir(dir)
    assert.ok(next, 'the data dir can be held once the engine is closed')
    await next.release()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
