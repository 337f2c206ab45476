import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {replayLog} from '../../../src/engine/wal/replay.js'

const key = (i: number) => Buffer.from(`k${String(i).padStart(6, '0')}`)

test('concurrent writers share fsyncs and each gets its own revision', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'member-'))
  try {
    const engine = await openEmbedded(dir)
    const responses = await Promise.all(Array.from({length: 200}, (_, i) => engine.put({key: key(i), value: Buffer.from(`v${i}`)})))
    const revisions = responses.map((r) => Number(r.header!.revision)).sort((a, b) => a - b)
    assert.deepEqual(revisions, Array.from({length: 200}, (_, i) => i + 2))
    const all = await engine.range({key: Buffer.from('k'), rangeEnd: Buffer.from('l')})
    assert.equal(all.count, 200n)
    assert.equal(all.header!.revision, 201n)
    await engine.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('a durable batch bigger than one turn of applying is applied over several turns, in log order, every caller answered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'member-'))
  try {
    const engine = await openEmbedded(dir, {limits: {maxApplyEntriesPerTurn: 8}})
    const order: number[] = []
    // 40 callers in one batch, each writing twice in a row
    await Promise.all(
      Array.from({length: 40}, async (_, i) => {
        const first = await engine.put({key: key(i), value: Buffer.from('a')})
        order.push(Number(first.header!.revision))
        await engine.put({key: key(i), value: Buffer.from('b')})
      }),
    )
    assert.deepEqual(order, Array.from({length: 40}, (_, i) => i + 2), 'answered in log order')
    const all = await engine.range({key: Buffer.from('k'), rangeEnd: Buffer.from('l')})
    assert.equal(all.count, 40n)
    assert.equal(all.header!.revision, 81n)
    assert.ok(all.kvs.every((kv) => kv.version === 2n && Buffer.from(kv.value).toString() === 'b'))
    await engine.close()
    const again = await openEmbedded(dir)
    assert.equal((await again.range({key: Buffer.from('k'), rangeEnd: Buffer.from('l'), countOnly: true})).header!.revision, 81n)
    await again.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('closing cuts and releases the log, and reopening keeps every write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'member-'))
  try {
    const value = Buffer.alloc(1024, 'x')
    for (let round = 0; round < 3; round++) {
      const engine = await openEmbedded(dir)
      await Promise.all(Array.from({length: 500}, (_, i) => engine.put({key: key(round * 500 + i), value})))
      await engine.close()
      const segments = readdirSync(join(dir, 'member', 'wal')).filter((name) => name.endsWith('.wal'))
      assert.equal(segments.length, 1, `round ${round}: ${segments.join(', ')}`)
    }
    const engine = await openEmbedded(dir)
    const all = await engine.range({key: Buffer.from('k'), rangeEnd: Buffer.from('l'), countOnly: true})
    assert.equal(all.count, 1500n)
    assert.equal(all.header!.revision, 1501n)
    await engine.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('a request over the size limit is refused and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'member-'))
  try {
    const engine = await openEmbedded(dir)
    await assert.rejects(engine.put({key: Buffer.from('big'), value: Buffer.alloc(1.5 * 1024 * 1024 + 1)}), {message: 'etcdserver: request is too large'})
    await assert.rejects(engine.put({key: Buffer.alloc(0), value: Buffer.from('v')}), {message: 'etcdserver: key is not provided'})
    const status = await engine.range({key: Buffer.from('big')})
    assert.equal(status.count, 0n)
    assert.equal(status.header!.revision, 1n)
    await engine.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('writes go to the log while applying is held, and are applied in log order once it is released', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'member-'))
  try {
    const engine = await openEmbedded(dir)
    const walDir = join(dir, 'member', 'wal')
    const logged = async () => (await replayLog(walDir, 0n))?.lastIndex ?? 0n
    const before = await logged()
    let release!: () => void
    const held = engine.member.exclusive(() => new Promise<void>((resolve) => (release = resolve)))
    let answered = 0
    const puts = Array.from({length: 50}, (_, i) =>
      engine.put({key: Buffer.from('same'), value: Buffer.from(String(i))}).then((response) => {
        answered++
        return Number(response.header!.revision)
      }),
    )
    // Every proposal reaches the log (durably) although none may be applied yet.
    for (let tries = 0; (await logged()) < before + 50n; tries++) {
      assert.ok(tries < 500, `only ${(await logged()) - before} of 50 entries logged while applying was held`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.equal(answered, 0)
    assert.equal((await engine.range({key: Buffer.from('same')})).count, 0n)
    release()
    await held
    const revisions = await Promise.all(puts)
    // proposed in order, so logged and applied in that order: one revision each, ascending
    assert.deepEqual(revisions, Array.from({length: 50}, (_, i) => i + 2))
    assert.equal((await engine.range({key: Buffer.from('same')})).kvs[0]!.value.toString(), '49')
    await engine.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('when the log fails, the callers in the failed write hear why, nothing of theirs is applied, and the member takes no more writes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'member-'))
  try {
    const engine = await openEmbedded(dir)
    await engine.put({key: Buffer.from('before'), value: Buffer.from('1')})
    // The real log, made to fail: its segment file is closed under it, so the next write gets EBADF.
    const wal = (engine.member as unknown as {wal: {tail: {handle: {close(): Promise<void>}}}}).wal
    await wal.tail.handle.close()
    const results = await Promise.allSettled(Array.from({length: 20}, (_, i) => engine.put({key: Buffer.from(`after${i}`), value: Buffer.from('x')})))
    for (const result of results) assert.equal(result.status, 'rejected')
    await assert.rejects(engine.put({key: Buffer.from('later'), value: Buffer.from('x')}), {message: 'etcdserver: server stopped'})
    const after = await engine.range({key: Buffer.from('after'), rangeEnd: Buffer.from('aftes')})
    assert.equal(after.count, 0n)
    assert.equal((await engine.range({key: Buffer.from('before')})).count, 1n)
    await engine.close().catch(() => undefined)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
