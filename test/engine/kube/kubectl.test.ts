// The real kubectl 1.32 against our API server over HTTPS (client certificate of system:masters).
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {after, before, test} from 'node:test'
import {startCluster, type Cluster} from './harness.js'

let c: Cluster
before(async () => {
  c = await startCluster()
})
after(async () => {
  await c.close()
})

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports: [{containerPort: 80}]
`

async function ok(args: string[], stdin?: string): Promise<string> {
  const r = await c.kubectl(args, {stdin})
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

test('kubectl api-resources lists the served kinds with short names and groups', async () => {
  const out = await ok(['api-resources'])
  assert.match(out, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/m)
  assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m)
  assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m)
  assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m)
  const all = await ok(['api-resources', '--categories=all', '-o', 'name'])
  assert.deepEqual(all.trim().split('\n').sort(), ['cronjobs.batch', 'daemonsets.apps', 'deployments.apps', 'jobs.batch', 'pods', 'replicasets.apps', 'services', 'statefulsets.apps'])
})

test('kubectl get namespaces shows the built-in ones', async () => {
  const out = await ok(['get', 'ns'])
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(out, new RegExp(`^${ns}\\s+Active\\s+\\d+s$`, 'm'))
})

test('create, apply unchanged, apply configured, get in every format', async () => {
  assert.equal(await ok(['create', '-f', '-', '--save-config'], deployment('nginx:1.25')), 'deployment.apps/web created\n')
  assert.equal(await ok(['apply', '-f', '-'], deployment('nginx:1.25')), 'deployment.apps/web unchanged\n')
  assert.equal(await ok(['apply', '-f', '-'], deployment('nginx:1.26')), 'deployment.apps/web configured\n')
  const table = await ok(['get', 'deploy'])
  assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+0\s+0\s+\d+s\n$/)
  const wide = await ok(['get', 'deploy', '-o', 'wide'])
  assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/2\s+0\s+0\s+\d+s\s+nginx\s+nginx:1.26\s+app=web/)
  const obj = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json']))
  assert.equal(obj.metadata.generation, 2)
  assert.equal(obj.spec.strategy.rollingUpdate.maxSurge, '25%')
  assert.match(obj.metadata.resourceVersion, /^\d+$/)
  assert.match(obj.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  assert.match(await ok(['get', 'deploy', 'web', '-o', 'yaml']), /^apiVersion: apps\/v1\nkind: Deployment\n/)
  assert.equal(await ok(['get', 'deploy', '-o', 'name']), 'deployment.apps/web\n')
})

test('label, annotate, patch (strategic, merge, json), scale', async () => {
  assert.equal(await ok(['label', 'deploy', 'web', 'tier=front']), 'deployment.apps/web labeled\n')
  assert.equal(await ok(['annotate', 'deploy', 'web', 'note=hi']), 'deployment.apps/web annotated\n')
  await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}'])
  await ok(['patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}}}'])
  await ok(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}]'])
  assert.equal(await ok(['scale', 'deploy', 'web', '--replicas=5']), 'deployment.apps/web scaled\n')
  const obj = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json']))
  assert.deepEqual(obj.spec.template.spec.containers.map((x: {name: string}) => x.name), ['nginx', 'side'])
  assert.equal(obj.metadata.labels.tier, 'front')
  assert.equal(obj.metadata.labels.x, 'y')
  assert.equal(obj.metadata.annotations.note, 'hi')
  assert.equal(obj.spec.revisionHistoryLimit, 3)
  assert.equal(obj.spec.replicas, 5)
  assert.equal(await ok(['get', 'deploy', '-l', 'tier in (front,back)', '-o', 'name']), 'deployment.apps/web\n')
  assert.equal(await ok(['get', 'deploy', '-l', '!tier', '-o', 'name']), '')
})

test('errors read as kube-apiserver writes them', async () => {
  const missing = await c.kubectl(['get', 'pod', 'nope'])
  assert.equal(missing.code, 1)
  assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n')
  const dup = await c.kubectl(['create', '-f', '-'], {stdin: deployment('nginx')})
  assert.equal(dup.stderr, 'Error from server (AlreadyExists): error when creating "STDIN": deployments.apps "web" already exists\n')
  const bad = await c.kubectl(['create', '-f', '-'], {stdin: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}'})
  assert.match(bad.stderr, /^The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character \(e.g. 'example.com', regex used for validation is/)
})

test('kubectl get -w prints changes as they happen', async () => {
  await ok(['run', 'w1', '--image=busybox'])
  const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', `${c.dir}/cache`, 'get', 'pods', '-w'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, HOME: c.dir}})
  let out = ''
  const seen = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${out}`)), 45_000)
      const check = () => {
        if (re.test(out)) {
          clearTimeout(timer)
          child.stdout.off('data', check)
          resolve()
        }
      }
      child.stdout.on('data', (chunk) => {
        out += chunk
        check()
      })
      check()
    })
  try {
    await seen(/^w1\s+0\/1\s+Pending\s+0\s+\d+s$/m)
    await ok(['run', 'w2', '--image=busybox'])
    await seen(/^w2\s+0\/1\s+Pending/m)
    await ok(['delete', 'pod', 'w1'])
    const lines = () => out.split('\n').filter((l) => l.startsWith('w1'))
    await new Promise((r) => setTimeout(r, 500))
    assert.ok(lines().length >= 1)
  } finally {
    child.kill()
  }
  assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m)
})

test('kubectl describe and delete', async () => {
  const out = await ok(['describe', 'deploy', 'web'])
  assert.match(out, /^Name:\s+web$/m)
  assert.match(out, /^Replicas:\s+5 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m)
  await ok(['run', 'd1', '--image=busybox', '--labels=app=d'])
  const pod = await ok(['describe', 'pod', 'd1'])
  assert.match(pod, /^Status:\s+Pending$/m)
  assert.equal(await ok(['delete', 'deploy', 'web']), 'deployment.apps "web" deleted\n')
  assert.equal(await ok(['delete', 'pod', '-l', 'app=d']), 'pod "d1" deleted\n')
  const gone = await c.kubectl(['get', 'deploy', 'web'])
  assert.match(gone.stderr, /deployments.apps "web" not found/)
})

test('field validation: strict refuses unknown fields, warn drops them with a warning', async () => {
  const bad = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fv"},"bogus":1,"data":{"a":"b"}}'
  const strict = await c.kubectl(['create', '-f', '-'], {stdin: bad})
  assert.equal(strict.stderr, 'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"\n')
  const warn = await c.kubectl(['create', '-f', '-', '--validate=warn'], {stdin: bad})
  assert.equal(warn.code, 0)
  assert.match(warn.stderr, /Warning: unknown field "bogus"/)
  const stored = JSON.parse(await ok(['get', 'cm', 'fv', '-o', 'json']))
  assert.equal(stored.bogus, undefined)
  const nested = await c.kubectl(['create', '-f', '-'], {stdin: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nv"},"spec":{"containers":[{"name":"nv","image":"busybox","colour":"red"}]}}'})
  assert.match(nested.stderr, /strict decoding error: unknown field "spec.containers\[0\].colour"\n$/)
})

test('server-side apply creates, then updates, recording the field manager', async () => {
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  k: "${v}"\n`
  assert.equal(await ok(['apply', '--server-side', '-f', '-'], cm('1')), 'configmap/ssa serverside-applied\n')
  assert.equal(await ok(['apply', '--server-side', '-f', '-'], cm('2')), 'configmap/ssa serverside-applied\n')
  const obj = JSON.parse(await ok(['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields']))
  assert.equal(obj.data.k, '2')
  assert.equal(obj.metadata.managedFields[0].manager, 'kubectl')
  assert.equal(obj.metadata.managedFields[0].operation, 'Apply')
})

test('events: kubectl describe lists a pod\'s events, kubectl get events prints them', async () => {
  await ok(['run', 'ev1', '--image=busybox'])
  const pod = JSON.parse(await ok(['get', 'pod', 'ev1', '-o', 'json']))
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {name: 'ev1.1', namespace: 'default'},
    involvedObject: {kind: 'Pod', namespace: 'default', name: 'ev1', uid: pod.metadata.uid, apiVersion: 'v1'},
    reason: 'Scheduled',
    message: 'Successfully assigned default/ev1 to node-1',
    type: 'Normal',
    source: {component: 'default-scheduler'},
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  }
  await ok(['create', '-f', '-'], JSON.stringify(event))
  const described = await ok(['describe', 'pod', 'ev1'])
  assert.match(described, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----.*\n\s+Normal\s+Scheduled\s+\d+s\s+default-scheduler\s+Successfully assigned default\/ev1 to node-1/)
  assert.match(await ok(['get', 'events']), /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\d+s\s+Normal\s+Scheduled\s+pod\/ev1\s+Successfully assigned default\/ev1 to node-1$/m)
  assert.match(await ok(['get', 'events', '--field-selector', 'involvedObject.name=ev1', '-o', 'name']), /^event\/ev1.1$/m)
})

test('custom resources: apply a CRD, then apply its objects twice (merge patch), printer columns', async () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
`
  assert.equal(await ok(['apply', '-f', '-'], crd), 'customresourcedefinition.apiextensions.k8s.io/gadgets.example.com created\n')
  const gadget = (size: number) => `apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {size: ${size}}\n`
  assert.equal(await ok(['apply', '-f', '-'], gadget(3)), 'gadget.example.com/g1 created\n')
  assert.equal(await ok(['apply', '-f', '-'], gadget(4)), 'gadget.example.com/g1 configured\n')
  assert.match(await ok(['get', 'gd']), /^NAME\s+SIZE\s+AGE\ng1\s+4\s+\d+s\n$/)
  const unknown = await c.kubectl(['apply', '-f', '-'], {stdin: 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g2}\nspec: {size: 1, colour: red}\n'})
  assert.match(unknown.stderr, /strict decoding error: unknown field "spec.colour"/)
})
