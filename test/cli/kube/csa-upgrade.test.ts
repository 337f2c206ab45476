// The managed-fields arithmetic of the client-side to server-side apply migration, entry by
// entry as client-go's csaupgrade does it (the end-to-end behaviour is compared with kubectl in
// test/compat/kctl-server-side-apply.test.ts).
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {fieldsHold, fieldsUnion, upgradeManagedFields} from '../../../src/cli/kube/csa-upgrade.js'

const LA = ['f:metadata', 'f:annotations', 'f:kubectl.kubernetes.io/last-applied-configuration']

test('a field is held as a leaf or as a node marked with a dot, not as a mere parent', () => {
  assert.equal(fieldsHold({'f:metadata': {'f:annotations': {'f:kubectl.kubernetes.io/last-applied-configuration': {}}}}, LA), true)
  assert.equal(fieldsHold({'f:metadata': {'f:annotations': {'.': {}, 'f:x': {}}}}, ['f:metadata', 'f:annotations']), true)
  assert.equal(fieldsHold({'f:metadata': {'f:annotations': {'f:x': {}}}}, ['f:metadata', 'f:annotations']), false)
  assert.equal(fieldsHold({'f:data': {}}, LA), false)
  assert.equal(fieldsHold(undefined, LA), false)
})

test('the union of two field sets keeps every path of both', () => {
  assert.deepEqual(fieldsUnion({'f:data': {'f:a': {}}}, {'f:data': {'.': {}, 'f:b': {}}, 'f:metadata': {'f:labels': {'f:app': {}}}}), {
    'f:data': {'f:a': {}, '.': {}, 'f:b': {}},
    'f:metadata': {'f:labels': {'f:app': {}}},
  })
})

const csa = {manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: 't1', fieldsType: 'FieldsV1', fieldsV1: {'f:data': {'f:a': {}, 'f:b': {}}}}
const ssa = {manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: 't2', fieldsType: 'FieldsV1', fieldsV1: {'f:data': {'f:a': {}}}}
const other = {manager: 'kubectl-label', operation: 'Update', apiVersion: 'v1', time: 't3', fieldsType: 'FieldsV1', fieldsV1: {'f:metadata': {'f:labels': {'f:tier': {}}}}}

test("the applier's entry takes the client-side manager's fields, which then goes; others stay", () => {
  assert.deepEqual(upgradeManagedFields([ssa, csa, other], 'kubectl-client-side-apply', 'kubectl'), [{...ssa, fieldsV1: {'f:data': {'f:a': {}, 'f:b': {}}}}, other])
})

test('without an applier entry the newest client-side entry becomes the applier', () => {
  assert.deepEqual(upgradeManagedFields([csa, other], 'kubectl-client-side-apply', 'ops'), [{...csa, manager: 'ops', operation: 'Apply'}, other])
})

test('nothing to do without a client-side entry; a subresource entry is not migrated', () => {
  assert.deepEqual(upgradeManagedFields([ssa, other], 'kubectl-client-side-apply', 'kubectl'), [ssa, other])
  const status = {...csa, subresource: 'status'}
  assert.deepEqual(upgradeManagedFields([ssa, status], 'kubectl-client-side-apply', 'kubectl'), [ssa, status])
})

test('a client-side entry of another apiVersion is dropped without giving its fields', () => {
  const old = {...csa, apiVersion: 'v1beta1'}
  assert.deepEqual(upgradeManagedFields([ssa, old], 'kubectl-client-side-apply', 'kubectl'), [ssa])
})
