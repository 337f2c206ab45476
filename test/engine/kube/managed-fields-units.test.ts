// The pieces of server-side apply on their own: field sets in FieldsV1 and their algebra, paths
// as Kubernetes prints them in conflicts, and the field set an applied configuration names.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {FieldSet, pathString} from '../../../src/engine/kube/apiserver/managed-fields/field-set.js'
import {shapeOf} from '../../../src/engine/kube/apiserver/managed-fields/schema.js'
import {compare, toFieldSet} from '../../../src/engine/kube/apiserver/managed-fields/typed.js'
import {ResourceRegistry} from '../../../src/engine/kube/api/registry.js'

const registry = new ResourceRegistry()
const pod = registry.byKind('', 'Pod')!

test('FieldsV1 reads and writes back unchanged, "." marking a member with children', () => {
  const v1 = {'f:metadata': {'f:labels': {'.': {}, 'f:app': {}}}, 'f:spec': {'f:containers': {'k:{"name":"web"}': {'.': {}, 'f:image': {}}}}}
  assert.deepEqual(FieldSet.fromFieldsV1(v1).toFieldsV1(), v1)
  assert.throws(() => FieldSet.fromFieldsV1({'x:bad': {}}), /unknown path element/)
})

test('union, difference and intersection keep members and drop empty branches', () => {
  const a = FieldSet.fromFieldsV1({'f:data': {'f:a': {}, 'f:b': {}}})
  const b = FieldSet.fromFieldsV1({'f:data': {'f:b': {}, 'f:c': {}}})
  assert.deepEqual(a.union(b).toFieldsV1(), {'f:data': {'f:a': {}, 'f:b': {}, 'f:c': {}}})
  assert.deepEqual(a.difference(b).toFieldsV1(), {'f:data': {'f:a': {}}})
  assert.deepEqual(a.intersection(b).toFieldsV1(), {'f:data': {'f:b': {}}})
  assert.ok(a.difference(a).isEmpty())
})

test('paths print as in conflict messages: fields, keyed items, set values, positions', () => {
  assert.equal(pathString(['f:data', 'f:color']), '.data.color')
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}', 'f:name']), '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].name')
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"example.com/x"']), '.metadata.finalizers[="example.com/x"]')
  assert.equal(pathString(['f:list', 'i:3']), '.list[3]')
})

test('an applied pod names leaves, keyed items, set items and map keys; struct fields only through them', () => {
  const config = {
    metadata: {name: 'p', labels: {app: 'web'}, finalizers: ['a/b']},
    spec: {containers: [{name: 'web', image: 'nginx', ports: [{containerPort: 80}], args: ['x']}], nodeSelector: {}},
  }
  assert.deepEqual(toFieldSet(config, shapeOf(pod)).toFieldsV1(), {
    'f:metadata': {'f:finalizers': {'v:"a/b"': {}}, 'f:labels': {'f:app': {}}, 'f:name': {}},
    'f:spec': {
      'f:containers': {'k:{"name":"web"}': {'.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {}, 'f:ports': {'k:{"containerPort":80,"protocol":"TCP"}': {'.': {}, 'f:containerPort': {}}}}},
      'f:nodeSelector': {},
    },
  })
})

test('a comparison tells added, changed and removed fields apart, whole new maps included', () => {
  const before = {metadata: {name: 'p'}, spec: {containers: [{name: 'web', image: 'nginx:1', args: ['a']}]}}
  const after = {metadata: {name: 'p', labels: {app: 'x'}}, spec: {containers: [{name: 'web', image: 'nginx:2'}]}}
  const c = compare(before, after, shapeOf(pod))
  assert.deepEqual(c.added.toFieldsV1(), {'f:metadata': {'f:labels': {'.': {}, 'f:app': {}}}})
  assert.deepEqual(c.modified.toFieldsV1(), {'f:spec': {'f:containers': {'k:{"name":"web"}': {'f:image': {}}}}})
  assert.deepEqual(c.removed.toFieldsV1(), {'f:spec': {'f:containers': {'k:{"name":"web"}': {'f:args': {}}}}})
})
