// The log's behaviour through its public API: round trips, replay rules, rotation, release,
// group commit and shutdown.
import assert from 'node:assert/strict'
import {readdir, stat} from 'node:fs/promises'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {EtcdError, ErrorMessage} from '../../../src/api/errors.js'
import {openWal} from '../../../src/engine/wal/wal.js'
import {entries, entry, summarize, tempDir} from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => ({dir, cleanup} = await tempDir()))
afterEach(() => cleanup())

describe('wal', () => {
  it('returns what was appended after a reopen', async () => {
    const first = await openWal(dir)
    assert.deepEqual(first.contents, {entries: [], hardState: undefined})
    await first.wal.append(entries(1n, 3n))
    await first.wal.append([entry(4n, 2n)])
    await first.wal.close()

    const second = await openWal(dir)
    assert.deepEqual(summarize(second.contents.entries), summarize([...entries(1n, 3n), entry(4n, 2n)]))
    assert.equal(second.wal.stats.tornBytesCut, 0)
    await second.wal.close()
  })

  it('appends more after a reopen, and keeps everything', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 5n))
    await a.wal.close()
    const b = await openWal(dir)
    await b.wal.append(entries(6n, 9n))
    await b.wal.close()
    const c = await openWal(dir)
    assert.deepEqual(summarize(c.contents.entries), summarize(entries(1n, 9n)))
    assert.equal(c.wal.lastIndex, 9n)
    await c.wal.close()
  })

  it('continues after a snapshot past its end (restartAt): replay from the snapshot index takes the jump', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 5n))
    await a.wal.restartAt(21n)
    assert.equal(a.wal.lastIndex, 20n)
    await a.wal.append(entries(21n, 23n))
    await a.wal.releaseTo(20n)
    await a.wal.close()
    const b = await openWal(dir, {fromIndex: 20n})
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(21n, 23n)))
    await b.wal.close()
  })

  it('restartAt inside what is written changes nothing: the next append replaces the rest', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 8n, 1n))
    await a.wal.restartAt(6n)
    assert.equal(a.wal.lastIndex, 8n)
    await a.wal.append(entries(6n, 6n, 2n, 'new'))
    await a.wal.close()
    const b = await openWal(dir, {fromIndex: 5n})
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(6n, 6n, 2n, 'new')))
    await b.wal.close()
  })

  it('replays only entries after fromIndex', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 10n))
    await a.wal.close()
    const b = await openWal(dir, {fromIndex: 7n})
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(8n, 10n)))
    await b.wal.close()
    const c = await openWal(dir, {fromIndex: 10n})
    assert.deepEqual(c.contents.entries, [])
    await c.wal.close()
  })

  it('replaces a conflicting suffix: the latest record for an index wins and later ones go', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 6n, 1n))
    await a.wal.append(entries(4n, 5n, 2n, 'new')) // replaces 4..6
    assert.equal(a.wal.lastIndex, 5n)
    await a.wal.close()
    const b = await openWal(dir)
    assert.deepEqual(summarize(b.contents.entries), summarize([...entries(1n, 3n, 1n), ...entries(4n, 5n, 2n, 'new')]))
    // A replacement at or below fromIndex drops every later entry too.
    await b.wal.append([entry(2n, 3n, 'again')])
    await b.wal.close()
    const c = await openWal(dir, {fromIndex: 1n})
    assert.deepEqual(summarize(c.contents.entries), summarize([entry(2n, 3n, 'again')]))
    await c.wal.close()
  })

  it('refuses an append that would leave a gap', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 2n))
    await assert.rejects(() => a.wal.append([entry(4n)]), /gap/)
    await assert.rejects(() => a.wal.append([entry(3n), entry(5n)]), /consecutive/)
    await a.wal.close()
  })

  it('keeps the last hard state, with or without entries', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 2n), {term: 1n, vote: 1n, commit: 1n})
    await a.wal.append([], {term: 2n, vote: 3n, commit: 2n})
    await a.wal.close()
    const b = await openWal(dir, {fromIndex: 2n})
    assert.deepEqual(b.contents.hardState, {term: 2n, vote: 3n, commit: 2n})
    assert.deepEqual(b.contents.entries, [])
    await b.wal.close()
  })

  it('rotates segments at segmentBytes and releases whole segments below an index', async () => {
    const a = await openWal(dir, {segmentBytes: 1024})
    for (let i = 1n; i <= 100n; i++) await a.wal.append([entry(i)], {term: 1n, vote: 0n, commit: i})
    const files = a.wal.segmentFiles()
    assert.ok(files.length > 5, `expected several segments, got ${files.length}`)
    for (const file of files.slice(0, -1)) assert.ok((await stat(file)).size <= 1024)
    assert.deepEqual((await readdir(dir)).sort(), files.map((f) => f.slice(dir.length + 1)))

    await a.wal.releaseTo(50n)
    const kept = a.wal.segmentFiles()
    assert.ok(kept.length < files.length && kept.length > 1)
    assert.equal(a.wal.stats.segmentsRemoved, files.length - kept.length)
    assert.deepEqual((await readdir(dir)).sort(), kept.map((f) => f.slice(dir.length + 1)))
    // Releasing everything keeps the segment being written.
    await a.wal.releaseTo(1000n)
    assert.equal(a.wal.segmentFiles().length, 1)
    await a.wal.close()

    // The hard state survives in the last segment; entries after the release point are all there.
    const b = await openWal(dir, {fromIndex: 100n, segmentBytes: 1024})
    assert.deepEqual(b.contents.hardState, {term: 1n, vote: 0n, commit: 100n})
    await b.wal.append([entry(101n)])
    await b.wal.close()
    const c = await openWal(dir, {fromIndex: 100n})
    assert.deepEqual(summarize(c.contents.entries), summarize([entry(101n)]))
    await c.wal.close()
  })

  it('after a partial release, replays from the release point', async () => {
    const a = await openWal(dir, {segmentBytes: 512})
    for (let i = 1n; i <= 60n; i++) await a.wal.append([entry(i)])
    await a.wal.releaseTo(30n)
    await a.wal.close()
    const b = await openWal(dir, {fromIndex: 30n})
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(31n, 60n)))
    await b.wal.close()
    await assert.rejects(() => openWal(dir, {fromIndex: 0n}), {name: 'WalCorruptError', message: /segments before .* are missing/})
  })

  it('continues past a snapshot when fromIndex is beyond the end of the log', async () => {
    const a = await openWal(dir)
    await a.wal.append(entries(1n, 3n))
    await a.wal.close()
    const b = await openWal(dir, {fromIndex: 10n})
    assert.deepEqual(b.contents.entries, [])
    assert.equal(b.wal.lastIndex, 10n)
    await b.wal.append(entries(11n, 12n))
    await b.wal.close()
    const c = await openWal(dir, {fromIndex: 10n})
    assert.deepEqual(summarize(c.contents.entries), summarize(entries(11n, 12n)))
    await c.wal.close()
    await assert.rejects(() => openWal(dir, {fromIndex: 2n}), {name: 'WalCorruptError', message: /starts at index 11 but the log before it ends at 3/})
  })

  it('group-commits concurrent appends: 100 appenders, far fewer syncs', async () => {
    const a = await openWal(dir)
    const syncsBefore = a.wal.stats.fileSyncs
    await Promise.all(Array.from({length: 100}, (_, i) => a.wal.append([entry(BigInt(i + 1))])))
    const syncs = a.wal.stats.fileSyncs - syncsBefore
    assert.ok(syncs <= 3, `100 concurrent appends took ${syncs} fdatasyncs`)
    assert.equal(a.wal.stats.batches + a.wal.stats.growWrites, syncs)
    await a.wal.close()
    const b = await openWal(dir)
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(1n, 100n)))
    await b.wal.close()
  })

  it('has two writes on their way at once, and acknowledges them in order', async () => {
    const a = await openWal(dir, {inlineWriteMaxMs: 0})
    await a.wal.append([entry(1n)]) // grows the segment: later writes need no room made
    const heard: bigint[] = []
    const second = a.wal.append([entry(2n)]).then(() => heard.push(2n))
    await Promise.resolve()
    assert.ok(a.wal.canStartWrite, 'one write in flight leaves room for another')
    const third = a.wal.append(entries(3n, 4n)).then(() => heard.push(3n))
    await Promise.resolve()
    assert.ok(!a.wal.canStartWrite, 'the second write started without waiting for the first')
    const fourth = a.wal.append([entry(5n)]).then(() => heard.push(5n)) // waits for a slot
    await Promise.all([second, third, fourth])
    assert.deepEqual(heard, [2n, 3n, 5n])
    assert.equal(a.wal.stats.batches, 4)
    await a.wal.close()
    const b = await openWal(dir)
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(1n, 5n)))
    await b.wal.close()

    // One write at a time when asked.
    const c = await openWal(dir, {maxWritesInFlight: 1, inlineWriteMaxMs: 0})
    await c.wal.append([entry(6n)])
    const seventh = c.wal.append([entry(7n)])
    await Promise.resolve()
    assert.ok(!c.wal.canStartWrite)
    await seventh
    await c.wal.close()
  })

  it('writes on its own thread when idle: one batch for the appends of a turn, the rest through the pool', async () => {
    // no write is too slow to be inline here, however busy the machine
    const a = await openWal(dir, {inlineWriteMaxMs: 60_000})
    await a.wal.append([entry(1n)]) // grows the segment: later writes need no room made
    const before = {...a.wal.stats}
    for (let i = 2n; i <= 6n; i++) await a.wal.append([entry(i)])
    assert.equal(a.wal.stats.inlineWrites - before.inlineWrites, 5, 'each lone append on an idle log is written inline')
    assert.equal(a.wal.stats.batches - before.batches, 5)

    // appends made in one turn share one inline batch, written once the turn is over
    const sameTurn = [a.wal.append([entry(7n)]), a.wal.append([entry(8n)]), a.wal.append(entries(9n, 10n))]
    await Promise.resolve()
    assert.ok(a.wal.canStartWrite, 'nothing is written before the turn ends')
    await Promise.all(sameTurn)
    assert.equal(a.wal.stats.inlineWrites - before.inlineWrites, 6)
    assert.equal(a.wal.stats.batches - before.batches, 6)

    // a log that never writes inline sends them all to the pool
    await a.wal.close()
    const b = await openWal(dir, {inlineWriteMaxMs: 0})
    await b.wal.append([entry(11n)])
    await b.wal.append([entry(12n)])
    assert.equal(b.wal.stats.inlineWrites, 0)
    assert.equal(b.wal.stats.batches, 2)
    await b.wal.close()
    const c = await openWal(dir)
    assert.deepEqual(summarize(c.contents.entries), summarize(entries(1n, 12n)))
    await c.wal.close()
  })

  it('hands its writes to the pool once a write was slower than the inline limit', async () => {
    // every real write takes longer than a nanosecond: after the first, none is inline
    const a = await openWal(dir, {inlineWriteMaxMs: 1e-6})
    for (let i = 1n; i <= 4n; i++) await a.wal.append([entry(i)])
    assert.equal(a.wal.stats.batches, 4)
    assert.ok(a.wal.stats.inlineWrites <= 1, `${a.wal.stats.inlineWrites} inline writes after a slow one`)
    await a.wal.close()
    const b = await openWal(dir)
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(1n, 4n)))
    await b.wal.close()
  })

  it('bounds the queue: appends past it wait, and still land in call order', async () => {
    const a = await openWal(dir, {maxQueueEntries: 4})
    const done: number[] = []
    await Promise.all(
      Array.from({length: 40}, (_, i) => a.wal.append([entry(BigInt(i + 1))]).then(() => done.push(i + 1))),
    )
    assert.deepEqual(done, Array.from({length: 40}, (_, i) => i + 1))
    // At most 4 per batch (unbounded, all 40 would share one).
    assert.ok(a.wal.stats.batches >= 40 / 4, `only ${a.wal.stats.batches} batches for 40 appends of a queue of 4`)
    await a.wal.close()
    const b = await openWal(dir)
    assert.deepEqual(summarize(b.contents.entries), summarize(entries(1n, 40n)))
    await b.wal.close()
  })

  it('close waits for pending appends; append after close fails with server stopped', async () => {
    const a = await openWal(dir)
    const pending = Promise.all(Array.from({length: 20}, (_, i) => a.wal.append([entry(BigInt(i + 1))])))
    await a.wal.close()
    await pending
    await assert.rejects(
      () => a.wal.append([entry(21n)]),
      (error: unknown) => error instanceof EtcdError && error.message === ErrorMessage.stopped,
    )
    const b = await openWal(dir)
    assert.equal(b.contents.entries.length, 20)
    await b.wal.close()
  })
})
