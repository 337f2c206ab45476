// kctl and the real kubectl 1.32 against the same API server: `kctl sandbox up` starts it (a
// detached process over a temp data dir, with its own certificates and kubeconfig), then each
// step runs through both tools — kubectl in one namespace, kctl in another, so each side works
// on its own objects — and stdout, stderr and exit code must match after masking what differs
// by nature (namespace names, uids, resource versions, timestamps, ages). `sandbox down` ends it.
import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {webDeployment, webPod} from './kctl/manifests.js'
import {useSandbox} from './kctl/sandbox.js'

const {dir, dataDir, kubeconfig, kctlSync, step} = useSandbox('kctl-server')

const app = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels:
    app: web
data:
  color: blue
---
${webPod}---
${webDeployment}`

const steps: {args: string[]; stdin?: string; files?: Record<string, string>}[] = [
  {args: ['apply', '-f', '@app.yaml'], files: {'app.yaml': app}},
  {args: ['apply', '-f', '@app.yaml']},
  {args: ['apply', '-f', '-'], stdin: app.replace('color: blue', 'color: green').replace('replicas: 2', 'replicas: 3')},
  {args: ['get', 'cm,pods,deploy']},
  {args: ['get', 'pods', '-o', 'wide']},
  {args: ['get', 'pods', '--show-labels']},
  {args: ['get', 'cm', 'settings', '-o', 'yaml']},
  {args: ['get', 'deploy', 'web', '-o', 'json']},
  {args: ['get', 'pods,cm', '-l', 'app=web', '-o', 'name']},
  {args: ['get', 'cm', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data}{"\\n"}{end}']},
  {args: ['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image,MISSING:.status.nope']},
  {args: ['get', 'pod', 'web-0', 'nope']},
  {args: ['get', 'widgets']},
  {args: ['get', 'secrets']},
  {args: ['create', 'configmap', 'extra', '--from-literal=a=1', '--from-literal=b=two']},
  {args: ['create', 'configmap', 'extra', '--from-literal=a=1']},
  {args: ['create', 'secret', 'generic', 'creds', '--from-literal=user=admin']},
  {args: ['create', 'serviceaccount', 'robot']},
  {args: ['create', 'service', 'clusterip', 'front', '--tcp=80:8080']},
  {args: ['create', 'deployment', 'api', '--image=busybox', '--replicas=2']},
  {args: ['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']},
  {args: ['create', 'role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps']},
  {args: ['create', 'rolebinding', 'read', '--role=reader', '--serviceaccount={ns}:robot']},
  {args: ['create', '-f', '@one.yaml'], files: {'one.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n'}},
  {args: ['label', 'cm', 'settings', 'tier=front']},
  {args: ['label', 'cm', 'settings', 'tier=back']},
  {args: ['label', 'cm', 'settings', 'tier=back', '--overwrite']},
  {args: ['label', 'cm', 'settings', 'tier-']},
  {args: ['label', 'cm', 'settings', 'tier-']},
  {args: ['annotate', 'cm', 'settings', 'note=hello']},
  {args: ['annotate', 'cm', 'settings', 'note=again']},
  {args: ['patch', 'cm', 'settings', '-p', '{"data":{"size":"L"}}']},
  {args: ['patch', 'cm', 'settings', '-p', '{"data":{"size":"L"}}']},
  {args: ['patch', 'cm', 'settings', '--type=merge', '-p', '{"data":{"size":null}}']},
  {args: ['patch', 'cm', 'settings', '--type=json', '-p', '[{"op":"add","path":"/data/shape","value":"round"}]']},
  {args: ['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}']},
  {args: ['scale', 'deploy', 'web', '--replicas=1']},
  {args: ['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}']},
  {args: ['apply', '-f', '@app.yaml']},
  {args: ['get', 'cm', 'settings', '-o', 'yaml']},
  {args: ['apply', '-f', '@bad.yaml'], files: {'bad.yaml': 'apiVersion: v1\nmetadata:\n  name: nokind\n'}},
  {args: ['apply', '-f', '@missing.yaml']},
  {args: ['delete', 'cm', 'extra', 'nope']},
  {args: ['delete', '-f', '@one.yaml']},
  {args: ['delete', 'pods', '-l', 'app=web']},
  {args: ['delete', 'cm', '--all']},
  {args: ['get', 'pods']},
  {args: ['api-resources']},
  {args: ['api-resources', '-o', 'wide', '--api-group=apps']},
  {args: ['api-versions']},
  {args: ['config', 'view']},
  {args: ['config', 'get-contexts']},
]

for (const s of steps) {
  test(`kctl ${s.args.join(' ')}`, async () => {
    await step(s.args, {stdin: s.stdin, files: s.files})
  })
}

test('sandbox status, and down removes the kubeconfig entries', () => {
  const status = kctlSync(['sandbox', 'status', '--data-dir', dataDir, '-o', 'json'])
  assert.equal(status.status, 0)
  const info = JSON.parse(status.stdout)
  assert.equal(info.running, true)
  assert.match(info.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/)
  const copy = join(dir, 'kubeconfig-copy')
  writeFileSync(copy, readFileSync(kubeconfig))
  const down = kctlSync(['sandbox', 'down', '--data-dir', dataDir, '--kubeconfig', copy])
  assert.equal(down.status, 0, down.stderr)
  assert.doesNotMatch(readFileSync(copy, 'utf8'), /kctl-sandbox/)
  assert.equal(existsSync(join(dataDir, 'sandbox.pid')), false)
  const again = kctlSync(['sandbox', 'status', '--data-dir', dataDir])
  assert.match(again.stdout, /is not running/)
})
