// The API server through handle() alone (as the in-process transport calls it): object
// lifecycle rules, watch semantics, custom resources.
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
  dir = mkdtempSync(join(tmpdir(), 'kube-handler-'))
  engine = await openEmbedded(dir)
  api = createApiServer({etcd: engine, bookmarkIntervalMs: 200})
  await api.start()
})
after(async () => {
  await api.close()
  await engine.close()
  rmSync(dir, {recursive: true, force: true})
})

async function call(method: KubeMethod, path: string, body?: unknown, opts: {query?: Record<string, string>; type?: string; accept?: string} = {}): Promise<{status: number; body: any}> {
  const res = await api.handle({
    method,
    path,
    query: opts.query,
    headers: {'content-type': opts.type ?? 'application/json', accept: opts.accept ?? 'application/json'},
    body: body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  })
  const chunks: Buffer[] = []
  for await (const c of res.body) chunks.push(Buffer.from(c))
  return {status: res.status, body: JSON.parse(Buffer.concat(chunks).toString() || 'null')}
}

/** Opens a watch and collects events until `until` says stop. */
async function watchUntil(path: string, query: Record<string, string>, until: (events: any[]) => boolean, during?: () => Promise<void>): Promise<any[]> {
  const res = await api.handle({method: 'GET', path, query: {watch: 'true', ...query}})
  assert.equal(res.status, 200)
  const events: any[] = []
  const pending = during?.()
  let buf = ''
  const timer = setTimeout(() => res.close(), 30_000)
  for await (const chunk of res.body) {
    buf += Buffer.from(chunk).toString()
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)))
      buf = buf.slice(nl + 1)
    }
    if (until(events)) break
  }
  clearTimeout(timer)
  res.close()
  await pending
  return events
}

const pod = (name: string, extra: any = {}) => ({apiVersion: 'v1', kind: 'Pod', metadata: {name, ...extra.metadata}, spec: {containers: [{name: 'c', image: 'busybox'}], ...extra.spec}})

test('generateName, uid, creationTimestamp, resourceVersion from the store', async () => {
  const created = await call('POST', '/api/v1/namespaces/default/pods', pod('', {metadata: {generateName: 'web-'}}))
  assert.equal(created.status, 201)
  assert.match(created.body.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  assert.match(created.body.metadata.uid, /^[0-9a-f]{8}-/)
  const rv = Number(created.body.metadata.resourceVersion)
  const range = await engine.range({key: Buffer.from(`/registry/pods/default/${created.body.metadata.name}`)})
  assert.equal(Number(range.kvs[0].modRevision), rv)
  assert.equal(JSON.parse(range.kvs[0].value.toString()).metadata.resourceVersion, undefined, 'resourceVersion is never stored')
  const missingNs = await call('POST', '/api/v1/namespaces/nope/pods', pod('x'))
  assert.equal(missingNs.status, 404)
  assert.equal(missingNs.body.message, 'namespaces "nope" not found')
})

test('updates: stale resourceVersion is 409, generation moves only with the spec, status is its own subresource', async () => {
  const dep = {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'g'}, spec: {selector: {matchLabels: {a: 'b'}}, template: {metadata: {labels: {a: 'b'}}, spec: {containers: [{name: 'c', image: 'x'}]}}}}
  const created = (await call('POST', '/apis/apps/v1/namespaces/default/deployments', dep)).body
  assert.equal(created.metadata.generation, 1)
  const labelled = (await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/g', {metadata: {labels: {x: 'y'}}}, {type: 'application/merge-patch+json'})).body
  assert.equal(labelled.metadata.generation, 1)
  const scaled = (await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/g', {spec: {replicas: 4}}, {type: 'application/merge-patch+json'})).body
  assert.equal(scaled.metadata.generation, 2)
  const stale = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/g', created)
  assert.equal(stale.status, 409)
  assert.equal(stale.body.message, 'Operation cannot be fulfilled on deployments.apps "g": the object has been modified; please apply your changes to the latest version and try again')
  const statusWrite = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/g/status', {...scaled, spec: {...scaled.spec, replicas: 9}, status: {replicas: 4, readyReplicas: 2}})
  assert.equal(statusWrite.body.spec.replicas, 4, 'a status write leaves the spec alone')
  assert.equal(statusWrite.body.status.readyReplicas, 2)
  const mainWrite = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/g', {...statusWrite.body, status: {}})
  assert.equal(mainWrite.body.status.readyReplicas, 2, 'a main write leaves the status alone')
  const unchanged = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/g', mainWrite.body)
  assert.equal(unchanged.body.metadata.resourceVersion, mainWrite.body.metadata.resourceVersion, 'a no-op update writes nothing')
  const scale = await call('GET', '/apis/apps/v1/namespaces/default/deployments/g/scale')
  assert.deepEqual([scale.body.kind, scale.body.spec.replicas, scale.body.status.selector], ['Scale', 4, 'a=b'])
  const immutable = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/g', {spec: {selector: {matchLabels: {a: 'c'}}, template: {metadata: {labels: {a: 'c'}}}}}, {type: 'application/merge-patch+json'})
  assert.equal(immutable.status, 422)
  assert.match(immutable.body.message, /^Deployment.apps "g" is invalid: spec.selector: Invalid value: .*: field is immutable$/)
})

test('finalizers hold a deletion until removed; bound pods wait for their grace period', async () => {
  await call('POST', '/api/v1/namespaces/default/configmaps', {metadata: {name: 'held', finalizers: ['example.com/hold']}})
  const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/held')
  assert.equal(del.status, 202)
  assert.match(del.body.metadata.deletionTimestamp, /Z$/)
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/held')).status, 200)
  const added = await call('PATCH', '/api/v1/namespaces/default/configmaps/held', {metadata: {finalizers: ['example.com/hold', 'new']}}, {type: 'application/merge-patch+json'})
  assert.equal(added.status, 403)
  await call('PATCH', '/api/v1/namespaces/default/configmaps/held', [{op: 'remove', path: '/metadata/finalizers'}], {type: 'application/json-patch+json'})
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/held')).status, 404)

  await call('POST', '/api/v1/namespaces/default/pods', pod('bound'))
  const bind = await call('POST', '/api/v1/namespaces/default/pods/bound/binding', {apiVersion: 'v1', kind: 'Binding', metadata: {name: 'bound'}, target: {kind: 'Node', name: 'n1'}})
  assert.equal(bind.status, 201)
  const graceful = await call('DELETE', '/api/v1/namespaces/default/pods/bound')
  assert.equal(graceful.status, 202)
  assert.equal(graceful.body.metadata.deletionGracePeriodSeconds, 30)
  const now = await call('DELETE', '/api/v1/namespaces/default/pods/bound', undefined, {query: {gracePeriodSeconds: '0'}})
  assert.equal(now.status, 200)
  assert.equal((await call('GET', '/api/v1/namespaces/default/pods/bound')).status, 404)
  await call('POST', '/api/v1/namespaces/default/pods', pod('unbound'))
  assert.equal((await call('DELETE', '/api/v1/namespaces/default/pods/unbound')).status, 200, 'a pod no kubelet runs goes at once')
})

test('watch: selector moves become ADDED/DELETED; sendInitialEvents ends with the bookmark; compacted revisions are 410', async () => {
  const list = await call('GET', '/api/v1/namespaces/default/configmaps')
  const events = await watchUntil(
    '/api/v1/namespaces/default/configmaps',
    {resourceVersion: list.body.metadata.resourceVersion, labelSelector: 'sel=yes'},
    (e) => e.length >= 3,
    async () => {
      await call('POST', '/api/v1/namespaces/default/configmaps', {metadata: {name: 'mover', labels: {sel: 'no'}}})
      await call('PATCH', '/api/v1/namespaces/default/configmaps/mover', {metadata: {labels: {sel: 'yes'}}}, {type: 'application/merge-patch+json'})
      await call('PATCH', '/api/v1/namespaces/default/configmaps/mover', {data: {a: '1'}}, {type: 'application/merge-patch+json'})
      await call('PATCH', '/api/v1/namespaces/default/configmaps/mover', {metadata: {labels: {sel: 'no'}}}, {type: 'application/merge-patch+json'})
    },
  )
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED'])
  const initial = await watchUntil('/api/v1/namespaces/default/configmaps', {sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: 'true'}, (e) => e.some((x) => x.type === 'BOOKMARK'))
  const bookmark = initial.at(-1)
  assert.equal(bookmark.type, 'BOOKMARK')
  assert.equal(bookmark.object.metadata.annotations['k8s.io/initial-events-end'], 'true')
  assert.ok(initial.slice(0, -1).every((e) => e.type === 'ADDED'))
  const rev = await engine.range({key: Buffer.from('x')})
  await api.server.state.compact(rev.header!.revision)
  const gone = await watchUntil('/api/v1/namespaces/default/configmaps', {resourceVersion: '2'}, (e) => e.length >= 1)
  assert.equal(gone[0].type, 'ERROR')
  assert.equal(gone[0].object.code, 410)
  assert.match(gone[0].object.message, /^too old resource version: 2 \(\d+\)$/)
})

test('list paging with continue tokens, and tables', async () => {
  for (let i = 0; i < 5; i++) await call('POST', '/api/v1/namespaces/default/secrets', {metadata: {name: `s${i}`}, stringData: {}})
  const first = await call('GET', '/api/v1/namespaces/default/secrets', undefined, {query: {limit: '2'}})
  assert.equal(first.body.items.length, 2)
  assert.equal(first.body.metadata.remainingItemCount, 3)
  const second = await call('GET', '/api/v1/namespaces/default/secrets', undefined, {query: {limit: '2', continue: first.body.metadata.continue}})
  assert.deepEqual(second.body.items.map((x: any) => x.metadata.name), ['s2', 's3'])
  const table = await call('GET', '/api/v1/namespaces/default/secrets', undefined, {accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'})
  assert.equal(table.body.kind, 'Table')
  assert.deepEqual(table.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Type', 'Data', 'Age'])
  assert.equal(table.body.rows[0].object.kind, 'PartialObjectMetadata')
  const bad = await call('GET', '/api/v1/namespaces/default/secrets', undefined, {query: {continue: 'garbage'}})
  assert.equal(bad.status, 400)
})

test('a CustomResourceDefinition serves its resource, with its printer columns', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {name: 'widgets.example.com'},
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: {plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd']},
      versions: [{name: 'v1', served: true, storage: true, schema: {openAPIV3Schema: {type: 'object', properties: {spec: {type: 'object', properties: {size: {type: 'integer'}}}}}}, additionalPrinterColumns: [{name: 'Size', type: 'integer', jsonPath: '.spec.size'}], subresources: {status: {}}}],
    },
  }
  assert.equal((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201)
  const w = await call('POST', '/apis/example.com/v1/namespaces/default/widgets', {apiVersion: 'example.com/v1', kind: 'Widget', metadata: {name: 'w1'}, spec: {size: 3}})
  assert.equal(w.status, 201)
  assert.equal(w.body.metadata.generation, 1)
  const table = await call('GET', '/apis/example.com/v1/namespaces/default/widgets', undefined, {accept: 'application/json;as=Table;v=v1;g=meta.k8s.io'})
  assert.deepEqual(table.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Size', 'Age'])
  assert.deepEqual(table.body.rows[0].cells.slice(0, 2), ['w1', 3])
  const disco = await call('GET', '/apis/example.com/v1')
  assert.deepEqual(disco.body.resources.map((r: any) => r.name), ['widgets', 'widgets/status'])
  const smp = await call('PATCH', '/apis/example.com/v1/namespaces/default/widgets/w1', {spec: {size: 4}}, {type: 'application/strategic-merge-patch+json'})
  assert.equal(smp.status, 415)
  assert.equal((await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status, 200)
  assert.equal((await call('GET', '/apis/example.com/v1/namespaces/default/widgets')).status, 404)
})

test('admission: LimitRange defaults and maxima, ResourceQuota counts', async () => {
  await call('POST', '/api/v1/namespaces', {metadata: {name: 'limited'}})
  await call('POST', '/api/v1/namespaces/limited/limitranges', {metadata: {name: 'lr'}, spec: {limits: [{type: 'Container', default: {cpu: '500m', memory: '128Mi'}, defaultRequest: {cpu: '100m'}, max: {cpu: '1'}}]}})
  const p = await call('POST', '/api/v1/namespaces/limited/pods', pod('p1'))
  assert.equal(p.status, 201)
  assert.deepEqual(p.body.spec.containers[0].resources, {limits: {cpu: '500m', memory: '128Mi'}, requests: {cpu: '100m', memory: '128Mi'}})
  assert.equal(p.body.status.qosClass, 'Burstable')
  const big = await call('POST', '/api/v1/namespaces/limited/pods', pod('big', {spec: {containers: [{name: 'c', image: 'x', resources: {limits: {cpu: '2'}}}]}}))
  assert.equal(big.status, 403)
  assert.equal(big.body.message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2')
  await call('POST', '/api/v1/namespaces/limited/resourcequotas', {metadata: {name: 'q'}, spec: {hard: {pods: '2', 'requests.cpu': '150m'}}})
  const second = await call('POST', '/api/v1/namespaces/limited/pods', pod('p2'))
  assert.equal(second.status, 403)
  assert.equal(second.body.message, 'pods "p2" is forbidden: exceeded quota: q, requested: requests.cpu=100m, used: requests.cpu=100m, limited: requests.cpu=150m')
})
