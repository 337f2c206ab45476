import assert from 'node:assert/strict'
import {test} from 'node:test'
import {Permission_Type} from '../../src/api/proto/auth.js'
import {permRange} from '../../src/cli/perm-range.js'
import {authJson, prefixRangeEnd, roleFields, roleListFields, roleSimple} from '../../src/cli/printers/auth.js'

const b = (s: string) => Buffer.from(s, 'latin1')
const header = {clusterId: 1n, memberId: 2n, revision: 3n, raftTerm: 4n}

test('role get, simple: reads then writes; prefix and open-ended ranges named as etcdctl names them', () => {
  const perms = [
    {permType: Permission_Type.READ, key: b('a'), rangeEnd: b('b')},
    {permType: Permission_Type.READ, key: b('fk'), rangeEnd: b('\0')},
    {permType: Permission_Type.READ, key: b('foo'), rangeEnd: b('')},
    {permType: Permission_Type.WRITE, key: b('foo'), rangeEnd: b('zoo')},
    {permType: Permission_Type.READWRITE, key: b('pre'), rangeEnd: b('prf')},
  ]
  assert.equal(
    roleSimple('r1', perms).toString('latin1'),
    'Role r1\nKV Read:\n\t[a, b) (prefix a)\n\t[fk, <open ended>\n\tfoo\n\t[pre, prf) (prefix pre)\nKV Write:\n\t[foo, zoo)\n\t[pre, prf) (prefix pre)\n',
  )
})

test('json: omitempty everywhere, READ (0) left out, bytes in base64', () => {
  const perm = [
    {permType: Permission_Type.READ, key: b('a'), rangeEnd: b('b')},
    {permType: Permission_Type.WRITE, key: b('foo'), rangeEnd: b('')},
  ]
  assert.equal(
    authJson({header, perm}),
    '{"header":{"cluster_id":1,"member_id":2,"revision":3,"raft_term":4},"perm":[{"key":"YQ==","range_end":"Yg=="},{"permType":1,"key":"Zm9v"}]}\n',
  )
  assert.equal(authJson({header, roles: []}), '{"header":{"cluster_id":1,"member_id":2,"revision":3,"raft_term":4}}\n')
})

test('fields: permissions as three lines each, roles on one line', () => {
  const out = roleFields({header, perm: [{permType: Permission_Type.READWRITE, key: b('k'), rangeEnd: b('')}]})
  assert.ok(out.endsWith('"PermType" :  READWRITE\n"Key" : "k"\n"RangeEnd" : ""\n'))
  assert.ok(roleListFields({header, roles: ['a', 'b']}).endsWith('"Roles" : "a" "b"\n'))
  assert.ok(roleListFields({header, roles: []}).endsWith('"Roles" :\n'))
})

test('permission ranges from arguments and flags', () => {
  const show = ([k, e]: [Buffer, Buffer]) => [k.toString('latin1'), e.toString('latin1')]
  assert.deepEqual(show(permRange(['k'], {prefix: false, fromKey: false})), ['k', ''])
  assert.deepEqual(show(permRange(['k', 'z'], {prefix: false, fromKey: false})), ['k', 'z'])
  assert.deepEqual(show(permRange(['k'], {prefix: true, fromKey: false})), ['k', 'l'])
  assert.deepEqual(show(permRange(['k'], {prefix: false, fromKey: true})), ['k', '\0'])
  assert.deepEqual(show(permRange([''], {prefix: true, fromKey: false})), ['\0', '\0'])
  assert.deepEqual(show(permRange([''], {prefix: false, fromKey: false})), ['\0', ''])
  assert.throws(() => permRange(['k', 'z'], {prefix: true, fromKey: false}), /unexpected endkey argument with --prefix flag/)
  assert.throws(() => permRange(['k'], {prefix: true, fromKey: true}), /mutually exclusive/)
  assert.deepEqual(prefixRangeEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]))
  assert.deepEqual(prefixRangeEnd(Buffer.from([0xff])), Buffer.from([0]))
})
