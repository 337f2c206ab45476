// Units of the API machinery: selectors, validation messages, strategic merge patch, tables.
/* eslint-disable @typescript-eslint/no-explicit-any -- objects under test are free-form JSON */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {matchesFields, matchesSelector, parseFieldSelector, parseLabelSelector, parseLabelSelectorObject, selectorString} from '../../../src/engine/kube/api/selectors.js'
import {isDNS1123Label, isDNS1123Subdomain, isQualifiedName, validateObjectMeta} from '../../../src/engine/kube/api/validation.js'
import {Status} from '../../../src/engine/kube/api/status.js'
import {applyDefaults} from '../../../src/engine/kube/api/defaults.js'
import {strategicMerge, mergePatch, jsonPatch} from '../../../src/engine/kube/apiserver/patch.js'
import {humanDuration, printerFor, toTable} from '../../../src/engine/kube/apiserver/tables.js'
import {builtinResources} from '../../../src/engine/kube/api/registry.js'

test('label selectors: equality, set-based, existence', () => {
  const sel = parseLabelSelector('app=web,tier in (front, back),!canary,env!=prod,track')
  assert.equal(sel.length, 5)
  assert.ok(matchesSelector(sel, {app: 'web', tier: 'front', track: 'x'}))
  assert.ok(!matchesSelector(sel, {app: 'web', tier: 'front', track: 'x', canary: 'y'}))
  assert.ok(!matchesSelector(sel, {app: 'web', tier: 'mid', track: 'x'}))
  assert.ok(!matchesSelector(sel, {app: 'web', tier: 'front', track: 'x', env: 'prod'}))
  assert.ok(matchesSelector(parseLabelSelector('x notin (a,b)'), {}))
  assert.ok(matchesSelector(parseLabelSelector('n>3'), {n: '4'}))
  assert.ok(matchesSelector(parseLabelSelector(''), {a: 'b'}))
  assert.throws(() => parseLabelSelector('a in ()'), /values set can't be empty/)
  assert.throws(() => parseLabelSelector('a=b,,c'), /unable to parse requirement/)
  const obj = parseLabelSelectorObject({matchLabels: {app: 'web'}, matchExpressions: [{key: 'tier', operator: 'In', values: ['b', 'a']}]})
  assert.equal(selectorString(obj), 'app=web,tier in (a,b)')
})

test('field selectors: per-kind fields, unknown fields refused', () => {
  const reqs = parseFieldSelector('status.phase=Running,spec.nodeName!=n1', 'Pod')
  assert.ok(matchesFields(reqs, {status: {phase: 'Running'}, spec: {nodeName: 'n2'}}))
  assert.ok(!matchesFields(reqs, {status: {phase: 'Running'}, spec: {nodeName: 'n1'}}))
  assert.ok(matchesFields(parseFieldSelector('involvedObject.name=web', 'Event'), {involvedObject: {name: 'web'}}))
  assert.throws(() => parseFieldSelector('spec.foo=x', 'Pod'), /field label not supported: spec.foo/)
})

test('names and labels are checked with Kubernetes\' words', () => {
  assert.deepEqual(isDNS1123Label('web-1'), [])
  assert.match(isDNS1123Label('Web')[0], /^a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character \(e.g. 'my-name',  or '123-abc', regex used/)
  assert.match(isDNS1123Subdomain('a_b')[0], /^a lowercase RFC 1123 subdomain must consist of/)
  assert.deepEqual(isDNS1123Subdomain('x'.repeat(254)).slice(0, 1), ['must be no more than 253 characters'])
  assert.deepEqual(isQualifiedName('example.com/app'), [])
  assert.match(isQualifiedName('bad key')[0], /^name part must consist of alphanumeric characters/)
  const errs = validateObjectMeta({name: 'Bad_Name', namespace: 'default', labels: {'ok': 'bad value'}}, {namespaced: true, nameRule: 'subdomain'})
  const status = Status.invalid('Pod', '', 'Bad_Name', errs)
  assert.equal(status.code, 422)
  assert.match(status.message, /^Pod "Bad_Name" is invalid: \[metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of .*, metadata.labels: Invalid value: "bad value": a valid label must be/)
  assert.match(Status.invalid('Pod', '', 'x', [{type: 'FieldValueRequired', field: 'spec.containers', detail: ''}]).message, /^Pod "x" is invalid: spec.containers: Required value$/)
})

test('defaults fill pods and deployments as kube-apiserver does', () => {
  const dep = {spec: {template: {spec: {containers: [{name: 'a', image: 'nginx'}]}}}} as Record<string, any>
  applyDefaults('Deployment', dep, {create: true})
  assert.equal(dep.spec.replicas, 1)
  assert.deepEqual(dep.spec.strategy, {type: 'RollingUpdate', rollingUpdate: {maxUnavailable: '25%', maxSurge: '25%'}})
  assert.equal(dep.spec.revisionHistoryLimit, 10)
  assert.equal(dep.spec.progressDeadlineSeconds, 600)
  const c = dep.spec.template.spec.containers[0]
  assert.equal(c.imagePullPolicy, 'Always')
  assert.equal(c.terminationMessagePath, '/dev/termination-log')
  assert.equal(dep.spec.template.spec.restartPolicy, 'Always')
  const pod = {spec: {containers: [{name: 'a', image: 'nginx:1.25', ports: [{containerPort: 80}]}]}} as Record<string, any>
  applyDefaults('Pod', pod, {create: true})
  assert.equal(pod.spec.containers[0].imagePullPolicy, 'IfNotPresent')
  assert.equal(pod.spec.containers[0].ports[0].protocol, 'TCP')
  assert.equal(pod.status.phase, 'Pending')
  assert.equal(pod.status.qosClass, 'BestEffort')
})

test('strategic merge patch merges containers by name, ports by containerPort, honours directives', () => {
  const pod = {
    metadata: {finalizers: ['a']},
    spec: {
      containers: [
        {name: 'app', image: 'v1', ports: [{containerPort: 80, protocol: 'TCP'}], env: [{name: 'A', value: '1'}]},
        {name: 'side', image: 's1'},
      ],
      tolerations: [{key: 'x'}],
    },
  }
  const out = strategicMerge(pod, {
    metadata: {finalizers: ['b']},
    spec: {
      containers: [{name: 'app', image: 'v2', ports: [{containerPort: 443}], env: [{name: 'B', value: '2'}]}, {name: 'side', $patch: 'delete'}],
      tolerations: [{key: 'y'}],
    },
  }) as any
  assert.deepEqual(out.metadata.finalizers, ['a', 'b'])
  assert.equal(out.spec.containers.length, 1)
  assert.equal(out.spec.containers[0].image, 'v2')
  assert.deepEqual(out.spec.containers[0].ports.map((p: any) => p.containerPort), [80, 443])
  assert.deepEqual(out.spec.containers[0].env.map((e: any) => e.name), ['A', 'B'])
  assert.deepEqual(out.spec.tolerations, [{key: 'y'}], 'lists without a strategy are replaced')
  const replaced = strategicMerge(pod, {spec: {containers: [{name: 'only', image: 'x'}, {$patch: 'replace'}]}}) as any
  assert.deepEqual(replaced.spec.containers, [{name: 'only', image: 'x'}])
  const retained = strategicMerge({spec: {strategy: {type: 'RollingUpdate', rollingUpdate: {maxSurge: 1}}}}, {spec: {strategy: {$retainKeys: ['type'], type: 'Recreate'}}}) as any
  assert.deepEqual(retained.spec.strategy, {type: 'Recreate'})
  const removed = strategicMerge({metadata: {finalizers: ['a', 'b']}}, {metadata: {'$deleteFromPrimitiveList/finalizers': ['a']}}) as any
  assert.deepEqual(removed.metadata.finalizers, ['b'])
  const ordered = strategicMerge(pod, {spec: {'$setElementOrder/containers': [{name: 'side'}, {name: 'app'}]}}) as any
  assert.deepEqual(ordered.spec.containers.map((c: any) => c.name), ['side', 'app'])
  assert.deepEqual(strategicMerge({a: {b: 1, c: 2}}, {a: {b: null}}), {a: {c: 2}})
})

test('merge patch and JSON patch', () => {
  assert.deepEqual(mergePatch({a: 1, b: {c: 2, d: 3}}, {b: {c: null, e: 4}, f: [1]}), {a: 1, b: {d: 3, e: 4}, f: [1]})
  assert.deepEqual(jsonPatch({spec: {replicas: 1}}, [{op: 'replace', path: '/spec/replicas', value: 3}]), {spec: {replicas: 3}})
  assert.throws(() => jsonPatch({}, [{op: 'replace', path: '/nope/x', value: 1}]), (e: any) => e.code === 422)
})

test('table columns follow kube-apiserver\'s printers', () => {
  assert.equal(humanDuration(5_000), '5s')
  assert.equal(humanDuration(150_000), '2m30s')
  assert.equal(humanDuration(3 * 3600_000 + 5 * 60_000), '3h5m')
  assert.equal(humanDuration(3 * 86400_000), '3d')
  const podDef = builtinResources.find((r) => r.kind === 'Pod')!
  assert.deepEqual(
    printerFor(podDef).columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
  )
  const now = Date.parse('2026-01-01T00:10:00Z')
  const pod = {
    metadata: {name: 'web', creationTimestamp: '2026-01-01T00:00:00Z'},
    spec: {containers: [{name: 'a'}, {name: 'b'}], nodeName: 'n1'},
    status: {phase: 'Running', podIP: '10.0.0.5', containerStatuses: [{ready: true, restartCount: 1, state: {running: {}}}, {ready: false, restartCount: 0, state: {waiting: {reason: 'CrashLoopBackOff'}}}]},
  }
  const table = toTable(podDef, [pod], {include: 'None', now}) as any
  assert.deepEqual(table.rows[0].cells, ['web', '1/2', 'CrashLoopBackOff', '1', '10m', '10.0.0.5', 'n1', '<none>', '<none>'])
  const depDef = builtinResources.find((r) => r.kind === 'Deployment')!
  assert.deepEqual(printerFor(depDef).columns.map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'])
  const svcDef = builtinResources.find((r) => r.kind === 'Service')!
  const svc = {metadata: {name: 's', creationTimestamp: '2026-01-01T00:00:00Z'}, spec: {type: 'NodePort', clusterIP: '10.96.0.9', ports: [{port: 80, nodePort: 30080, protocol: 'TCP'}], selector: {app: 'web'}}}
  assert.deepEqual((toTable(svcDef, [svc], {include: 'None', now}) as any).rows[0].cells, ['s', 'NodePort', '10.96.0.9', '<none>', '80:30080/TCP', '10m', 'app=web'])
})
