// Request validation as etcd's gRPC layer does it before a request enters the log.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ErrorMessage} from '../../../src/api/errors.js'
import {Compare_CompareResult as R, Compare_CompareTarget as T, type RangeRequest_SortOrder} from '../../../src/api/proto/rpc.js'
import {invalidSortOptionMessage, validateRequest} from '../../../src/engine/mvcc/validate.js'
import {b, cmp, delReq, internal, op, putReq, rangeReq, txnReq} from './helpers.js'

const fails = (req: Parameters<typeof validateRequest>[0], message: string, limits?: {maxTxnOps: number}) =>
  assert.throws(() => validateRequest(req, limits), {message})
const passes = (req: Parameters<typeof validateRequest>[0], limits?: {maxTxnOps: number}) =>
  assert.doesNotThrow(() => validateRequest(req, limits))

describe('validateRequest', () => {
  it('refuses empty keys everywhere', () => {
    fails(internal({put: putReq('', 'v')}), ErrorMessage.emptyKey)
    fails(internal({deleteRange: delReq('')}), ErrorMessage.emptyKey)
    fails(internal({txn: txnReq([cmp({key: b(''), target: T.VERSION, result: R.EQUAL})], [])}), ErrorMessage.emptyKey)
    fails(internal({txn: txnReq([], [op.range('')])}), ErrorMessage.emptyKey)
    fails(internal({txn: txnReq([], [], [op.txn(txnReq([], [op.put('', 'x')]))])}), ErrorMessage.emptyKey)
  })

  it('refuses a value with ignore_value and a lease with ignore_lease', () => {
    fails(internal({put: putReq('k', 'v', {ignoreValue: true})}), ErrorMessage.valueProvided)
    fails(internal({put: putReq('k', '', {ignoreLease: true, lease: 3n})}), ErrorMessage.leaseProvided)
    passes(internal({put: putReq('k', '', {ignoreValue: true, ignoreLease: true})}))
  })

  it('counts txn ops as etcd: the largest of compares, success and failure; nested txns share the budget', () => {
    const puts = (n: number, prefix: string) => Array.from({length: n}, (_, i) => op.put(`${prefix}${i}`, 'v'))
    passes(internal({txn: txnReq([], puts(4, 's'), puts(4, 'f'))}), {maxTxnOps: 4})
    fails(internal({txn: txnReq([], puts(5, 's'))}), ErrorMessage.tooManyOps, {maxTxnOps: 4})
    const compares = Array.from({length: 5}, () => cmp({key: b('a'), target: T.VERSION, result: R.EQUAL}))
    fails(internal({txn: txnReq(compares, [])}), ErrorMessage.tooManyOps, {maxTxnOps: 4})
    // 2 ops at the top leave 2 for the nested txn
    passes(internal({txn: txnReq([], [op.put('a', 'v'), op.txn(txnReq([], puts(2, 'n')))])}), {maxTxnOps: 4})
    fails(internal({txn: txnReq([], [op.put('a', 'v'), op.txn(txnReq([], puts(3, 'n')))])}), ErrorMessage.tooManyOps, {maxTxnOps: 4})
    fails(internal({txn: txnReq([], puts(129, 'd'))}), ErrorMessage.tooManyOps)
  })

  it("refuses a key written twice by one txn, with etcd's checkIntervals rules", () => {
    fails(internal({txn: txnReq([], [op.put('a', '1'), op.put('a', '2')])}), ErrorMessage.duplicateKey)
    fails(internal({txn: txnReq([], [op.put('a', '1'), op.del('a')])}), ErrorMessage.duplicateKey)
    fails(internal({txn: txnReq([], [op.del('a', 'c'), op.put('b', '1')])}), ErrorMessage.duplicateKey)
    fails(internal({txn: txnReq([], [op.put('a', '1'), op.txn(txnReq([], [op.put('a', '2')]))])}), ErrorMessage.duplicateKey)
    fails(internal({txn: txnReq([], [op.txn(txnReq([], [op.del('a', 'z')])), op.put('m', '1')])}), ErrorMessage.duplicateKey)
    fails(
      internal({txn: txnReq([], [op.txn(txnReq([], [op.put('a', '1')])), op.txn(txnReq([], [], [op.put('a', '2')]))])}),
      ErrorMessage.duplicateKey,
    )
    // allowed: deletes overlapping deletes, the two branches of one nested txn, a put outside a range
    passes(internal({txn: txnReq([], [op.del('a', 'c'), op.del('b', 'd')])}))
    passes(internal({txn: txnReq([], [op.txn(txnReq([], [op.put('a', '1')], [op.put('a', '2')]))])}))
    passes(internal({txn: txnReq([], [op.del('a', 'c'), op.put('c', '1')])}))
    // success and failure of the top txn are checked apart
    passes(internal({txn: txnReq([], [op.put('a', '1')], [op.put('a', '2')])}))
    // etcd quirk, seen with etcd 3.4: a from-key delete ("\0" end) does not conflict with a put
    passes(internal({txn: txnReq([], [op.del('a', '\0'), op.put('a', '5')])}))
  })

  it('refuses an empty op and bad sort options, and lets a negative limit through (as etcd)', () => {
    fails(internal({txn: txnReq([], [{}])}), ErrorMessage.keyNotFound)
    fails(internal({txn: txnReq([], [op.range('a', {sortOrder: 7 as RangeRequest_SortOrder})])}), invalidSortOptionMessage)
    fails(internal({txn: txnReq([], [op.range('a', {sortTarget: -1})])}), invalidSortOptionMessage)
    passes(internal({txn: txnReq([], [op.range('a', {limit: -1n})])}))
    passes(internal({txn: txnReq([], [{requestRange: rangeReq('a')}])}))
  })
})
