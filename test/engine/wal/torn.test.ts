// Crash damage at the end of the log is cut off; damage anywhere else is refused.
import assert from 'node:assert/strict'
import {copyFile, mkdir, readFile, readdir, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {WalCorruptError, openWal} from '../../../src/engine/wal/wal.js'
import {encodeBatch, encodeEntry, encodeSegmentHeader} from '../../../src/engine/wal/record.js'
import {segmentFileName} from '../../../src/engine/wal/segment-name.js'
import {entries, entry, summarize, tempDir} from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => ({dir, cleanup} = await tempDir()))
afterEach(() => cleanup())

/** Writes one append per entry of 1..count into `logDir`; returns the segment path and its size before the last append. */
async function writeLog(logDir: string, count: bigint, lastAppend = [entry(count)]): Promise<{file: string; sizeBefore: number}> {
  const {wal} = await openWal(logDir)
  for (let i = 1n; i < count; i++) await wal.append([entry(i)], {term: 1n, vote: 1n, commit: i})
  const file = wal.segmentFiles()[0]
  const sizeBefore = wal.tailBytes
  await wal.append(lastAppend)
  await wal.close()
  return {file, sizeBefore}
}

/** A copy of `file` as the only segment of a fresh log dir, with its content replaced. */
async function logWith(name: string, content: Buffer): Promise<string> {
  const copyDir = join(dir, `copy-${Math.random().toString(36).slice(2)}`)
  await mkdir(copyDir)
  await writeFile(join(copyDir, name), content)
  return copyDir
}

async function expectCorrupt(logDir: string, pattern: RegExp): Promise<WalCorruptError> {
  let caught: unknown
  await openWal(logDir).then(
    ({wal}) => wal.close(),
    (error: unknown) => (caught = error),
  )
  assert.ok(caught instanceof WalCorruptError, `expected WalCorruptError, got ${String(caught)}`)
  assert.match(caught.message, pattern)
  return caught
}

describe('torn tail', () => {
  it('is cut at every possible byte of the last record; the log stays appendable', async () => {
    const {file, sizeBefore} = await writeLog(join(dir, 'orig'), 5n)
    const full = await readFile(file)
    const name = file.slice(file.lastIndexOf('/') + 1)
    for (let length = sizeBefore; length < full.length; length++) {
      const logDir = await logWith(name, full.subarray(0, length))
      const {wal, contents} = await openWal(logDir)
      assert.deepEqual(summarize(contents.entries), summarize(entries(1n, 4n)), `cut at ${length}`)
      assert.deepEqual(contents.hardState, {term: 1n, vote: 1n, commit: 4n})
      assert.equal(wal.stats.tornBytesCut, length - sizeBefore)
      await wal.append([entry(5n, 2n, 'after')])
      await wal.close()
      const again = await openWal(logDir)
      assert.deepEqual(summarize(again.contents.entries), summarize([...entries(1n, 4n), entry(5n, 2n, 'after')]))
      assert.equal(again.wal.stats.tornBytesCut, 0)
      await again.wal.close()
      await rm(logDir, {recursive: true})
    }
  })

  it('cuts a torn multi-entry write whole: one write survives all together or not at all', async () => {
    const {file, sizeBefore} = await writeLog(join(dir, 'orig'), 3n, entries(3n, 8n))
    const full = await readFile(file)
    const name = file.slice(file.lastIndexOf('/') + 1)
    for (const length of [sizeBefore + 20, full.length - 1]) {
      const logDir = await logWith(name, full.subarray(0, length))
      const {wal, contents} = await openWal(logDir)
      assert.deepEqual(summarize(contents.entries), summarize(entries(1n, 2n)))
      await wal.close()
    }
  })

  it('cuts zeros after the end, and a power-loss hole in the last write', async () => {
    const {file, sizeBefore} = await writeLog(join(dir, 'orig'), 4n, entries(4n, 40n))
    const full = await readFile(file)
    const name = file.slice(file.lastIndexOf('/') + 1)

    // zeros after the last whole write are space grown ahead of the writes: kept, written over
    const zerosAfter = await logWith(name, Buffer.concat([full, Buffer.alloc(4096)]))
    const a = await openWal(zerosAfter)
    assert.deepEqual(summarize(a.contents.entries), summarize(entries(1n, 40n)))
    assert.equal(a.wal.stats.tornBytesCut, 0)
    await a.wal.append([entry(41n, 2n, 'into the zeros')])
    await a.wal.close()
    const a2 = await openWal(zerosAfter)
    assert.deepEqual(summarize(a2.contents.entries), summarize([...entries(1n, 40n), entry(41n, 2n, 'into the zeros')]))
    await a2.wal.close()

    // A sector in the middle of the last write never reached the disk; later ones did.
    const holed = Buffer.from(full)
    holed.fill(0, sizeBefore + 200, sizeBefore + 712)
    const hole = await logWith(name, holed)
    const b = await openWal(hole)
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(1n, 3n)))
    await b.wal.append([entry(4n)])
    await b.wal.close()
  })
})

describe('writes in flight together', () => {
  /**
   * A log whose last two writes were on their way at once: entry 1, then entries 2-3 and entry 4
   * started together. Returns the segment and where the second-to-last write starts and ends.
   */
  async function twoInFlight(logDir: string): Promise<{file: string; name: string; start: number; end: number}> {
    // every write through the thread pool, so two are on their way at once
    const {wal} = await openWal(logDir, {inlineWriteMaxMs: 0})
    await wal.append([entry(1n)])
    const start = wal.tailBytes
    const middle = wal.append(entries(2n, 3n))
    await Promise.resolve()
    const end = wal.tailBytes
    const last = wal.append([entry(4n)])
    await Promise.resolve()
    assert.ok(!wal.canStartWrite, 'both writes in flight')
    await Promise.all([middle, last])
    const file = wal.segmentFiles()[0]
    await wal.close()
    return {file, name: file.slice(file.lastIndexOf('/') + 1), start, end}
  }

  it('an earlier write torn under a later whole one is cut with it: neither was acknowledged', async () => {
    const {file, name, start, end} = await twoInFlight(join(dir, 'orig'))
    const full = await readFile(file)
    const damages: Array<[string, (b: Buffer) => void]> = [
      ['never reached the disk', (b) => b.fill(0, start, end)],
      ['a flipped byte in its batch record', (b) => (b[start + 12] ^= 0x40)],
      ['a flipped byte in an entry', (b) => (b[end - 3] ^= 0x40)],
    ]
    for (const [what, damage] of damages) {
      const content = Buffer.from(full)
      damage(content)
      const logDir = await logWith(name, content)
      const {wal, contents} = await openWal(logDir)
      assert.deepEqual(summarize(contents.entries), summarize([entry(1n)]), what)
      assert.equal(wal.stats.tornBytesCut, full.length - start, what)
      await wal.append([entry(2n, 2n, 'after')])
      await wal.close()
      const again = await openWal(logDir)
      assert.deepEqual(summarize(again.contents.entries), summarize([entry(1n), entry(2n, 2n, 'after')]), what)
      await again.wal.close()
      await rm(logDir, {recursive: true})
    }
  })

  it('a write that started after the damaged one was durable makes it corruption', async () => {
    const logDir = join(dir, 'orig')
    const {file, name, start, end} = await twoInFlight(logDir)
    // entry 5 starts once 2-4 are durable: damage to them is damage to acknowledged data
    const {wal} = await openWal(logDir)
    await wal.append([entry(5n)])
    await wal.close()
    const content = await readFile(file)
    content.fill(0, start, end)
    await expectCorrupt(await logWith(name, content), new RegExp(`at byte offset ${start}\\b`))
  })
})

describe('corruption', () => {
  it('a flipped byte anywhere in a middle write is WalCorruptError naming file and offset', async () => {
    const logDir = join(dir, 'orig')
    const {wal} = await openWal(logDir)
    await wal.append([entry(1n)])
    const file = wal.segmentFiles()[0]
    const start = (await readFile(file)).length
    await wal.append(entries(2n, 3n))
    const end = (await readFile(file)).length
    await wal.append([entry(4n)])
    await wal.close()
    const full = await readFile(file)
    const name = file.slice(file.lastIndexOf('/') + 1)
    for (let at = start; at < end; at++) {
      const flipped = Buffer.from(full)
      flipped[at] ^= 0x40
      const copy = await logWith(name, flipped)
      const error = await expectCorrupt(copy, /at byte offset \d+/)
      assert.equal(error.file, join(copy, name))
      assert.ok(error.offset! >= start && error.offset! <= at, `byte ${at} flipped, reported at ${error.offset}`)
      await rm(copy, {recursive: true})
    }
  })

  it('a bad record at the end of a segment that is not the last is WalCorruptError', async () => {
    const logDir = join(dir, 'orig')
    const {wal} = await openWal(logDir, {segmentBytes: 256})
    for (let i = 1n; i <= 20n; i++) await wal.append([entry(i)])
    const [first] = wal.segmentFiles()
    await wal.close()
    const content = await readFile(first)
    await writeFile(first, content.subarray(0, content.length - 1))
    await expectCorrupt(logDir, /cut short by end of file/)
  })

  it('a missing, empty or renamed segment is WalCorruptError', async () => {
    const logDir = join(dir, 'orig')
    const {wal} = await openWal(logDir, {segmentBytes: 256})
    for (let i = 1n; i <= 20n; i++) await wal.append([entry(i)])
    const files = wal.segmentFiles()
    await wal.close()
    const backup = join(dir, 'backup')
    await rename(files[1], backup)
    await expectCorrupt(logDir, /sequence jumps from 1 to 3/)
    await rename(backup, files[1])

    // A file named as the next segment but empty.
    const next = join(logDir, segmentFileName({sequence: BigInt(files.length + 1), firstIndex: 21n}))
    await writeFile(next, Buffer.alloc(0))
    await expectCorrupt(logDir, /empty segment file/)
    await rm(next)

    // A segment copied under another name: its header disagrees.
    await copyFile(files[1], next)
    await expectCorrupt(logDir, /header says sequence 2/)
    await rm(next)
    assert.equal((await readdir(logDir)).length, files.length)
    const ok = await openWal(logDir)
    assert.equal(ok.contents.entries.length, 20)
    await ok.wal.close()
  })

  it('an index gap inside a segment is WalCorruptError', async () => {
    const records = [entry(1n), entry(2n), entry(4n)].map(encodeEntry)
    const recordsBytes = records.reduce((sum, r) => sum + r.length, 0)
    const header = encodeSegmentHeader({sequence: 1n, firstIndex: 1n})
    const batch = encodeBatch(recordsBytes, header.length)
    const content = Buffer.concat([header, batch, ...records, encodeBatch(0, header.length + batch.length + recordsBytes)])
    const logDir = await logWith(segmentFileName({sequence: 1n, firstIndex: 1n}), content)
    const error = await expectCorrupt(logDir, /entry index 4 follows index 2: the log has a gap/)
    assert.equal(error.offset, header.length + batch.length + records[0].length + records[1].length)
  })
})
