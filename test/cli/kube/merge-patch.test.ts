import assert from 'node:assert/strict'
import {test} from 'node:test'
import {withLastApplied} from '../../../src/cli/kube/apply.js'
import {LAST_APPLIED, threeWayPatch} from '../../../src/cli/kube/merge-patch.js'

const strategic = {strategic: true}

test('unchanged: no patch when the live object already has everything of the manifest', () => {
  const manifest = withLastApplied({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x', namespace: 'default'}, data: {a: '1'}})
  const live = {...structuredClone(manifest), metadata: {...manifest.metadata, uid: 'u', resourceVersion: '5'}}
  const original = JSON.parse(manifest.metadata!.annotations![LAST_APPLIED]!)
  assert.deepEqual(threeWayPatch(original, manifest, live, strategic), {})
})

test('the last applied configuration is the manifest as compact sorted JSON, with empty annotations', () => {
  const m = withLastApplied({kind: 'ConfigMap', apiVersion: 'v1', metadata: {name: 'x'}, data: {b: '<', a: '1'}})
  assert.equal(m.metadata!.annotations![LAST_APPLIED], '{"apiVersion":"v1","data":{"a":"1","b":"\\u003c"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"x"}}\n')
})

test('changes, additions and removals; fields others set are kept', () => {
  const original = {data: {a: '1', gone: 'x'}}
  const modified = {data: {a: '2', added: 'y'}}
  const current = {data: {a: '1', gone: 'x', theirs: 'z'}}
  assert.deepEqual(threeWayPatch(original, modified, current, strategic), {data: {a: '2', added: 'y', gone: null}})
})

test('strategic: containers merge by name with $setElementOrder and $patch: delete', () => {
  const c = (name: string, image: string) => ({name, image})
  const original = {spec: {containers: [c('a', 'img:1'), c('b', 'img:1')]}}
  const modified = {spec: {containers: [c('a', 'img:2')]}}
  const current = {spec: {containers: [{...c('a', 'img:1'), imagePullPolicy: 'Always'}, c('b', 'img:1')]}}
  assert.deepEqual(threeWayPatch(original, modified, current, strategic), {
    spec: {
      '$setElementOrder/containers': [{name: 'a'}],
      containers: [
        {name: 'a', image: 'img:2'},
        {$patch: 'delete', name: 'b'},
      ],
    },
  })
})

test('JSON merge patch (custom resources): lists are replaced whole', () => {
  const original = {spec: {items: [1, 2]}}
  const modified = {spec: {items: [1, 3]}}
  assert.deepEqual(threeWayPatch(original, modified, {spec: {items: [1, 2]}}, {strategic: false}), {spec: {items: [1, 3]}})
})
