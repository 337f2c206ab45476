// Server-side apply and managed fields through handle(): who owns what after creates, updates
// and applies, conflicts between managers, forcing, and fields an applier gives up.
/* eslint-disable @typescript-eslint/no-explicit-any -- objects under test are free-form JSON */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import type {KubeMethod} from '../../../src/client/kube/transport.js'
import {openEmbedded, type EmbeddedEtcd} from '../../../src/engine/etcd/embedded.js'
import {createApiServer, type RunningApiServer} from '../../../src/engine/kube/apiserver/start.js'

let dir: string
let engine: EmbeddedEtcd
let api: RunningApiServer
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-ssa-'))
  engine = await openEmbedded(dir)
  api = createApiServer({etcd: engine})
  await api.start()
})
after(async () => {
  await api.close()
  await engine.close()
  rmSync(dir, {recursive: true, force: true})
})

async function call(method: KubeMethod, path: string, body?: unknown, opts: {query?: Record<string, string>; type?: string; agent?: string} = {}): Promise<{status: number; body: any}> {
  const res = await api.handle({
    method,
    path,
    query: opts.query,
    headers: {'content-type': opts.type ?? 'application/json', accept: 'application/json', 'user-agent': opts.agent ?? 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'},
    body: body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  })
  const chunks: Buffer[] = []
  for await (const c of res.body) chunks.push(Buffer.from(c))
  return {status: res.status, body: JSON.parse(Buffer.concat(chunks).toString() || 'null')}
}

const apply = (path: string, obj: unknown, manager: string, force = false) =>
  call('PATCH', path, obj, {type: 'application/apply-patch+yaml', query: {fieldManager: manager, ...(force ? {force: 'true'} : {})}})

const managers = (obj: any) => (obj.metadata.managedFields ?? []).map((m: any) => ({manager: m.manager, operation: m.operation, fields: m.fieldsV1}))
const cmPath = (name: string) => `/api/v1/namespaces/default/configmaps/${name}`

test('a create is recorded under its field manager, defaulted fields included', async () => {
  const created = await call('POST', '/api/v1/namespaces/default/pods', {metadata: {name: 'mf-pod', labels: {app: 'web'}}, spec: {containers: [{name: 'web', image: 'nginx', ports: [{containerPort: 80}]}]}}, {query: {fieldManager: 'kubectl-create'}})
  assert.equal(created.status, 201)
  const [entry] = created.body.metadata.managedFields
  assert.equal(entry.manager, 'kubectl-create')
  assert.equal(entry.operation, 'Update')
  assert.equal(entry.apiVersion, 'v1')
  assert.equal(entry.fieldsType, 'FieldsV1')
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  const c = entry.fieldsV1['f:spec']['f:containers']['k:{"name":"web"}']
  assert.deepEqual(c['.'], {})
  assert.deepEqual(c['f:ports']['k:{"containerPort":80,"protocol":"TCP"}']['f:containerPort'], {})
  assert.ok(c['f:terminationMessagePath'], 'defaulted fields belong to the creator')
  assert.deepEqual(entry.fieldsV1['f:metadata'], {'f:labels': {'.': {}, 'f:app': {}}})
  assert.equal(entry.fieldsV1['f:status'], undefined, 'status is not written through the main resource')
})

test('without a fieldManager the user agent names the manager', async () => {
  const created = await call('POST', '/api/v1/namespaces/default/configmaps', {metadata: {name: 'mf-agent'}, data: {a: '1'}})
  assert.deepEqual(managers(created.body), [{manager: 'kubectl', operation: 'Update', fields: {'f:data': {'.': {}, 'f:a': {}}}}])
})

test('a scale is recorded as kube-apiserver records it: spec.replicas moves to the scaler, subresource scale', async () => {
  const path = '/apis/apps/v1/namespaces/default/deployments/mf-scaled'
  const created = await call('POST', '/apis/apps/v1/namespaces/default/deployments', {
    metadata: {name: 'mf-scaled'},
    spec: {replicas: 1, selector: {matchLabels: {app: 's'}}, template: {metadata: {labels: {app: 's'}}, spec: {containers: [{name: 'c', image: 'nginx'}]}}},
  }, {query: {fieldManager: 'kubectl-create'}})
  assert.equal(created.status, 201)
  assert.ok(created.body.metadata.managedFields[0].fieldsV1['f:spec']['f:replicas'])
  const scaled = await call('PATCH', `${path}/scale`, {spec: {replicas: 3}}, {type: 'application/merge-patch+json'})
  assert.equal(scaled.status, 200)
  const after = (await call('GET', path)).body
  const entries = after.metadata.managedFields.map((m: any) => ({manager: m.manager, operation: m.operation, subresource: m.subresource, fields: m.fieldsV1}))
  assert.equal(entries.length, 2)
  assert.deepEqual(entries.find((e: any) => e.manager === 'kubectl'), {manager: 'kubectl', operation: 'Update', subresource: 'scale', fields: {'f:spec': {'f:replicas': {}}}})
  assert.equal(entries.find((e: any) => e.manager === 'kubectl-create').fields['f:spec']['f:replicas'], undefined, 'the creator no longer owns replicas')
  const dry = await call('PATCH', `${path}/scale`, {spec: {replicas: 5}}, {type: 'application/merge-patch+json', query: {dryRun: 'All', fieldManager: 'other'}})
  assert.equal(dry.status, 200)
  assert.equal((await call('GET', path)).body.metadata.managedFields.length, 2, 'a dry run records nothing')
})

test('apply creates, re-applying changes nothing, and a second applier co-owns equal values', async () => {
  const cfg = {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'ssa', labels: {app: 'web'}}, data: {color: 'blue', size: 'L'}}
  const first = await apply(cmPath('ssa'), cfg, 'alice')
  assert.equal(first.status, 201)
  assert.deepEqual(managers(first.body), [{manager: 'alice', operation: 'Apply', fields: {'f:data': {'f:color': {}, 'f:size': {}}, 'f:metadata': {'f:labels': {'f:app': {}}}}}])
  const again = await apply(cmPath('ssa'), cfg, 'alice')
  assert.equal(again.status, 200)
  assert.equal(again.body.metadata.resourceVersion, first.body.metadata.resourceVersion, 'an unchanged apply writes nothing')
  const shared = await apply(cmPath('ssa'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'ssa'}, data: {color: 'blue'}}, 'bob')
  assert.equal(shared.status, 200)
  assert.deepEqual(managers(shared.body).map((m: any) => m.manager), ['alice', 'bob'])
})

test('changing a field another manager owns is a conflict naming it; force takes it over', async () => {
  const conflict = await apply(cmPath('ssa'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'ssa'}, data: {size: 'XL'}}, 'bob')
  assert.equal(conflict.status, 409)
  assert.equal(conflict.body.reason, 'Conflict')
  assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "alice": .data.size')
  assert.deepEqual(conflict.body.details, {causes: [{reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.size'}]})

  const two = await apply(cmPath('ssa'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'ssa', labels: {app: 'api'}}, data: {size: 'XL'}}, 'carol')
  assert.equal(two.status, 409)
  assert.equal(two.body.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .data.size\n- .metadata.labels.app')

  const forced = await apply(cmPath('ssa'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'ssa'}, data: {size: 'XL'}}, 'bob', true)
  assert.equal(forced.status, 200)
  assert.equal(forced.body.data.size, 'XL')
  const byName = Object.fromEntries(managers(forced.body).map((m: any) => [m.manager, m.fields]))
  assert.deepEqual(byName.alice, {'f:data': {'f:color': {}}, 'f:metadata': {'f:labels': {'f:app': {}}}})
  assert.deepEqual(byName.bob, {'f:data': {'f:size': {}}})
})

test('an update takes fields from appliers, and the applier then conflicts with it', async () => {
  const patched = await call('PATCH', cmPath('ssa'), {data: {color: 'red'}}, {type: 'application/merge-patch+json', query: {fieldManager: 'kubectl-patch'}})
  assert.equal(patched.status, 200)
  const conflict = await apply(cmPath('ssa'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'ssa', labels: {app: 'web'}}, data: {color: 'blue'}}, 'alice')
  assert.equal(conflict.status, 409)
  assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.color')
})

test('fields an applier stops naming are removed unless another manager holds them', async () => {
  await apply(cmPath('prune'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'prune'}, data: {a: '1', b: '2', c: '3'}}, 'alice')
  await apply(cmPath('prune'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'prune'}, data: {c: '3'}}, 'bob')
  const after = await apply(cmPath('prune'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'prune'}, data: {a: '1'}}, 'alice')
  assert.equal(after.status, 200)
  assert.deepEqual(after.body.data, {a: '1', c: '3'})
})

test('lists merge by key under apply, atomic lists are replaced whole', async () => {
  const path = '/apis/apps/v1/namespaces/default/deployments/ssa-web'
  const dep = (image: string, args: string[]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {name: 'ssa-web'},
    spec: {selector: {matchLabels: {app: 'w'}}, template: {metadata: {labels: {app: 'w'}}, spec: {containers: [{name: 'web', image, args}]}}},
  })
  assert.equal((await apply(path, dep('nginx:1', ['a', 'b']), 'alice')).status, 201)
  const sidecar = {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'ssa-web'}, spec: {template: {spec: {containers: [{name: 'log', image: 'busybox'}]}}}}
  const both = await apply(path, sidecar, 'bob')
  assert.equal(both.status, 200)
  assert.deepEqual(both.body.spec.template.spec.containers.map((c: any) => c.name), ['web', 'log'])
  const args = await apply(path, dep('nginx:1', ['c']), 'alice')
  assert.deepEqual(args.body.spec.template.spec.containers[0].args, ['c'])
  const conflict = await apply(path, {...sidecar, spec: {template: {spec: {containers: [{name: 'web', image: 'nginx:2'}]}}}}, 'bob')
  assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="web"].image')
})

test('apply needs a field manager; force only goes with apply', async () => {
  const noManager = await call('PATCH', cmPath('ssa'), {data: {}}, {type: 'application/apply-patch+yaml'})
  assert.equal(noManager.status, 422)
  assert.equal(noManager.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')
  const force = await call('PATCH', cmPath('ssa'), {data: {}}, {type: 'application/merge-patch+json', query: {force: 'true'}})
  assert.equal(force.status, 422)
  assert.equal(force.body.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch')
})
