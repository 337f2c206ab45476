import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {ErrorMessage} from '../../../src/api/errors.js'
import {WatchCreateRequest_FilterType, WatchResponse, type WatchResponse as WatchResponseType} from '../../../src/api/proto/rpc.js'
import {fragmentResponse, STREAM_WATCH_ID, WatchCancelReason} from '../../../src/engine/mvcc/watch-stream.js'
import {b, op, internal, putReq, txnReq} from './helpers.js'
import {create, drain, events, show, WatchHarness} from './watch-helpers.js'

let h: WatchHarness

beforeEach(() => {
  h = WatchHarness.open({catchUpChunkRevisions: 3})
})

afterEach(async () => {
  await h.destroy()
})

/** The responses that carry events. */
const withEvents = (rs: WatchResponseType[]) => rs.filter((r) => r.events.length > 0)

describe('watch: creating and matching', () => {
  it('answers created first, assigns ids from 0, and streams later writes from the current revision', async () => {
    h.put('a', '1')
    const s = h.stream()
    s.send(create({key: b('a')}))
    s.send(create({key: b('b')}))
    const created = drain(s)
    assert.deepEqual(
      created.map((r) => [r.watchId, r.created, r.canceled, r.header!.revision]),
      [
        [0n, true, false, 2n],
        [1n, true, false, 2n],
      ],
    )
    h.put('a', '2')
    h.put('b', '1')
    h.put('c', '1')
    const rs = drain(s)
    assert.deepEqual(
      rs.map((r) => [r.watchId, r.header!.revision, r.events.map(show)]),
      [
        [0n, 3n, ['PUT a=2@3']],
        [1n, 4n, ['PUT b=1@4']],
      ],
    )
    assert.equal(rs[0]!.header!.clusterId, 11n)
  })

  it('matches one key, a range [key, end), every key from key on (range_end \\0), and the empty key as \\0', () => {
    const s = h.stream()
    s.send(create({key: b('b')}))
    s.send(create({key: b('b'), rangeEnd: b('c')}))
    s.send(create({key: b('b'), rangeEnd: b('\0')}))
    s.send(create({key: Buffer.alloc(0), rangeEnd: b('\0')}))
    drain(s)
    for (const key of ['a', 'b', 'b\0', 'bz', 'c', '\xff']) h.put(key, 'v')
    const byId = new Map<bigint, string[]>()
    for (const r of drain(s)) byId.set(r.watchId, [...(byId.get(r.watchId) ?? []), ...r.events.map((e) => e.kv!.key.toString('latin1'))])
    assert.deepEqual(byId.get(0n), ['b'])
    assert.deepEqual(byId.get(1n), ['b', 'b\0', 'bz'])
    assert.deepEqual(byId.get(2n), ['b', 'b\0', 'bz', 'c', '\xff'])
    assert.deepEqual(byId.get(3n), ['a', 'b', 'b\0', 'bz', 'c', '\xff'])
  })

  it('uses the id the request gives, refuses a duplicate, an empty range and a negative start', () => {
    const s = h.stream()
    s.send(create({key: b('a'), watchId: 1n}))
    s.send(create({key: b('a'), watchId: 1n}))
    s.send(create({key: b('a')}))
    s.send(create({key: b('a')}))
    s.send(create({key: b('b'), rangeEnd: b('a')}))
    s.send(create({key: b('b'), rangeEnd: b('b')}))
    s.send(create({key: b('a'), startRevision: -3n}))
    const rs = drain(s)
    assert.deepEqual(
      rs.map((r) => [r.watchId, r.created, r.canceled, r.cancelReason]),
      [
        [1n, true, false, ''],
        [-1n, true, true, WatchCancelReason.duplicateId],
        [0n, true, false, ''],
        [2n, true, false, ''],
        [-1n, true, true, WatchCancelReason.emptyRange],
        [-1n, true, true, WatchCancelReason.emptyRange],
        [-1n, true, true, ErrorMessage.compacted],
      ],
    )
    assert.equal(WatchCancelReason.duplicateId, 'mvcc: duplicate watch ID provided on the WatchStream')
    assert.equal(WatchCancelReason.emptyRange, 'mvcc: watcher range is empty')
  })

  it('puts every event of one revision in one response (a txn writing several keys)', () => {
    const s = h.stream()
    s.send(create({key: b('a'), rangeEnd: b('\0')}))
    drain(s)
    h.apply(internal({txn: txnReq([], [op.put('a', '1'), op.put('b', '1'), op.put('c', '1'), op.del('b')])}))
    const rs = drain(s)
    assert.equal(rs.length, 1)
    assert.deepEqual(events(rs), ['PUT a=1@2', 'PUT b=1@2', 'PUT c=1@2', 'DELETE b@2'])
  })

  it('gives one response per batch of writes, in revision order', () => {
    const s = h.stream()
    s.send(create({key: b('k')}))
    drain(s)
    h.apply(internal({put: putReq('k', '1')}), internal({put: putReq('x', '1')}), internal({put: putReq('k', '2')}))
    const rs = drain(s)
    assert.equal(rs.length, 1)
    assert.deepEqual(events(rs), ['PUT k=1@2', 'PUT k=2@4'])
    assert.equal(rs[0]!.header!.revision, 4n)
  })
})

describe('watch: start revisions', () => {
  it('replays history from a past revision, then follows live writes with no gap and no duplicate', async () => {
    for (let i = 1; i <= 10; i++) h.put(i % 2 === 0 ? 'a' : 'b', String(i)) // revisions 2..11
    const s = h.stream()
    s.send(create({key: b('a'), startRevision: 4n}))
    // A write lands before the catch-up loop has run: it must come once, after the history.
    h.put('a', 'live1')
    await h.settle()
    h.put('a', 'live2')
    const rs = drain(s)
    assert.equal(rs[0]!.created, true)
    assert.deepEqual(events(rs), ['PUT a=4@5', 'PUT a=6@7', 'PUT a=8@9', 'PUT a=10@11', 'PUT a=live1@12', 'PUT a=live2@13'])
  })

  it('starting at the current revision includes that revision', async () => {
    h.put('a', '1')
    const rev = h.put('a', '2')
    const s = h.stream()
    s.send(create({key: b('a'), startRevision: BigInt(rev)}))
    await h.settle()
    assert.deepEqual(events(drain(s)), ['PUT a=2@3'])
  })

  it('a future start revision waits until the store reaches it', async () => {
    const s = h.stream()
    s.send(create({key: b('a'), startRevision: 5n}))
    await h.settle()
    h.put('a', '1') // 2
    h.put('a', '2') // 3
    h.put('a', '3') // 4
    assert.deepEqual(events(drain(s)), [])
    h.put('a', '4') // 5
    h.put('a', '5') // 6
    assert.deepEqual(events(drain(s)), ['PUT a=4@5', 'PUT a=5@6'])
  })

  it('a history longer than one catch-up chunk comes in whole revisions', async () => {
    h.apply(internal({txn: txnReq([], [op.put('a', '1'), op.put('b', '1')])})) // 2
    for (let i = 0; i < 8; i++) h.apply(internal({txn: txnReq([], [op.put('a', `x${i}`), op.put('b', `y${i}`)])}))
    const s = h.stream()
    s.send(create({key: b('a'), rangeEnd: b('c'), startRevision: 1n}))
    await h.settle()
    const rs = withEvents(drain(s))
    assert.ok(rs.length >= 3, 'several chunks')
    const revisionsSeen = new Map<bigint, number>()
    rs.forEach((r, i) => {
      for (const ev of r.events) {
        const at = revisionsSeen.get(ev.kv!.modRevision)
        assert.ok(at === undefined || at === i, `revision ${ev.kv!.modRevision} split across responses`)
        revisionsSeen.set(ev.kv!.modRevision, i)
      }
    })
    assert.equal(events(rs).length, 18)
  })
})

describe('watch: options', () => {
  it('prev_kv gives the key as it was before each event, live and from history', async () => {
    h.put('a', '1') // 2
    h.put('a', '2') // 3
    h.del('a') // 4
    const s = h.stream()
    s.send(create({key: b('a'), prevKv: true, startRevision: 2n}))
    await h.settle()
    h.put('a', '3') // 5
    h.put('a', '4') // 6
    const evs = drain(s).flatMap((r) => r.events)
    assert.deepEqual(
      evs.map((e) => [show(e), e.prevKv === undefined ? '-' : `${e.prevKv.value.toString()}@${e.prevKv.modRevision}`]),
      [
        ['PUT a=1@2', '-'],
        ['PUT a=2@3', '1@2'],
        ['DELETE a@4', '2@3'],
        ['PUT a=3@5', '-'],
        ['PUT a=4@6', '3@5'],
      ],
    )
  })

  it('filters NOPUT and NODELETE', () => {
    const s = h.stream()
    s.send(create({key: b('a'), filters: [WatchCreateRequest_FilterType.NOPUT]}))
    s.send(create({key: b('a'), filters: [WatchCreateRequest_FilterType.NODELETE]}))
    drain(s)
    h.put('a', '1')
    h.del('a')
    const rs = drain(s)
    assert.deepEqual(
      rs.map((r) => [r.watchId, r.events.map(show)]),
      [
        [1n, ['PUT a=1@2']],
        [0n, ['DELETE a@3']],
      ],
    )
  })

  it('fragment splits a response larger than the request limit, fragment: true on all but the last', () => {
    const s = h.stream({maxRequestBytes: 300})
    s.send(create({key: b('k'), rangeEnd: b('l'), fragment: true}))
    s.send(create({key: b('k'), rangeEnd: b('l')}))
    drain(s)
    const big = 'v'.repeat(100)
    h.apply(internal({txn: txnReq([], [0, 1, 2, 3, 4, 5].map((i) => op.put(`k${i}`, big)))}))
    const rs = drain(s)
    const fragmented = rs.filter((r) => r.watchId === 0n)
    const whole = rs.filter((r) => r.watchId === 1n)
    assert.equal(whole.length, 1)
    assert.ok(fragmented.length >= 3)
    assert.deepEqual(
      fragmented.map((r) => r.fragment),
      fragmented.map((_, i) => i < fragmented.length - 1),
    )
    for (const piece of fragmented) assert.ok(WatchResponse.encode(piece).finish().length < 300 || piece.events.length === 1)
    assert.deepEqual(events(fragmented), events(whole))
  })

  it('fragmentResponse leaves a small response or a single event whole', () => {
    const one: WatchResponseType = {
      header: undefined,
      watchId: 1n,
      created: false,
      canceled: false,
      compactRevision: 0n,
      cancelReason: '',
      fragment: false,
      events: [{type: 0, kv: {key: b('k'), value: Buffer.alloc(1000), createRevision: 2n, modRevision: 2n, version: 1n, lease: 0n}, prevKv: undefined}],
    }
    assert.deepEqual(fragmentResponse(one, 10), [one])
    const two = {...one, events: [one.events[0]!, one.events[0]!]}
    assert.deepEqual(fragmentResponse(two, 100_000), [two])
    const split = fragmentResponse(two, 10)
    assert.deepEqual(
      split.map((r) => [r.events.length, r.fragment]),
      [
        [1, true],
        [1, false],
      ],
    )
  })
})

describe('watch: cancel and compaction', () => {
  it('cancel answers canceled: true and stops the events; an unknown id gets no answer', () => {
    const s = h.stream()
    s.send(create({key: b('a')}))
    drain(s)
    h.put('a', '1')
    s.send({cancelRequest: {watchId: 0n}})
    s.send({cancelRequest: {watchId: 7n}})
    h.put('a', '2')
    const rs = drain(s)
    assert.deepEqual(
      rs.map((r) => [r.watchId, r.canceled, r.events.map(show)]),
      [
        [0n, false, ['PUT a=1@2']],
        [0n, true, []],
      ],
    )
    assert.deepEqual(h.store.watcherCounts(), {synced: 0, unsynced: 0, victims: 0})
  })

  it('a watcher starting below the compacted revision is created, then canceled with compact_revision', async () => {
    for (let i = 0; i < 5; i++) h.put('a', String(i)) // 2..6
    h.compact(4)
    const s = h.stream()
    s.send(create({key: b('a'), startRevision: 3n}))
    s.send(create({key: b('a'), startRevision: 4n}))
    await h.settle()
    const rs = drain(s)
    assert.deepEqual(
      rs.map((r) => [r.watchId, r.created, r.canceled, r.compactRevision, r.header!.revision, r.events.map(show)]),
      [
        [0n, true, false, 0n, 6n, []],
        [1n, true, false, 0n, 6n, []],
        // As etcd: no cancel_reason, and a header without a revision.
        [0n, false, true, 4n, 0n, []],
        [1n, false, false, 0n, 6n, ['PUT a=2@4', 'PUT a=3@5', 'PUT a=4@6']],
      ],
    )
    assert.equal(rs[2]!.cancelReason, '')
  })

  it('compacting past an unsynced watcher cancels it with the compaction revision', async () => {
    for (let i = 0; i < 20; i++) h.put('a', String(i)) // 2..21
    const s = h.stream({maxBufferedResponses: 1})
    s.send(create({key: b('a'), startRevision: 2n}))
    drain(s)
    await h.settle() // one chunk (3 revisions) taken, then its buffer is full
    assert.deepEqual(h.store.watcherCounts(), {synced: 0, unsynced: 1, victims: 0})
    h.compact(10)
    const rs = drain(s)
    assert.deepEqual(events(rs), ['PUT a=0@2', 'PUT a=1@3', 'PUT a=2@4'])
    assert.deepEqual(
      rs.slice(-1).map((r) => [r.watchId, r.canceled, r.compactRevision]),
      [[0n, true, 10n]],
    )
    assert.deepEqual(h.store.watcherCounts(), {synced: 0, unsynced: 0, victims: 0})
  })

  it('a slow synced watcher keeps the events it could not take, whatever compaction does meanwhile', async () => {
    const s = h.stream({maxBufferedResponses: 1})
    s.send(create({key: b('a')}))
    drain(s)
    h.put('a', '1') // taken (buffer now full)
    h.put('a', '2') // refused: the watcher becomes a victim holding it
    assert.deepEqual(h.store.watcherCounts(), {synced: 0, unsynced: 0, victims: 1})
    h.put('a', '3') // 4: not delivered while a victim
    h.put('b', '1') // 5
    h.compact(5)
    const rs: WatchResponseType[] = []
    for (let i = 0; i < 5; i++) {
      rs.push(...drain(s))
      await h.settle()
    }
    assert.deepEqual(events(rs), ['PUT a=1@2', 'PUT a=2@3'])
    assert.deepEqual(
      rs.slice(-1).map((r) => [r.canceled, r.compactRevision]),
      [[true, 5n]],
    )
  })
})

describe('watch: progress', () => {
  it('a progress request is answered with watch id -1 and the current revision when all watchers are synced', () => {
    h.put('a', '1')
    const s = h.stream()
    s.send({progressRequest: {}})
    s.send(create({key: b('a')}))
    s.send({progressRequest: {}})
    const rs = drain(s)
    assert.deepEqual(
      rs.map((r) => [r.watchId, r.created, r.header!.revision]),
      [
        [STREAM_WATCH_ID, false, 2n],
        [0n, true, 2n],
        [STREAM_WATCH_ID, false, 2n],
      ],
    )
  })

  it('a progress request waits until every watcher has caught up, and never overtakes an event', async () => {
    for (let i = 0; i < 10; i++) h.put('a', String(i)) // 2..11
    const s = h.stream()
    s.send(create({key: b('a'), startRevision: 2n}))
    s.send({progressRequest: {}})
    assert.deepEqual(
      drain(s).map((r) => r.watchId),
      [0n],
    )
    await h.settle()
    const rs = drain(s)
    const last = rs[rs.length - 1]!
    assert.equal(last.watchId, STREAM_WATCH_ID)
    assert.equal(last.header!.revision, 11n)
    assert.equal(events(rs).length, 10)
  })

  it('progress_notify sends the revision to idle synced watchers at each tick', () => {
    let tick: (() => void) | undefined
    let cleared = false
    const timers = {
      setInterval: (callback: () => void, ms: number) => {
        assert.equal(ms, 600_000)
        tick = callback
        return 1
      },
      clearInterval: () => {
        cleared = true
      },
    }
    const s = h.stream({timers})
    s.send(create({key: b('a'), progressNotify: true}))
    s.send(create({key: b('b'), progressNotify: true}))
    s.send(create({key: b('c')}))
    drain(s)
    assert.ok(tick !== undefined)
    h.put('x', '1') // 2
    tick()
    assert.deepEqual(
      drain(s).map((r) => [r.watchId, r.header!.revision, r.events.length]),
      [
        [0n, 2n, 0],
        [1n, 2n, 0],
      ],
    )
    h.put('a', '1') // 3: watcher 0 is not idle until the next tick
    drain(s)
    tick()
    assert.deepEqual(
      drain(s).map((r) => [r.watchId, r.header!.revision]),
      [[1n, 3n]],
    )
    tick()
    assert.deepEqual(
      drain(s).map((r) => r.watchId),
      [0n, 1n],
    )
    s.close()
    assert.ok(cleared)
  })
})

describe('watch: slow readers and closing', () => {
  it('a reader that never reads does not block 10,000 writes, and later receives every event in order', async () => {
    const s = h.stream({maxBufferedResponses: 16})
    s.send(create({key: b('k'), rangeEnd: b('l')}))
    drain(s)
    const started = performance.now()
    for (let i = 0; i < 10_000; i++) {
      h.put(`k${i % 7}`, String(i))
      if (i % 1000 === 0) await h.settle(2) // the catch-up loop gets turns, as in a real server
    }
    const writeMs = performance.now() - started
    assert.ok(s.queuedResponses <= 16 + 1, `bounded buffer: ${s.queuedResponses} responses waiting`)
    const got: string[] = []
    for (let round = 0; round < 10_000 && got.length < 10_000; round++) {
      for (const r of drain(s)) got.push(...r.events.map((e) => e.kv!.value.toString()))
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    assert.equal(got.length, 10_000)
    assert.deepEqual(
      got,
      Array.from({length: 10_000}, (_, i) => String(i)),
    )
    assert.deepEqual(h.store.watcherCounts(), {synced: 1, unsynced: 0, victims: 0})
    assert.ok(writeMs < 20_000, `writes took ${writeMs} ms`)
  })

  it('the async iterator yields responses as they come and ends on close', async () => {
    const s = h.stream()
    s.send(create({key: b('a')}))
    const seen: string[] = []
    const reading = (async () => {
      for await (const r of s) {
        seen.push(r.created ? 'created' : r.events.map(show).join())
        if (seen.length === 3) s.close()
      }
    })()
    h.put('a', '1')
    await new Promise<void>((resolve) => setImmediate(resolve))
    h.put('a', '2')
    await reading
    assert.deepEqual(seen, ['created', 'PUT a=1@2', 'PUT a=2@3'])
    assert.deepEqual(h.store.watcherCounts(), {synced: 0, unsynced: 0, victims: 0})
  })

  it('closing the store ends every stream with "server stopped"', async () => {
    const s = h.stream()
    s.send(create({key: b('a')}))
    const reading = (async () => {
      const seen: boolean[] = []
      for await (const r of s) seen.push(r.created)
      return seen
    })()
    await new Promise<void>((resolve) => setImmediate(resolve))
    const ended = assert.rejects(reading, {message: ErrorMessage.stopped})
    await h.store.close()
    await ended
    assert.throws(() => h.stream(), {message: ErrorMessage.stopped})
  })
})
