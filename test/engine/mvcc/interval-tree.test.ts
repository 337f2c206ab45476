import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import fc from 'fast-check'
import {IntervalTree, KEY_INFINITY} from '../../../src/engine/mvcc/interval-tree.js'

function stabbed(tree: IntervalTree<string>, point: string): string[] {
  const found: string[] = []
  tree.stab(point, (value) => found.push(value))
  return found
}

describe('IntervalTree', () => {
  it('finds the intervals holding a point, [start, end) with end excluded', () => {
    const tree = new IntervalTree<string>()
    tree.set('a', 'c', 'a-c')
    tree.set('b', 'b\0', 'b')
    tree.set('b', KEY_INFINITY, 'b-')
    tree.set('d', 'e', 'd-e')
    assert.deepEqual(stabbed(tree, 'a'), ['a-c'])
    assert.deepEqual(stabbed(tree, 'b'), ['a-c', 'b', 'b-'])
    assert.deepEqual(stabbed(tree, 'c'), ['b-'])
    assert.deepEqual(stabbed(tree, 'e'), ['b-'])
    assert.deepEqual(stabbed(tree, '\xff\xff'), ['b-'])
    assert.deepEqual(stabbed(tree, '\0'), [])
    tree.checkInvariants()
  })

  it('holds one value per distinct interval; set replaces, delete removes', () => {
    const tree = new IntervalTree<string>()
    tree.set('a', 'b', 'one')
    tree.set('a', 'b', 'two')
    assert.equal(tree.size, 1)
    assert.equal(tree.get('a', 'b'), 'two')
    assert.equal(tree.get('a', 'c'), undefined)
    assert.equal(tree.delete('a', 'c'), false)
    assert.equal(tree.delete('a', 'b'), true)
    assert.equal(tree.size, 0)
    assert.deepEqual(stabbed(tree, 'a'), [])
  })

  it('refuses an empty interval', () => {
    const tree = new IntervalTree<string>()
    assert.throws(() => tree.set('b', 'a', 'x'), /must not be empty/)
    assert.throws(() => tree.set('b', 'b', 'x'), /must not be empty/)
  })

  it('stays balanced on sorted inserts (height ~ log n)', () => {
    const tree = new IntervalTree<number>()
    for (let i = 0; i < 4096; i++) {
      const start = i.toString().padStart(5, '0')
      tree.set(start, start + '\0', i)
    }
    tree.checkInvariants()
    assert.equal(tree.size, 4096)
    const found: number[] = []
    tree.stab('01234', (v) => found.push(v))
    assert.deepEqual(found, [1234])
  })

  it('agrees with a list on random inserts, deletes and stabs (property)', () => {
    const keyArb = fc.constantFrom('', 'a', 'ab', 'b', 'b\0', 'c', 'cc', 'd', '\xff', KEY_INFINITY)
    const opArb = fc.oneof(
      fc.record({kind: fc.constant('set' as const), start: keyArb, end: keyArb, value: fc.nat(5)}),
      fc.record({kind: fc.constant('delete' as const), start: keyArb, end: keyArb}),
      fc.record({kind: fc.constant('stab' as const), point: keyArb.filter((k) => k !== KEY_INFINITY)}),
    )
    fc.assert(
      fc.property(fc.array(opArb, {maxLength: 120}), (ops) => {
        const tree = new IntervalTree<number>()
        const model = new Map<string, {start: string; end: string; value: number}>()
        for (const op of ops) {
          if (op.kind === 'set') {
            if (op.start >= op.end) continue
            tree.set(op.start, op.end, op.value)
            model.set(`${op.start}|${op.end}`, {start: op.start, end: op.end, value: op.value})
          } else if (op.kind === 'delete') {
            assert.equal(tree.delete(op.start, op.end), model.delete(`${op.start}|${op.end}`))
          } else {
            const found: string[] = []
            tree.stab(op.point, (value, start, end) => found.push(`${start}|${end}|${value}`))
            const expected = [...model.values()]
              .filter((i) => i.start <= op.point && op.point < i.end)
              .sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : x.end < y.end ? -1 : x.end > y.end ? 1 : 0))
              .map((i) => `${i.start}|${i.end}|${i.value}`)
            assert.deepEqual(found, expected)
          }
          tree.checkInvariants()
          assert.equal(tree.size, model.size)
        }
        assert.deepEqual(
          [...tree.entries()].map((e) => `${e.start}|${e.end}`),
          [...model.keys()].sort((x, y) => {
            const [xs, xe] = x.split('|') as [string, string]
            const [ys, ye] = y.split('|') as [string, string]
            return xs < ys ? -1 : xs > ys ? 1 : xe < ye ? -1 : xe > ye ? 1 : 0
          }),
        )
      }),
      {numRuns: 300},
    )
  })
})
