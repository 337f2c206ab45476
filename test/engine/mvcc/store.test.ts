// The store: every range option, put/delete/txn semantics, compaction, errors, and reopen.
// Expected values follow etcd 3.4/3.5 as observed with the real etcd and etcdctl.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {ErrorMessage} from '../../../src/api/errors.js'
import {
  Compare_CompareResult as R,
  Compare_CompareTarget as T,
  RangeRequest_SortOrder as Order,
  RangeRequest_SortTarget as Target,
  type DeleteRangeResponse,
  type PutResponse,
  type TxnResponse,
} from '../../../src/api/proto/rpc.js'
import {b, cmp, delReq, internal, op, pairs, putReq, rangeReq, TestStore, txnReq} from './helpers.js'

function errorOf(s: TestStore, request: Parameters<TestStore['apply']>[0]): string {
  const result = s.apply(request)
  assert.equal(result.ok, false)
  return result.ok ? '' : result.error.message
}

describe('store: revisions and puts', () => {
  let s: TestStore
  before(() => (s = TestStore.create()))
  after(() => s.destroy())

  it('starts at revision 1 and raises it by one per change', () => {
    assert.equal(s.store.currentRevision, 1)
    assert.equal(s.store.compactRevision, 0)
    assert.equal(s.store.consistentIndex, 0n)
    assert.equal(s.put('foo', 'bar').header!.revision, 2n)
    assert.equal(s.put('foo', 'baz').header!.revision, 3n)
    assert.equal(s.store.currentRevision, 3)
    assert.equal(s.store.consistentIndex, 2n)
    const [kv] = s.store.range(rangeReq('foo')).kvs
    assert.deepEqual(
      {c: kv!.createRevision, m: kv!.modRevision, v: kv!.version, value: kv!.value.toString()},
      {c: 2n, m: 3n, v: 2n, value: 'baz'},
    )
  })

  it('returns prev_kv, keeps value/lease with ignore_value/ignore_lease, and needs the key for them', () => {
    const r = s.put('foo', 'x', {prevKv: true, lease: 7n}) as PutResponse
    assert.equal(r.prevKv!.value.toString(), 'baz')
    s.put('foo', '', {ignoreValue: true})
    let kv = s.store.range(rangeReq('foo')).kvs[0]!
    assert.equal(kv.value.toString(), 'x')
    assert.equal(kv.lease, 0n)
    s.put('foo', 'y', {ignoreLease: true})
    s.put('foo', 'z', {lease: 9n})
    s.put('foo', 'w', {ignoreLease: true})
    kv = s.store.range(rangeReq('foo')).kvs[0]!
    assert.equal(kv.lease, 9n)
    const rev = s.store.currentRevision
    assert.equal(errorOf(s, internal({put: putReq('nope', '', {ignoreValue: true})})), ErrorMessage.keyNotFound)
    assert.equal(errorOf(s, internal({put: putReq('nope', 'v', {ignoreLease: true})})), ErrorMessage.keyNotFound)
    assert.equal(s.store.currentRevision, rev, 'a failed request does not raise the revision')
  })

  it('resets version and create_revision after a delete', () => {
    s.put('k', '1')
    s.put('k', '2')
    const del = s.ok(internal({deleteRange: delReq('k', '', {prevKv: true})})) as DeleteRangeResponse
    assert.equal(del.deleted, 1n)
    assert.deepEqual(pairs(del.prevKvs), ['k=2'])
    const created = s.put('k', '3').header!.revision
    const kv = s.store.range(rangeReq('k')).kvs[0]!
    assert.equal(kv.version, 1n)
    assert.equal(kv.createRevision, created)
  })

  it('does not raise the revision for a delete of nothing', () => {
    const rev = s.store.currentRevision
    const del = s.ok(internal({deleteRange: delReq('missing')})) as DeleteRangeResponse
    assert.equal(del.deleted, 0n)
    assert.equal(del.header!.revision, BigInt(rev))
    assert.equal(s.store.currentRevision, rev)
  })
})

describe('store: range options', () => {
  let s: TestStore
  before(() => {
    s = TestStore.create()
    // a@2 b@3 c@4 then a@5 (version 2), d@6, e@7 (deleted at 8)
    for (const [k, v] of [['a', '3'], ['b', '1'], ['c', '2'], ['a', '0'], ['d', '9'], ['e', '5']]) s.put(k!, v!)
    s.ok(internal({deleteRange: delReq('e')}))
  })
  after(() => s.destroy())
  const all = {rangeEnd: b('\0')}

  it('reads one key, [key, end), from-key, and nothing for an empty range', () => {
    assert.deepEqual(pairs(s.store.range(rangeReq('a')).kvs), ['a=0'])
    assert.deepEqual(pairs(s.store.range(rangeReq('a', {rangeEnd: b('c')})).kvs), ['a=0', 'b=1'])
    assert.deepEqual(pairs(s.store.range(rangeReq('b', all)).kvs), ['b=1', 'c=2', 'd=9'])
    assert.deepEqual(pairs(s.store.range(rangeReq('\0', all)).kvs), ['a=0', 'b=1', 'c=2', 'd=9'])
    assert.equal(s.store.range(rangeReq('c', {rangeEnd: b('a')})).count, 0n)
    assert.equal(s.store.range(rangeReq('e')).kvs.length, 0)
  })

  it('limits with more and the full count', () => {
    const r = s.store.range(rangeReq('a', {...all, limit: 2n}))
    assert.deepEqual(pairs(r.kvs), ['a=0', 'b=1'])
    assert.equal(r.more, true)
    assert.equal(r.count, 4n)
    const exact = s.store.range(rangeReq('a', {...all, limit: 4n}))
    assert.equal(exact.more, false)
    const negative = s.store.range(rangeReq('a', {...all, limit: -1n}))
    assert.equal(negative.kvs.length, 4)
  })

  it('reads history, with the current revision in the header', () => {
    const r = s.store.range(rangeReq('a', {...all, revision: 4n}))
    assert.deepEqual(pairs(r.kvs), ['a=3', 'b=1', 'c=2'])
    assert.equal(r.header!.revision, 8n)
    assert.deepEqual(pairs(s.store.range(rangeReq('e', {revision: 7n})).kvs), ['e=5'])
    assert.deepEqual(pairs(s.store.range(rangeReq('a', {revision: -3n})).kvs), ['a=0'])
    assert.throws(() => s.store.range(rangeReq('a', {revision: 9n})), {message: ErrorMessage.futureRev})
  })

  it('sorts by every target and order; NONE with a non-KEY target is ascending', () => {
    const sorted = (sortTarget: Target, sortOrder: Order) =>
      pairs(s.store.range(rangeReq('a', {...all, sortTarget, sortOrder})).kvs)
    assert.deepEqual(sorted(Target.KEY, Order.NONE), ['a=0', 'b=1', 'c=2', 'd=9'])
    assert.deepEqual(sorted(Target.KEY, Order.DESCEND), ['d=9', 'c=2', 'b=1', 'a=0'])
    assert.deepEqual(sorted(Target.VALUE, Order.NONE), ['a=0', 'b=1', 'c=2', 'd=9'])
    assert.deepEqual(sorted(Target.VALUE, Order.DESCEND), ['d=9', 'c=2', 'b=1', 'a=0'])
    assert.deepEqual(sorted(Target.CREATE, Order.ASCEND), ['a=0', 'b=1', 'c=2', 'd=9'])
    assert.deepEqual(sorted(Target.MOD, Order.DESCEND), ['d=9', 'a=0', 'c=2', 'b=1'])
    assert.deepEqual(sorted(Target.VERSION, Order.DESCEND), ['a=0', 'b=1', 'c=2', 'd=9'])
    const limited = s.store.range(rangeReq('a', {...all, sortTarget: Target.MOD, sortOrder: Order.DESCEND, limit: 1n}))
    assert.deepEqual(pairs(limited.kvs), ['d=9'])
    assert.equal(limited.more, true)
    assert.equal(limited.count, 4n)
  })

  it('filters by mod and create revision; count ignores the filters', () => {
    const r = s.store.range(rangeReq('a', {...all, minModRevision: 4n, maxModRevision: 5n}))
    assert.deepEqual(pairs(r.kvs), ['a=0', 'c=2'])
    assert.equal(r.count, 4n)
    assert.deepEqual(pairs(s.store.range(rangeReq('a', {...all, maxCreateRevision: 3n})).kvs), ['a=0', 'b=1'])
    assert.deepEqual(pairs(s.store.range(rangeReq('a', {...all, minCreateRevision: 4n})).kvs), ['c=2', 'd=9'])
    const limited = s.store.range(rangeReq('a', {...all, minCreateRevision: 3n, limit: 1n}))
    assert.deepEqual(pairs(limited.kvs), ['b=1'])
    assert.equal(limited.more, true)
  })

  it('answers keys_only and count_only', () => {
    const keys = s.store.range(rangeReq('a', {...all, keysOnly: true}))
    assert.deepEqual(pairs(keys.kvs), ['a=', 'b=', 'c=', 'd='])
    assert.equal(keys.kvs[0]!.modRevision, 5n)
    const count = s.store.range(rangeReq('a', {...all, countOnly: true, limit: 1n}))
    assert.equal(count.kvs.length, 0)
    assert.equal(count.count, 4n)
    assert.equal(count.more, false)
  })
})

describe('store: txn', () => {
  let s: TestStore
  before(() => {
    s = TestStore.create()
    s.put('a', '1') // 2
    s.put('b', '2', {lease: 5n}) // 3
  })
  after(() => s.destroy())
  const txn = (t: ReturnType<typeof txnReq>) => s.ok(internal({txn: t})) as TxnResponse

  it('compares every target with every operator, over ranges too', () => {
    const holds = (c: ReturnType<typeof cmp>) => txn(txnReq([c], [], [])).succeeded
    assert.equal(holds(cmp({key: b('a'), target: T.VALUE, result: R.EQUAL, value: b('1')})), true)
    assert.equal(holds(cmp({key: b('a'), target: T.VALUE, result: R.GREATER, value: b('0')})), true)
    assert.equal(holds(cmp({key: b('a'), target: T.VALUE, result: R.LESS, value: b('0')})), false)
    assert.equal(holds(cmp({key: b('a'), target: T.VERSION, result: R.EQUAL, version: 1n})), true)
    assert.equal(holds(cmp({key: b('a'), target: T.CREATE, result: R.NOT_EQUAL, createRevision: 2n})), false)
    assert.equal(holds(cmp({key: b('b'), target: T.MOD, result: R.GREATER, modRevision: 2n})), true)
    assert.equal(holds(cmp({key: b('b'), target: T.LEASE, result: R.EQUAL, lease: 5n})), true)
    // missing key: revisions/version/lease compare as 0; a value compare always fails
    assert.equal(holds(cmp({key: b('zz'), target: T.CREATE, result: R.EQUAL, createRevision: 0n})), true)
    assert.equal(holds(cmp({key: b('zz'), target: T.VALUE, result: R.NOT_EQUAL, value: b('x')})), false)
    // a range compare must hold for every key in it
    assert.equal(holds(cmp({key: b('a'), rangeEnd: b('c'), target: T.MOD, result: R.LESS, modRevision: 4n})), true)
    assert.equal(holds(cmp({key: b('a'), rangeEnd: b('c'), target: T.MOD, result: R.LESS, modRevision: 3n})), false)
  })

  it('runs the whole txn at one revision; reads see earlier writes; nested compares see the state before', () => {
    const before = s.store.currentRevision
    const r = txn(
      txnReq(
        [cmp({key: b('a'), target: T.VALUE, result: R.EQUAL, value: b('1')})],
        [
          op.put('c', '3'),
          op.range('c'),
          op.del('a'),
          op.txn(txnReq([cmp({key: b('c'), target: T.VERSION, result: R.EQUAL, version: 0n})], [op.put('d', '4')], [op.put('e', '5')])),
        ],
      ),
    )
    assert.equal(r.succeeded, true)
    assert.equal(r.header!.revision, BigInt(before + 1))
    assert.equal(s.store.currentRevision, before + 1)
    assert.equal(r.responses[0]!.responsePut!.header!.revision, BigInt(before + 1))
    const inner = r.responses[1]!.responseRange!
    assert.deepEqual(pairs(inner.kvs), ['c=3'])
    assert.equal(inner.header!.revision, BigInt(before + 1))
    assert.equal(r.responses[2]!.responseDeleteRange!.deleted, 1n)
    // c did not exist before the txn, so the nested compare (version 0) held
    assert.equal(r.responses[3]!.responseTxn!.succeeded, true)
    assert.equal(r.responses[3]!.responseTxn!.header!.revision, 0n)
    const kvs = s.store.range(rangeReq('a', {rangeEnd: b('\0')})).kvs
    assert.deepEqual(pairs(kvs), ['b=2', 'c=3', 'd=4'])
    assert.deepEqual(
      kvs.map((kv) => kv.modRevision),
      [3n, BigInt(before + 1), BigInt(before + 1)],
    )
    const events = s.apply(internal({txn: txnReq([], [op.put('x', '1'), op.del('x', 'y')])}))
    assert.ok(events.ok)
    assert.deepEqual(events.events!.map((e) => `${e.type}:${e.kv!.key.toString()}@${e.kv!.modRevision}`), [
      `0:x@${before + 2}`,
      `1:x@${before + 2}`,
    ])
  })

  it('does not raise the revision for a txn without writes, and fails whole on a bad op', () => {
    const rev = s.store.currentRevision
    const r = txn(txnReq([], [op.range('b'), op.del('nothing')]))
    assert.equal(r.header!.revision, BigInt(rev))
    assert.equal(r.responses[1]!.responseDeleteRange!.header!.revision, BigInt(rev))
    assert.equal(s.store.currentRevision, rev)
    assert.equal(errorOf(s, internal({txn: txnReq([], [op.put('q', '1'), op.put('nope', '', {ignoreValue: true})])})), ErrorMessage.keyNotFound)
    assert.equal(errorOf(s, internal({txn: txnReq([], [op.put('q', '1'), op.range('b', {revision: 1000n})])})), ErrorMessage.futureRev)
    assert.equal(s.store.range(rangeReq('q')).kvs.length, 0)
    assert.equal(s.store.currentRevision, rev)
  })

  it('takes the failure branch when a compare fails', () => {
    const r = txn(txnReq([cmp({key: b('b'), target: T.VALUE, result: R.EQUAL, value: b('nope')})], [op.put('s', '1')], [op.put('f', '1'), op.range('f')]))
    assert.equal(r.succeeded, false)
    assert.deepEqual(pairs(r.responses[1]!.responseRange!.kvs), ['f=1'])
    assert.equal(s.store.range(rangeReq('s')).kvs.length, 0)
  })
})

describe('store: compaction and hash', () => {
  let s: TestStore
  before(() => {
    s = TestStore.create()
    s.put('a', '1') // 2
    s.put('a', '2') // 3
    s.put('b', '1') // 4
    s.ok(internal({deleteRange: delReq('b')})) // 5
    s.put('c', '1') // 6
  })
  after(() => s.destroy())
  const compact = (revision: bigint) => s.apply(internal({compaction: {revision, physical: false}}))

  it('refuses future revisions, compacts, then refuses reads and compactions below the point', async () => {
    const future = compact(100n)
    assert.equal(future.ok ? '' : future.error.message, ErrorMessage.futureRev)
    const hashBefore = s.store.hashKV(0)
    const r = compact(5n)
    assert.ok(r.ok)
    assert.equal(r.response.header!.revision, 6n)
    await r.physical
    assert.equal(s.store.compactRevision, 5)
    assert.equal(s.store.currentRevision, 6)
    const again = compact(5n)
    assert.equal(again.ok ? '' : again.error.message, ErrorMessage.compacted)
    assert.throws(() => s.store.range(rangeReq('a', {revision: 4n})), {message: ErrorMessage.compacted})
    assert.deepEqual(pairs(s.store.range(rangeReq('a', {revision: 5n, rangeEnd: b('\0')})).kvs), ['a=2'])
    assert.deepEqual(pairs(s.store.range(rangeReq('a', {rangeEnd: b('\0')})).kvs), ['a=2', 'c=1'])
    assert.throws(() => s.store.hashKV(5), {message: ErrorMessage.compacted})
    assert.throws(() => s.store.hashKV(7), {message: ErrorMessage.futureRev})
    // The hash at the current revision does not depend on whether superseded revisions were removed.
    assert.notEqual(s.store.hashKV(0).hash, hashBefore.hash)
    assert.equal(s.store.hashKV(0).compactRevision, 5)
  })

  it('gives the same hash for the same history, and the store survives reopen', async () => {
    const other = TestStore.create()
    try {
      other.put('a', '1')
      other.put('a', '2')
      other.put('b', '1')
      other.ok(internal({deleteRange: delReq('b')}))
      other.put('c', '1')
      const r = other.apply(internal({compaction: {revision: 5n, physical: true}}))
      assert.ok(r.ok)
      await r.physical
      assert.deepEqual(other.store.hashKV(0), s.store.hashKV(0))
      assert.deepEqual(other.store.hashKV(6), s.store.hashKV(6))
      await other.reopen()
      assert.deepEqual(other.store.hashKV(0), s.store.hashKV(0))
      assert.equal(other.store.compactRevision, 5)
      assert.equal(other.store.currentRevision, 6)
      assert.equal(other.store.consistentIndex, 6n)
    } finally {
      await other.destroy()
    }
  })

  it('keeps the revision of a store whose every key was deleted and compacted, across reopen', async () => {
    const t = TestStore.create()
    try {
      t.put('x', '1')
      t.ok(internal({deleteRange: delReq('x')}))
      const r = t.apply(internal({compaction: {revision: 3n, physical: true}}))
      assert.ok(r.ok)
      await r.physical
      await t.reopen()
      assert.equal(t.store.currentRevision, 3)
      assert.equal(t.store.range(rangeReq('x')).kvs.length, 0)
      assert.equal(t.put('x', '2').header!.revision, 4n)
    } finally {
      await t.destroy()
    }
  })
})

describe('store: reopen', () => {
  it('rebuilds the same state, history and revision from the backend', async () => {
    const s = TestStore.create()
    try {
      for (let i = 0; i < 50; i++) s.put(`k${i % 7}`, `v${i}`)
      s.ok(internal({deleteRange: delReq('k3', 'k5')}))
      s.ok(internal({txn: txnReq([], [op.put('t1', 'x'), op.put('t2', 'y'), op.del('k6')])}))
      const rev = s.store.currentRevision
      const snapshot = (r: number) => s.store.range(rangeReq('\0', {rangeEnd: b('\0'), revision: BigInt(r)}))
      const before = Array.from({length: rev}, (_, i) => snapshot(i + 1))
      const hash = s.store.hashKV(0)
      await s.reopen()
      assert.equal(s.store.currentRevision, rev)
      assert.equal(s.store.consistentIndex, 52n)
      assert.deepEqual(Array.from({length: rev}, (_, i) => snapshot(i + 1)), before)
      assert.deepEqual(s.store.hashKV(0), hash)
      assert.equal(s.put('k0', 'after').header!.revision, BigInt(rev + 1))
      assert.equal(s.store.range(rangeReq('k0')).kvs[0]!.version, 9n)
    } finally {
      await s.destroy()
    }
  })

  it('applies a batch in one transaction with the last index as consistentIndex', () => {
    const s = TestStore.create()
    try {
      const results = s.store.applyBatch([
        {index: 10n, request: internal({put: putReq('a', '1')})},
        {index: 11n, request: internal({put: putReq('missing', '', {ignoreValue: true})})},
        {index: 12n, request: internal({put: putReq('a', '2')})},
      ])
      assert.deepEqual(results.map((r) => (r.ok ? r.response.header!.revision : r.error.message)), [2n, ErrorMessage.keyNotFound, 3n])
      assert.equal(s.store.consistentIndex, 12n)
      assert.throws(() => s.store.applyBatch([{index: 12n, request: internal({put: putReq('a', '3')})}]))
    } finally {
      void s.destroy()
    }
  })
})
