// Property: random sequences of puts, deletes (single key, ranges, from-key), txns (nested,
// with compares), compactions, historical ranges and reopens give exactly the responses of a
// plain reference model of etcd's semantics that keeps every revision's full state.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import fc from 'fast-check'
import type {InternalRequest} from '../../../src/api/proto/internal.js'
import type {Compare, RangeRequest, RequestOp, TxnRequest} from '../../../src/api/proto/rpc.js'
import {validateRequest} from '../../../src/engine/mvcc/validate.js'
import {b, rangeReq, TestStore} from './helpers.js'
import {normalize, ReferenceModel} from './reference-model.js'

const keyArb = fc.constantFrom('a', 'ab', 'b', 'b\xff', 'c', 'd')
const endArb = fc.constantFrom('', '\0', 'b', 'c', 'e', 'a')
const valueArb = fc.constantFrom('', 'x', 'y', 'zz', '\0')
/** A revision chosen relative to the store when the command runs: a fraction of (current + 3). */
const revFractionArb = fc.integer({min: 0, max: 1000})

type RangeSpec = Omit<RangeRequest, 'revision' | 'minModRevision' | 'maxModRevision' | 'minCreateRevision' | 'maxCreateRevision'> & {
  revFraction: number
  filters: [number, number, number, number]
  useRevision: boolean
}

const rangeArb: fc.Arbitrary<RangeSpec> = fc.record({
  key: keyArb.map(b),
  rangeEnd: fc.oneof(endArb, fc.constantFrom('\0', 'e')).map(b),
  limit: fc.constantFrom(0n, 0n, 1n, 2n, 3n),
  sortOrder: fc.integer({min: 0, max: 2}),
  sortTarget: fc.integer({min: 0, max: 4}),
  serializable: fc.constant(false),
  keysOnly: fc.integer({min: 0, max: 3}).map((n) => n === 0),
  countOnly: fc.integer({min: 0, max: 7}).map((n) => n === 0),
  revFraction: revFractionArb,
  useRevision: fc.integer({min: 0, max: 2}).map((n) => n === 0),
  // Each filter is off most of the time (0), else a fraction of the revisions.
  filters: fc.tuple(fc.nat(24), fc.nat(24), fc.nat(24), fc.nat(24)).map((x) => x.map((n) => (n > 4 ? 0 : n)) as [number, number, number, number]),
})

function toRange(spec: RangeSpec, currentRev: number): RangeRequest {
  const scale = (f: number) => Math.floor((f / 1000) * (currentRev + 3)) - 1
  const [a, c, d, e] = spec.filters
  const {revFraction, useRevision, filters, ...rest} = spec
  void filters
  return rangeReq('', {
    ...rest,
    revision: useRevision ? BigInt(scale(revFraction)) : 0n,
    minModRevision: BigInt(a === 0 ? 0 : scale(a * 200)),
    maxModRevision: BigInt(c === 0 ? 0 : scale(c * 250)),
    minCreateRevision: BigInt(d === 0 ? 0 : scale(d * 200)),
    maxCreateRevision: BigInt(e === 0 ? 0 : scale(e * 250)),
  })
}

const putArb = fc.record({
  key: keyArb.map(b),
  value: valueArb.map(b),
  lease: fc.constantFrom(0n, 0n, 7n),
  prevKv: fc.boolean(),
  // Rare, as most such puts are refused (a value or lease given, or a missing key).
  ignoreValue: fc.integer({min: 0, max: 7}).map((n) => n === 0),
  ignoreLease: fc.integer({min: 0, max: 7}).map((n) => n === 0),
})
const delArb = fc.record({key: keyArb.map(b), rangeEnd: endArb.map(b), prevKv: fc.boolean()})
const compareArb: fc.Arbitrary<Compare> = fc.record({
  key: keyArb.map(b),
  rangeEnd: fc.constantFrom('', '', 'c', '\0').map(b),
  result: fc.integer({min: 0, max: 3}),
  target: fc.integer({min: 0, max: 4}),
  version: fc.constantFrom(0n, 1n, 2n),
  createRevision: fc.constantFrom(0n, 2n, 5n),
  modRevision: fc.constantFrom(0n, 3n, 6n),
  value: valueArb.map(b),
  lease: fc.constantFrom(0n, 7n),
})

// Txn ops carry ranges with fixed small revisions (mostly 0), so they need no run-time scaling.
const txnRangeArb: fc.Arbitrary<RangeRequest> = fc
  .tuple(rangeArb, fc.constantFrom(0n, 0n, 0n, 1n, 2n, 3n, 5n, 8n))
  .map(([spec, revision]) => ({...toRange({...spec, useRevision: false}, 6), revision}))
const {txn: txnArb} = fc.letrec<{txn: TxnRequest; op: RequestOp}>((tie) => ({
  txn: fc.record({
    compare: fc.array(compareArb, {maxLength: 2}),
    success: fc.array(tie('op'), {maxLength: 3}),
    failure: fc.array(tie('op'), {maxLength: 3}),
  }),
  op: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    putArb.map((p) => ({requestPut: p})),
    delArb.map((d) => ({requestDeleteRange: d})),
    txnRangeArb.map((r) => ({requestRange: r})),
    tie('txn').map((t) => ({requestTxn: t})),
  ),
}))

type Command =
  | {kind: 'write'; request: Omit<InternalRequest, 'id'>; flush: boolean}
  | {kind: 'compact'; revFraction: number; flush: boolean}
  | {kind: 'range'; spec: RangeSpec}
  | {kind: 'reopen'; crash: boolean}

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {arbitrary: fc.record({put: putArb}).map((request) => ({kind: 'write' as const, request, flush: true})), weight: 6},
  {arbitrary: fc.record({deleteRange: delArb}).map((request) => ({kind: 'write' as const, request, flush: true})), weight: 1},
  {arbitrary: fc.record({txn: txnArb}).map((request) => ({kind: 'write' as const, request, flush: true})), weight: 3},
  {arbitrary: fc.tuple(revFractionArb, fc.boolean()).map(([revFraction, flush]) => ({kind: 'compact' as const, revFraction, flush})), weight: 1},
  {arbitrary: rangeArb.map((spec) => ({kind: 'range' as const, spec})), weight: 4},
  // A clean reopen loads the key-index checkpoint; a crash (closed as by kill -9) leaves the last
  // one, which the open must find stale and scan past whenever anything was applied since.
  {arbitrary: fc.boolean().map((crash) => ({kind: 'reopen' as const, crash})), weight: 1},
).chain((c): fc.Arbitrary<Command> => (c.kind === 'write' ? fc.boolean().map((flush) => ({...c, flush})) : fc.constant(c)))

function outcome(f: () => unknown): unknown {
  try {
    return normalize(f())
  } catch (error) {
    return normalize(error)
  }
}

async function runCommands(commands: Command[]): Promise<void> {
  const s = TestStore.create()
  const model = new ReferenceModel()
  // Writes wait here until a flush, so several entries share one applyBatch.
  let pending: InternalRequest[] = []
  let expected: unknown[] = []
  let index = 1n
  /** Whether the backend holds a checkpoint that nothing applied since has made stale. */
  let checkpointCurrent = false
  const reopen = async (crash: boolean) => {
    await s.reopen({crash})
    const expectedFrom = !crash || checkpointCurrent ? 'checkpoint' : 'scan'
    assert.equal(s.store.restoredFrom.from, expectedFrom, `reopen (crash: ${crash})`)
    if (!crash) checkpointCurrent = true
  }
  const flush = () => {
    if (pending.length === 0) return
    checkpointCurrent = false
    const results = s.store.applyBatch(pending.map((request) => ({index: index++, request})))
    assert.deepEqual(results.map((r) => normalize(r.ok ? {ok: true, response: r.response} : {ok: false, error: r.error})), expected)
    pending = []
    expected = []
  }
  const enqueue = (request: InternalRequest, now: boolean) => {
    try {
      validateRequest(request)
    } catch {
      return // refused before the log: neither side sees it
    }
    const m = model.apply(request)
    expected.push(normalize(m.ok ? {ok: true, response: m.response} : {ok: false, error: m.error}))
    pending.push(request)
    if (now) flush()
  }
  try {
    for (const c of commands) {
      if (c.kind === 'write') enqueue({id: 0n, ...c.request}, c.flush)
      else if (c.kind === 'compact') {
        const rev = Math.floor((c.revFraction / 1000) * (model.rev + 3)) - 1
        enqueue({id: 0n, compaction: {revision: BigInt(rev), physical: false}}, c.flush)
      } else if (c.kind === 'range') {
        flush()
        const req = toRange(c.spec, model.rev)
        const got = outcome(() => s.store.range(req))
        if (process.env.MVCC_STATS) {
          const kvs = (got as {kvs?: unknown[]}).kvs
          console.log('STAT', kvs === undefined ? 'err' : kvs.length, model.states[model.rev]!.size, JSON.stringify(got).slice(0, 80))
        }
        assert.deepEqual(got, outcome(() => model.range(req)))
      } else {
        flush()
        await reopen(c.crash)
      }
      if (c.kind !== 'write' && c.kind !== 'compact') {
        assert.equal(s.store.currentRevision, model.rev)
        assert.equal(s.store.compactRevision, Math.max(0, model.compactRev))
      }
    }
    flush()
    // Every revision still readable gives the same whole-store state, before and after reopen.
    for (const phase of ['live', 'reopened', 'scanned']) {
      if (phase === 'reopened') await reopen(false)
      if (phase === 'scanned') {
        // Make the checkpoint stale with an entry that changes no key, then crash: the scan
        // must rebuild the same index the checkpoint held.
        s.store.applyBatch([{index: index++, request: {id: 0n}}])
        checkpointCurrent = false
        await reopen(true)
      }
      for (let rev = Math.max(1, model.compactRev); rev <= model.rev; rev++) {
        const all = rangeReq('\0', {rangeEnd: b('\0'), revision: BigInt(rev)})
        assert.deepEqual(outcome(() => s.store.range(all)), outcome(() => model.range(all)), `${phase} at ${rev}`)
      }
      assert.equal(s.store.currentRevision, model.rev)
    }
  } finally {
    await s.destroy()
  }
}

describe('store against the reference model', () => {
  it('answers every request as the model does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, {minLength: 1, maxLength: 40}), (commands) => runCommands(commands)),
      {numRuns: 150, seed: 20240611},
    )
  })

  it('agrees over longer histories', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, {minLength: 20, maxLength: 80}), (commands) => runCommands(commands)),
      {numRuns: 60, seed: 7},
    )
  })
})
