import assert from 'node:assert/strict'
import {test} from 'node:test'
import fc from 'fast-check'
import {Permission_Type, type Permission} from '../../../src/api/proto/auth.js'
import {isRangePermitted, sortPermissions} from '../../../src/engine/auth/permissions.js'

const b = (s: string) => Buffer.from(s, 'latin1')
const perm = (permType: Permission_Type, key: string, rangeEnd = ''): Permission => ({permType, key: b(key), rangeEnd: b(rangeEnd)})
const { READ, WRITE, READWRITE } = Permission_Type

test('a single-key permission allows that key only', () => {
  const perms = [perm(READ, 'foo')]
  assert.ok(isRangePermitted(perms, b('foo'), b(''), 'read'))
  assert.ok(!isRangePermitted(perms, b('foo'), b(''), 'write'))
  assert.ok(!isRangePermitted(perms, b('fo'), b(''), 'read'))
  assert.ok(!isRangePermitted(perms, b('foo0'), b(''), 'read'))
  // the range [foo, foo\0) is exactly that key
  assert.ok(isRangePermitted(perms, b('foo'), b('foo\0'), 'read'))
  assert.ok(!isRangePermitted(perms, b('foo'), b('fop'), 'read'))
})

test('ranges: [key, end), prefix and open-ended; READWRITE grants both', () => {
  const perms = [perm(WRITE, 'a', 'c'), perm(READWRITE, 'x', '\0')]
  assert.ok(isRangePermitted(perms, b('b'), b(''), 'write'))
  assert.ok(!isRangePermitted(perms, b('c'), b(''), 'write'))
  assert.ok(isRangePermitted(perms, b('a'), b('c'), 'write'))
  assert.ok(!isRangePermitted(perms, b('a'), b('c\0'), 'write'))
  assert.ok(isRangePermitted(perms, b('zzz'), b(''), 'read'))
  assert.ok(isRangePermitted(perms, b('x'), b('\0'), 'write'))
  assert.ok(!isRangePermitted(perms, b('w'), b('\0'), 'write'))
})

test('a range is allowed when the union of permissions covers it, with no gap', () => {
  const perms = [perm(READ, 'a', 'c'), perm(READ, 'c', 'e'), perm(READ, 'f', 'g')]
  assert.ok(isRangePermitted(perms, b('a'), b('e'), 'read'))
  assert.ok(isRangePermitted(perms, b('b'), b('d'), 'read'))
  assert.ok(!isRangePermitted(perms, b('a'), b('g'), 'read')) // [e, f) is missing
})

test('coverage agrees with checking every key of a small key space', () => {
  const keys = ['a', 'b', 'c', 'd', 'e']
  const arbPerm = fc.record({
    permType: fc.constantFrom(READ, WRITE, READWRITE),
    key: fc.constantFrom(...keys),
    rangeEnd: fc.constantFrom('', '\0', ...keys),
  })
  fc.assert(
    fc.property(fc.array(arbPerm, {maxLength: 5}), fc.constantFrom(...keys), fc.constantFrom(...keys), (raw, from, to) => {
      const perms = raw.map((p) => perm(p.permType, p.key, p.rangeEnd))
      if (from >= to) return
      // With one-letter keys, [from, to) holds the keys from..to-1 and every longer key between;
      // check single letters and one two-letter key after each.
      const probes = keys.filter((k) => k >= from && k < to).flatMap((k) => [k, `${k}a`])
      const each = probes.every((k) => isRangePermitted(perms, b(k), b(''), 'read'))
      const whole = isRangePermitted(perms, b(from), b(to), 'read')
      if (whole) assert.ok(each, 'a covered range has every key allowed')
    }),
  )
})

test('permissions sort by key, a new one after those with an equal key', () => {
  const perms = [perm(READ, 'foo'), perm(READWRITE, 'pre', 'prf'), perm(READ, 'a', 'b'), perm(WRITE, 'foo', 'zoo')]
  sortPermissions(perms)
  assert.deepEqual(
    perms.map((p) => `${p.key.toString()}:${p.rangeEnd.toString()}`),
    ['a:b', 'foo:', 'foo:zoo', 'pre:prf'],
  )
})
