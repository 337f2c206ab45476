// @kubernetes/client-node 1.4 against our API server: typed CRUD, selectors and paging, a raw
// watch, and an informer that lists then watches.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import * as k8s from '@kubernetes/client-node'
import {startCluster, type Cluster} from './harness.js'

let c: Cluster
let kc: k8s.KubeConfig
let core: k8s.CoreV1Api
before(async () => {
  c = await startCluster()
  kc = new k8s.KubeConfig()
  kc.loadFromFile(c.kubeconfig)
  core = kc.makeApiClient(k8s.CoreV1Api)
})
after(async () => {
  await c.close()
})

test('configmap CRUD with optimistic concurrency', async () => {
  const created = await core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: 'cfg', labels: {app: 'a'}}, data: {k: 'v'}}})
  assert.equal(created.metadata?.name, 'cfg')
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/)
  const read = await core.readNamespacedConfigMap({name: 'cfg', namespace: 'default'})
  assert.deepEqual(read.data, {k: 'v'})
  read.data = {k: 'v2'}
  const replaced = await core.replaceNamespacedConfigMap({name: 'cfg', namespace: 'default', body: read})
  assert.ok(Number(replaced.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion))
  // The stale copy loses, with Kubernetes' conflict message.
  await assert.rejects(core.replaceNamespacedConfigMap({name: 'cfg', namespace: 'default', body: read}), (error: Error & {code?: number; body?: string}) => {
    assert.equal(error.code, 409)
    assert.match(String(error.body), /Operation cannot be fulfilled on configmaps \\"cfg\\": the object has been modified; please apply your changes to the latest version and try again/)
    return true
  })
  await assert.rejects(core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: 'cfg'}}}), (error: Error & {code?: number}) => error.code === 409)
  await core.deleteNamespacedConfigMap({name: 'cfg', namespace: 'default'})
  await assert.rejects(core.readNamespacedConfigMap({name: 'cfg', namespace: 'default'}), (error: Error & {code?: number}) => error.code === 404)
})

test('list with label selectors and paging', async () => {
  for (let i = 0; i < 7; i++) {
    await core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: `page-${i}`, labels: {parity: i % 2 ? 'odd' : 'even', page: 'yes'}}}})
  }
  const odd = await core.listNamespacedConfigMap({namespace: 'default', labelSelector: 'parity=odd'})
  assert.deepEqual(odd.items.map((x) => x.metadata?.name), ['page-1', 'page-3', 'page-5'])
  const setBased = await core.listNamespacedConfigMap({namespace: 'default', labelSelector: 'parity in (even),page'})
  assert.equal(setBased.items.length, 4)
  const names: string[] = []
  let cont: string | undefined
  let pages = 0
  do {
    const page = await core.listNamespacedConfigMap({namespace: 'default', labelSelector: 'page=yes', limit: 3, _continue: cont})
    names.push(...page.items.map((x) => x.metadata!.name!))
    cont = page.metadata?._continue
    pages++
  } while (cont)
  assert.equal(pages, 3)
  assert.deepEqual(names, [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`))
  const byField = await core.listConfigMapForAllNamespaces({fieldSelector: 'metadata.name=page-2'})
  assert.deepEqual(byField.items.map((x) => x.metadata?.name), ['page-2'])
})

test('watch delivers ADDED, MODIFIED, DELETED in order', async () => {
  const start = await core.listNamespacedConfigMap({namespace: 'default'})
  const events: string[] = []
  const watch = new k8s.Watch(kc)
  let resolveDone: () => void
  const done = new Promise<void>((r) => (resolveDone = r))
  const controller = await watch.watch(
    '/api/v1/namespaces/default/configmaps',
    {resourceVersion: start.metadata?.resourceVersion, labelSelector: 'w=1'},
    (type, obj) => {
      events.push(`${type} ${obj.metadata.name} ${JSON.stringify(obj.data ?? {})}`)
      if (type === 'DELETED') resolveDone()
    },
    () => undefined,
  )
  await core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: 'watched', labels: {w: '1'}}, data: {a: '1'}}})
  await core.patchNamespacedConfigMap({name: 'watched', namespace: 'default', body: {data: {a: '2'}}}, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))
  await core.createNamespacedConfigMap({namespace: 'default', body: {metadata: {name: 'unwatched'}}})
  await core.deleteNamespacedConfigMap({name: 'watched', namespace: 'default'})
  await done
  controller.abort()
  assert.deepEqual(events, ['ADDED watched {"a":"1"}', 'MODIFIED watched {"a":"2"}', 'DELETED watched {"a":"2"}'])
})

test('an informer lists, then watches', async () => {
  await core.createNamespacedPod({namespace: 'default', body: {metadata: {name: 'inf-0', labels: {inf: 'y'}}, spec: {containers: [{name: 'c', image: 'busybox'}]}}})
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({namespace: 'default', labelSelector: 'inf=y'}), 'inf=y')
  const added: string[] = []
  const deleted: string[] = []
  informer.on('add', (p) => added.push(p.metadata!.name!))
  informer.on('delete', (p) => deleted.push(p.metadata!.name!))
  await informer.start()
  try {
    await core.createNamespacedPod({namespace: 'default', body: {metadata: {name: 'inf-1', labels: {inf: 'y'}}, spec: {containers: [{name: 'c', image: 'busybox'}]}}})
    await core.deleteNamespacedPod({name: 'inf-0', namespace: 'default'})
    const deadline = Date.now() + 30_000
    while ((added.length < 2 || deleted.length < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(added.sort(), ['inf-0', 'inf-1'])
    assert.deepEqual(deleted, ['inf-0'])
    assert.deepEqual(informer.list('default').map((p) => p.metadata?.name), ['inf-1'])
  } finally {
    await informer.stop()
  }
})
