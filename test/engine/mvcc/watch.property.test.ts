// Property: random writes (puts, deletes, delete ranges, txns of several writes; applied alone
// or several to a batch), compactions, and watchers created at random points with random
// ranges, start revisions (past, now, future, compacted), filters and prev_kv, read by readers
// that fall behind. In the end every watcher has received exactly the events of the store's
// history that match it, from its start revision, in order, once, each revision whole in one
// response; or it was cancelled for a compaction it could not have caught up with.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import fc from 'fast-check'
import type {InternalRequest} from '../../../src/api/proto/internal.js'
import {Event_EventType, type Event, type KeyValue} from '../../../src/api/proto/kv.js'
import {WatchCreateRequest_FilterType, type RequestOp, type WatchResponse} from '../../../src/api/proto/rpc.js'
import {validateRequest} from '../../../src/engine/mvcc/validate.js'
import type {ServerWatchStream} from '../../../src/engine/mvcc/watch-stream.js'
import {b, delReq, internal, op, putReq, txnReq} from './helpers.js'
import {create, WatchHarness} from './watch-helpers.js'

const KEYS = ['a', 'ab', 'b', 'b\xff', 'c', 'd']
const keyArb = fc.constantFrom(...KEYS)
const endArb = fc.constantFrom(undefined, '\0', 'b', 'c', 'e', 'a')
const STREAMS = 3

type WriteCmd =
  | {kind: 'put'; key: string; value: string}
  | {kind: 'del'; key: string; end: string | undefined}
  | {kind: 'txn'; ops: ({put: string; value: string} | {del: string; end: string | undefined})[]}
type Cmd =
  | {kind: 'write'; write: WriteCmd; flush: boolean}
  | {kind: 'compact'; fraction: number; flush: boolean}
  | {
      kind: 'watch'
      stream: number
      key: string
      end: string | undefined
      start: number | 'now'
      prevKv: boolean
      filter: 'none' | 'noPut' | 'noDelete'
    }
  | {kind: 'read'; stream: number; count: number}
  | {kind: 'cancel'; stream: number; which: number}
  | {kind: 'turn'}

const writeArb: fc.Arbitrary<WriteCmd> = fc.oneof(
  {weight: 4, arbitrary: fc.record({kind: fc.constant('put' as const), key: keyArb, value: fc.constantFrom('x', 'y', 'zz', '')})},
  {weight: 1, arbitrary: fc.record({kind: fc.constant('del' as const), key: keyArb, end: endArb})},
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('txn' as const),
      ops: fc.array(
        fc.oneof(
          fc.record({put: keyArb, value: fc.constantFrom('t1', 't2')}),
          fc.record({del: keyArb, end: endArb}),
        ),
        {minLength: 2, maxLength: 4},
      ),
    }),
  },
)

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {weight: 10, arbitrary: fc.record({kind: fc.constant('write' as const), write: writeArb, flush: fc.boolean()})},
  {weight: 1, arbitrary: fc.record({kind: fc.constant('compact' as const), fraction: fc.double({min: 0, max: 1, noNaN: true}), flush: fc.boolean()})},
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('watch' as const),
      stream: fc.nat(STREAMS - 1),
      key: keyArb,
      end: endArb,
      // A start revision relative to the store when the watcher is created: -1 = 0 (now).
      start: fc.oneof(fc.constant('now' as const), fc.integer({min: -12, max: 3})),
      prevKv: fc.boolean(),
      filter: fc.constantFrom('none' as const, 'none' as const, 'noPut' as const, 'noDelete' as const),
    }),
  },
  {weight: 4, arbitrary: fc.record({kind: fc.constant('read' as const), stream: fc.nat(STREAMS - 1), count: fc.integer({min: 1, max: 4})})},
  {weight: 1, arbitrary: fc.record({kind: fc.constant('cancel' as const), stream: fc.nat(STREAMS - 1), which: fc.nat(5)})},
  {weight: 3, arbitrary: fc.constant({kind: 'turn' as const})},
)

function toRequest(w: WriteCmd): InternalRequest {
  const end = (e: string | undefined) => e ?? ''
  switch (w.kind) {
    case 'put':
      return internal({put: putReq(w.key, w.value)})
    case 'del':
      return internal({deleteRange: delReq(w.key, end(w.end))})
    case 'txn': {
      const ops: RequestOp[] = w.ops.map((o) => ('put' in o ? op.put(o.put, o.value) : op.del(o.del, end(o.end))))
      return internal({txn: txnReq([], ops)})
    }
  }
}

interface WatcherRecord {
  stream: number
  id: bigint
  key: string
  end: string | undefined
  startRev: number
  prevKv: boolean
  filter: 'none' | 'noPut' | 'noDelete'
  /** Highest compaction applied when it was created. */
  compactedAtCreate: number
  cancelledByClient: boolean
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

function inRange(w: WatcherRecord, key: string): boolean {
  if (w.end === undefined) return key === w.key
  if (w.end === '\0') return key >= w.key
  return w.key <= key && key < w.end
}

function sameKv(actual: KeyValue, expected: KeyValue): boolean {
  return (
    actual.key.equals(expected.key) &&
    actual.value.equals(expected.value) &&
    actual.modRevision === expected.modRevision &&
    actual.createRevision === expected.createRevision &&
    actual.version === expected.version
  )
}

async function run(cmds: Cmd[], seedOpts: {buffer: number; chunk: number; perStep: number}): Promise<void> {
  // Physical compaction deletes 2 revisions per backend transaction, so it interleaves with catch-up steps.
  const h = WatchHarness.open({catchUpChunkRevisions: seedOpts.chunk, maxWatchersPerCatchUp: seedOpts.perStep}, {compactionChunkRevisions: 2})
  try {
    const streams: ServerWatchStream[] = []
    for (let i = 0; i < STREAMS; i++) streams.push(h.stream({maxBufferedResponses: seedOpts.buffer}))
    const received: WatchResponse[][] = streams.map(() => [])
    const watchers: WatcherRecord[] = []
    /** The store's history: every event of every applied write, in order. */
    const history: Event[] = []
    const compactions: number[] = []
    let pending: InternalRequest[] = []
    let lastCompaction = 0

    const flush = () => {
      if (pending.length === 0) return
      const results = h.apply(...pending)
      pending.forEach((req, i) => {
        const result = results[i]!
        if (!result.ok) return
        if (req.compaction !== undefined) compactions.push(Number(req.compaction.revision))
        history.push(...(result.events ?? []))
      })
      pending = []
    }
    const read = (s: number, count: number) => {
      for (let i = 0; i < count; i++) {
        const r = streams[s]!.tryNext()
        if (r === undefined) return
        received[s]!.push(r)
      }
    }

    for (const cmd of cmds) {
      switch (cmd.kind) {
        case 'write': {
          const req = toRequest(cmd.write)
          try {
            validateRequest(req)
          } catch {
            break // a request the member would refuse never reaches the store
          }
          pending.push(req)
          if (cmd.flush) flush()
          break
        }
        case 'compact': {
          const rev = Math.floor(cmd.fraction * h.store.currentRevision)
          if (rev <= lastCompaction) break
          lastCompaction = rev
          pending.push(internal({compaction: {revision: BigInt(rev), physical: false}}))
          if (cmd.flush) flush()
          break
        }
        case 'watch': {
          const current = h.store.currentRevision
          const start = cmd.start === 'now' ? 0 : Math.max(1, current + cmd.start)
          const stream = streams[cmd.stream]!
          stream.send(
            create({
              key: b(cmd.key),
              rangeEnd: cmd.end === undefined ? Buffer.alloc(0) : b(cmd.end),
              startRevision: BigInt(start),
              prevKv: cmd.prevKv,
              filters:
                cmd.filter === 'noPut'
                  ? [WatchCreateRequest_FilterType.NOPUT]
                  : cmd.filter === 'noDelete'
                    ? [WatchCreateRequest_FilterType.NODELETE]
                    : [],
            }),
          )
          if (cmd.end !== undefined && cmd.end !== '\0' && cmd.key >= cmd.end) break // refused: empty range
          const id = BigInt(watchers.filter((w) => w.stream === cmd.stream).length)
          watchers.push({
            stream: cmd.stream,
            id,
            key: cmd.key,
            end: cmd.end,
            startRev: start === 0 ? current + 1 : start,
            prevKv: cmd.prevKv,
            filter: cmd.filter,
            compactedAtCreate: h.store.compactRevision,
            cancelledByClient: false,
          })
          break
        }
        case 'read':
          read(cmd.stream, cmd.count)
          break
        case 'cancel': {
          const mine = watchers.filter((w) => w.stream === cmd.stream && !w.cancelledByClient)
          const w = mine[cmd.which % Math.max(1, mine.length)]
          if (w === undefined) break
          w.cancelledByClient = true
          streams[cmd.stream]!.send({cancelRequest: {watchId: w.id}})
          break
        }
        case 'turn':
          await turn()
          break
      }
    }
    flush()
    // Readers now keep up: let every watcher catch up.
    for (let i = 0; i < 2000; i++) {
      for (let s = 0; s < STREAMS; s++) read(s, Number.MAX_SAFE_INTEGER)
      const counts = h.store.watcherCounts()
      if (counts.unsynced === 0 && counts.victims === 0) break
      await turn()
    }
    for (let s = 0; s < STREAMS; s++) read(s, Number.MAX_SAFE_INTEGER)
    assert.deepEqual({...h.store.watcherCounts(), synced: 0}, {synced: 0, unsynced: 0, victims: 0}, 'every watcher caught up')

    for (const w of watchers) checkWatcher(w, received[w.stream]!, history, compactions)
  } finally {
    await h.destroy()
  }
}

function checkWatcher(w: WatcherRecord, responses: WatchResponse[], history: Event[], compactions: number[]): void {
  const label = `watcher ${w.id} of stream ${w.stream} on [${JSON.stringify(w.key)}, ${JSON.stringify(w.end)}) from ${w.startRev}`
  const mine = responses.filter((r) => r.watchId === w.id)
  assert.ok(mine.length > 0 && mine[0]!.created && !mine[0]!.canceled, `${label}: created first`)
  const rest = mine.slice(1)
  const cancelAt = rest.findIndex((r) => r.canceled)
  assert.ok(cancelAt === -1 || cancelAt === rest.length - 1, `${label}: nothing after its cancel`)
  const cancel = cancelAt === -1 ? undefined : rest[cancelAt]
  const eventResponses = cancelAt === -1 ? rest : rest.slice(0, cancelAt)
  if (!w.cancelledByClient) assert.ok(cancel === undefined || cancel.compactRevision > 0n, `${label}: canceled only by a compaction`)

  // Each revision whole in one response, and a header at or past its events.
  const responseOfRev = new Map<bigint, number>()
  eventResponses.forEach((r, i) => {
    for (const ev of r.events) {
      const rev = ev.kv!.modRevision
      assert.ok(responseOfRev.get(rev) === undefined || responseOfRev.get(rev) === i, `${label}: revision ${rev} split`)
      responseOfRev.set(rev, i)
      assert.ok(r.header!.revision >= rev, `${label}: header behind its events`)
    }
  })

  const got = eventResponses.flatMap((r) => r.events)
  const expected = history.filter(
    (ev) =>
      Number(ev.kv!.modRevision) >= w.startRev &&
      inRange(w, ev.kv!.key.toString('latin1')) &&
      !(w.filter === 'noPut' && ev.type === Event_EventType.PUT) &&
      !(w.filter === 'noDelete' && ev.type === Event_EventType.DELETE),
  )
  // Walk both: a delete made at a compaction revision may be missing (the compaction removed it
  // from history, as in etcd); nothing else may be missing, added, repeated or reordered.
  let j = 0
  for (let i = 0; i < got.length; i++) {
    const ev = got[i]!
    for (;;) {
      const want = expected[j]
      assert.ok(want !== undefined, `${label}: an event beyond its history: ${ev.kv!.key.toString('latin1')}@${ev.kv!.modRevision}`)
      if (want.type === ev.type && sameKv(ev.kv!, want.kv!)) break
      const droppable = want.type === Event_EventType.DELETE && compactions.includes(Number(want.kv!.modRevision))
      assert.ok(droppable, `${label}: event ${i} is ${ev.kv!.key.toString('latin1')}@${ev.kv!.modRevision}, expected ${want.kv!.key.toString('latin1')}@${want.kv!.modRevision}`)
      j++
    }
    j++
    if (w.prevKv) checkPrevKv(label, ev, history, compactions)
  }
  const missing = expected.slice(j)
  if (cancel === undefined) {
    const lost = missing.filter((ev) => !(ev.type === Event_EventType.DELETE && compactions.includes(Number(ev.kv!.modRevision))))
    assert.deepEqual(lost.map((ev) => `${ev.kv!.key.toString('latin1')}@${ev.kv!.modRevision}`), [], `${label}: events missing`)
    assert.ok(w.startRev >= w.compactedAtCreate || w.cancelledByClient, `${label}: should have been cancelled (start below compaction ${w.compactedAtCreate})`)
  } else if (cancel.compactRevision > 0n) {
    const compactRev = Number(cancel.compactRevision)
    assert.ok(compactions.includes(compactRev), `${label}: compact_revision ${compactRev} is no compaction`)
    // It was cancelled needing a revision below the compaction: everything it got is older.
    for (const ev of got) assert.ok(Number(ev.kv!.modRevision) < compactRev - 1, `${label}: got ${ev.kv!.modRevision} yet cancelled at ${compactRev}`)
  }
}

/**
 * prev_kv is the key as of mod_revision - 1, as etcd's watch server reads it (so a write earlier
 * in the same txn is not seen), and none for a put that creates the key (etcd skips the read for
 * those). Absent also if a later compaction removed that revision.
 */
function checkPrevKv(label: string, ev: Event, history: Event[], compactions: number[]): void {
  const rev = ev.kv!.modRevision
  let prev: KeyValue | undefined
  for (const h of history) {
    if (h.kv!.modRevision >= rev) break
    if (!h.kv!.key.equals(ev.kv!.key)) continue
    prev = h.type === Event_EventType.PUT ? h.kv : undefined
  }
  if (ev.type === Event_EventType.PUT && ev.kv!.createRevision === rev) prev = undefined
  if (ev.prevKv === undefined) {
    assert.ok(prev === undefined || compactions.some((c) => c >= Number(rev)), `${label}: prev_kv missing at ${rev}`)
  } else {
    assert.ok(prev !== undefined && sameKv(ev.prevKv, prev), `${label}: wrong prev_kv at ${rev}`)
  }
}

describe('watch (property)', () => {
  it('every watcher gets exactly its history from its start revision, in order, once, revisions whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(cmdArb, {minLength: 5, maxLength: 90}),
        fc.record({buffer: fc.integer({min: 1, max: 4}), chunk: fc.integer({min: 1, max: 4}), perStep: fc.integer({min: 1, max: 3})}),
        async (cmds, opts) => run(cmds, opts),
      ),
      {numRuns: 300},
    )
  })
})
