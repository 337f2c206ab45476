// The checker itself: histories that must pass, histories that must be rejected, unknown
// outcomes that may or may not have happened, and agreement with brute force on random ones.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {Mulberry32} from '../../src/engine/raft/rng.js'
import type {KvOp, KvOutput} from './kv.js'
import {type HistoryOp, checkHistory, checkKeyHistory} from './linearizability.js'

const put = (value: string, call: number, ret: number, client = 0): HistoryOp => ({client, op: {kind: 'put', key: 'k', value}, output: null, callTime: call, returnTime: ret})
const get = (output: string | null, call: number, ret: number, client = 0): HistoryOp => ({client, op: {kind: 'get', key: 'k'}, output, callTime: call, returnTime: ret})
const del = (output: boolean, call: number, ret: number, client = 0): HistoryOp => ({client, op: {kind: 'delete', key: 'k'}, output, callTime: call, returnTime: ret})
const cas = (expected: string | null, value: string, output: boolean | undefined, call: number, ret: number, client = 0): HistoryOp => ({
  client,
  op: {kind: 'cas', key: 'k', expected, value},
  output,
  callTime: call,
  returnTime: ret,
})
const unknownPut = (value: string, call: number, client = 0): HistoryOp => ({...put(value, call, Infinity, client), output: undefined})

describe('linearizability checker', () => {
  it('accepts sequential histories that follow the model', () => {
    assert.ok(checkKeyHistory([put('a', 1, 2), get('a', 3, 4), cas('a', 'b', true, 5, 6), del(true, 7, 8), get(null, 9, 10), del(false, 11, 12)]).ok)
  })

  it('rejects a read of a value never written, and a stale read after a completed write', () => {
    assert.equal(checkKeyHistory([get('x', 1, 2)]).ok, false)
    assert.equal(checkKeyHistory([put('a', 1, 2), put('b', 3, 4), get('a', 5, 6)]).ok, false)
  })

  it('accepts either order for overlapping operations', () => {
    assert.ok(checkKeyHistory([put('a', 1, 10, 0), get('a', 2, 3, 1), get(null, 4, 5, 2)]).ok === false)
    assert.ok(checkKeyHistory([put('a', 1, 10, 0), get(null, 2, 3, 1), get('a', 4, 5, 2)]).ok)
    assert.ok(checkKeyHistory([put('a', 1, 10, 0), put('b', 2, 9, 1), get('a', 11, 12)]).ok)
    assert.ok(checkKeyHistory([put('a', 1, 10, 0), put('b', 2, 9, 1), get('b', 11, 12)]).ok)
  })

  it('rejects reads that go back in time (a new value seen, then the old one)', () => {
    assert.equal(checkKeyHistory([put('a', 0, 1), put('b', 2, 20, 0), get('b', 3, 4, 1), get('a', 5, 6, 2)]).ok, false)
  })

  it('rejects two successful compare-and-sets from the same value', () => {
    assert.equal(checkKeyHistory([put('a', 0, 1), cas('a', 'b', true, 2, 10, 0), cas('a', 'c', true, 3, 11, 1)]).ok, false)
    assert.ok(checkKeyHistory([put('a', 0, 1), cas('a', 'b', true, 2, 10, 0), cas('a', 'c', false, 3, 11, 1)]).ok)
  })

  it('rejects a delete that found nothing after a completed put', () => {
    assert.equal(checkKeyHistory([put('a', 1, 2), del(false, 3, 4)]).ok, false)
  })

  it('lets an unknown outcome take effect late, or never', () => {
    // Took effect (seen by a later read)...
    assert.ok(checkKeyHistory([unknownPut('u', 1), get('u', 50, 51)]).ok)
    // ...or never.
    assert.ok(checkKeyHistory([unknownPut('u', 1), get(null, 50, 51)]).ok)
    // But not before it was invoked.
    assert.equal(checkKeyHistory([get('u', 1, 2), unknownPut('u', 3)]).ok, false)
    // And not undone once observed.
    assert.equal(checkKeyHistory([unknownPut('u', 1), get('u', 5, 6), get(null, 7, 8)]).ok, false)
    // A compare-and-set of unknown outcome swaps only if its condition holds.
    assert.equal(checkKeyHistory([put('a', 0, 1), cas('z', 'b', undefined, 2, Infinity), get('b', 5, 6)]).ok, false)
    assert.ok(checkKeyHistory([put('a', 0, 1), cas('a', 'b', undefined, 2, Infinity), get('b', 5, 6)]).ok)
  })

  it('checks keys independently and names the failing one', () => {
    const other: HistoryOp = {client: 1, op: {kind: 'get', key: 'other'}, output: 'ghost', callTime: 1, returnTime: 2}
    const r = checkHistory([put('a', 1, 2), get('a', 3, 4), other])
    assert.equal(r.ok, false)
    assert.equal(!r.ok && r.key, 'other')
  })

  it('agrees with brute force on random small histories', () => {
    const rng = new Mulberry32(42)
    let rejected = 0
    for (let round = 0; round < 400; round++) {
      const history = randomHistory(rng, 2 + rng.intBelow(5))
      const expected = bruteForce(history)
      assert.equal(checkKeyHistory(history).ok, expected, JSON.stringify(history))
      if (!expected) rejected++
    }
    // The generator makes both kinds.
    assert.ok(rejected > 40 && rejected < 360, `${rejected} rejected`)
  })
})

function randomHistory(rng: Mulberry32, n: number): HistoryOp[] {
  const values = ['a', 'b']
  const out: HistoryOp[] = []
  for (let i = 0; i < n; i++) {
    const call = rng.intBelow(10)
    const ret = rng.chance(0.15) ? Infinity : call + 1 + rng.intBelow(6)
    const kind = rng.pick(['put', 'get', 'delete', 'cas'] as const)
    let op: KvOp
    let output: KvOutput
    switch (kind) {
      case 'put':
        op = {kind, key: 'k', value: rng.pick(values)}
        output = null
        break
      case 'get':
        op = {kind, key: 'k'}
        output = rng.pick([null, ...values])
        break
      case 'delete':
        op = {kind, key: 'k'}
        output = rng.chance(0.5)
        break
      case 'cas':
        op = {kind, key: 'k', expected: rng.pick([null, ...values]), value: rng.pick(values)}
        output = rng.chance(0.5)
        break
    }
    out.push({client: i, op, output: ret === Infinity ? undefined : output, callTime: call, returnTime: ret})
  }
  return out
}

/** Tries every subset of unknown ops and every order consistent with real time. */
function bruteForce(history: HistoryOp[]): boolean {
  const relevant = history.filter((h) => !(h.op.kind === 'get' && h.output === undefined))
  const n = relevant.length
  const used = new Array<boolean>(n).fill(false)
  const search = (state: string | null, done: number): boolean => {
    if (done === n) return true
    // Unknown ops may also be skipped forever: allow finishing when all remaining are unknown.
    if (relevant.every((h, i) => used[i] || h.returnTime === Infinity)) return true
    for (let i = 0; i < n; i++) {
      if (used[i]) continue
      const h = relevant[i]!
      // i may go next only if no unused op returned before i was called.
      if (relevant.some((o, j) => !used[j] && j !== i && o.returnTime < h.callTime)) continue
      let next: string | null | undefined
      const op = h.op
      if (op.kind === 'put') next = op.value
      else if (op.kind === 'get') next = h.output === state ? state : undefined
      else if (op.kind === 'delete') next = h.output === undefined || h.output === (state !== null) ? null : undefined
      else {
        const swaps = state === op.expected
        next = h.output === undefined || h.output === swaps ? (swaps ? op.value : state) : undefined
      }
      if (next === undefined) continue
      used[i] = true
      if (search(next, done + 1)) return true
      used[i] = false
    }
    return false
  }
  return search(null, 0)
}
