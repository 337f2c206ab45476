// The garbage collector against a real API server (in-process, on the embedded engine; on a
// real etcd with KUBE_TEST_STORE=etcd): background, foreground and orphan deletion of owners,
// chains of owners, objects with several owners, and owners that never existed.
/* eslint-disable @typescript-eslint/no-explicit-any -- objects under test are free-form JSON */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {KubeClient} from '../../../src/client/kube/client.js'
import {InProcessTransport} from '../../../src/client/kube/inprocess-transport.js'
import type {EtcdClient, EtcdWatchLeaseClient} from '../../../src/client/etcd/client.js'
import {openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {createApiServer, type RunningApiServer} from '../../../src/engine/kube/apiserver/start.js'
import {startControllers, type RunningControllers} from '../../../src/engine/kube/controllers/start.js'
import {startRealEtcd} from './real-etcd.js'

let dir: string
let engine: EtcdClient & EtcdWatchLeaseClient & {close(): Promise<void>}
let stopEtcd: (() => Promise<void>) | undefined
let api: RunningApiServer
let controllers: RunningControllers
let client: KubeClient

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-gc-'))
  if (process.env.KUBE_TEST_STORE === 'etcd') {
    const real = await startRealEtcd()
    engine = real.client as typeof engine
    stopEtcd = () => real.stop()
  } else engine = await openEmbedded(join(dir, 'data'))
  api = createApiServer({etcd: engine})
  await api.start()
  client = new KubeClient(new InProcessTransport(api), 'test')
  controllers = await startControllers(new KubeClient(new InProcessTransport(api), 'kube-controller-manager/v1.32'))
})
after(async () => {
  await controllers.stop()
  await api.close()
  await engine.close()
  await stopEtcd?.()
  rmSync(dir, {recursive: true, force: true})
})

async function configMaps(): Promise<any> {
  const data = await client.discovery()
  return data.resources.find((r) => r.kind === 'ConfigMap' && r.group === '')!
}

async function cm(name: string, owners: {name: string; uid: string; block?: boolean}[] = []): Promise<any> {
  const ownerReferences = owners.map((o) => ({apiVersion: 'v1', kind: 'ConfigMap', name: o.name, uid: o.uid, ...(o.block ? {blockOwnerDeletion: true} : {})}))
  return client.create(await configMaps(), 'default', {metadata: {name, ...(owners.length ? {ownerReferences} : {})}, data: {k: name}})
}

async function get(name: string): Promise<any> {
  try {
    return await client.get(await configMaps(), 'default', name)
  } catch (err) {
    if ((err as {code?: number}).code === 404) return undefined
    throw err
  }
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const ref = (o: any, block = false) => ({name: o.metadata.name, uid: o.metadata.uid, block})

test('background: the owner goes at once, its dependents after it', async () => {
  const owner = await cm('bg-owner')
  await cm('bg-a', [ref(owner)])
  await cm('bg-b', [ref(owner)])
  await client.delete(await configMaps(), 'default', 'bg-owner', {propagationPolicy: 'Background'})
  assert.equal(await get('bg-owner'), undefined)
  await eventually('the dependents are deleted', async () => (await get('bg-a')) === undefined && (await get('bg-b')) === undefined)
})

test('no policy is background', async () => {
  const owner = await cm('default-owner')
  await cm('default-dep', [ref(owner)])
  await client.delete(await configMaps(), 'default', 'default-owner')
  await eventually('the dependent is deleted', async () => (await get('default-dep')) === undefined)
})

test('orphan: the owner waits on the orphan finalizer, dependents lose the reference and stay', async () => {
  const owner = await cm('or-owner')
  const other = await cm('or-other')
  await cm('or-a', [ref(owner), ref(other)])
  await cm('or-b', [ref(owner)])
  const res: any = await client.delete(await configMaps(), 'default', 'or-owner', {propagationPolicy: 'Orphan'})
  assert.ok(res.metadata.deletionTimestamp)
  assert.deepEqual(res.metadata.finalizers, ['orphan'])
  await eventually('the owner is gone', async () => (await get('or-owner')) === undefined)
  const a = await get('or-a')
  const b = await get('or-b')
  assert.deepEqual(a.metadata.ownerReferences.map((r: any) => r.name), ['or-other'])
  assert.equal(b.metadata.ownerReferences, undefined)
})

test('foreground: dependents with blockOwnerDeletion go first, down a chain, then the owner', async () => {
  const top = await cm('fg-top')
  const mid = await cm('fg-mid', [ref(top, true)])
  await cm('fg-leaf', [ref(mid, true)])
  await cm('fg-loose', [ref(top)])
  const gone: string[] = []
  const watching = new AbortController()
  const watched = (async () => {
    for await (const e of client.watch(await configMaps(), 'default', {resourceVersion: top.metadata.resourceVersion}, watching.signal)) {
      if (e.type === 'DELETED' && e.object.metadata?.name?.startsWith('fg-')) gone.push(e.object.metadata.name)
    }
  })()
  const res: any = await client.delete(await configMaps(), 'default', 'fg-top', {propagationPolicy: 'Foreground'})
  assert.ok(res.metadata.deletionTimestamp)
  assert.deepEqual(res.metadata.finalizers, ['foregroundDeletion'])
  await eventually('the whole chain is gone', async () => gone.length === 4)
  watching.abort()
  await watched.catch(() => undefined)
  assert.ok(gone.indexOf('fg-leaf') < gone.indexOf('fg-mid'), `leaf before mid: ${gone.join(' ')}`)
  assert.ok(gone.indexOf('fg-mid') < gone.indexOf('fg-top'), `mid before top: ${gone.join(' ')}`)
})

test('a dependent with another owner stays and loses the reference to the deleted one', async () => {
  const one = await cm('two-one')
  const two = await cm('two-two')
  await cm('two-dep', [ref(one), ref(two)])
  await client.delete(await configMaps(), 'default', 'two-one')
  await eventually('the reference is dropped', async () => (await get('two-dep'))?.metadata.ownerReferences?.length === 1)
  assert.equal((await get('two-dep')).metadata.ownerReferences[0].name, 'two-two')
})

test('an object whose owner never existed is collected', async () => {
  await cm('ghost-dep', [{name: 'ghost', uid: '00000000-0000-4000-8000-000000000000'}])
  await eventually('the dependent is deleted', async () => (await get('ghost-dep')) === undefined)
})

test('an owner of another kind: a deployment owning a configmap', async () => {
  const data = await client.discovery()
  const deployments = data.resources.find((r) => r.kind === 'Deployment' && r.group === 'apps')!
  const dep: any = await client.create(deployments, 'default', {
    metadata: {name: 'gc-web'},
    spec: {selector: {matchLabels: {app: 'gc'}}, template: {metadata: {labels: {app: 'gc'}}, spec: {containers: [{name: 'c', image: 'busybox'}]}}},
  })
  await client.create(await configMaps(), 'default', {metadata: {name: 'gc-web-config', ownerReferences: [{apiVersion: 'apps/v1', kind: 'Deployment', name: 'gc-web', uid: dep.metadata.uid}]}})
  await new Promise((r) => setTimeout(r, 200))
  assert.ok(await get('gc-web-config'), 'a dependent of a live owner stays')
  await client.delete(deployments, 'default', 'gc-web')
  await eventually('the dependent is deleted', async () => (await get('gc-web-config')) === undefined)
})

test('a propagation policy the server does not know is refused', async () => {
  await cm('bad-policy')
  const res = await api.handle({method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/bad-policy', query: {propagationPolicy: 'Sideways'}, headers: {accept: 'application/json'}})
  assert.equal(res.status, 422)
  const chunks: Buffer[] = []
  for await (const c of res.body) chunks.push(Buffer.from(c))
  const status = JSON.parse(Buffer.concat(chunks).toString())
  assert.equal(status.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan"')
})
