// `kctl apply --server-side` and the real `kubectl apply --server-side` against one sandbox,
// side by side: create, re-apply unchanged, a conflict with another field manager, forcing it,
// and the flag errors.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {sandboxPair, type SandboxPair} from './kctl/sandbox-pair.js'

let pair: SandboxPair
before(() => {
  pair = sandboxPair('kctl-ssa-')
})
after(() => pair.down())

const settings = (color: string, size: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels:
    app: web
data:
  color: ${color}
  size: ${size}
`
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`

const steps: {args: string[]; stdin?: string; files?: Record<string, string>; code?: number}[] = [
  {args: ['apply', '--server-side', '-f', '@cm.yaml'], files: {'cm.yaml': settings('blue', 'L')}, code: 0},
  {args: ['apply', '--server-side', '-f', '@cm.yaml'], code: 0},
  {args: ['apply', '--server-side', '--field-manager', 'ops', '-f', '-'], stdin: settings('blue', 'L'), code: 0},
  {args: ['apply', '--server-side', '--field-manager', 'ops', '-f', '-'], stdin: settings('red', 'XL').replace('app: web', 'app: api'), code: 1},
  {args: ['apply', '--server-side', '--field-manager', 'ops', '--force-conflicts', '-f', '-'], stdin: settings('red', 'L'), code: 0},
  {args: ['get', 'cm', 'settings', '-o', 'yaml'], code: 0},
  {args: ['apply', '--server-side', '-f', '@cm.yaml'], code: 1},
  {args: ['apply', '--server-side', '--dry-run=server', '--force-conflicts', '-f', '@cm.yaml'], code: 0},
  {args: ['apply', '--server-side', '-f', '@deploy.yaml', '-o', 'name'], files: {'deploy.yaml': deployment}, code: 0},
  {args: ['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":3}}'], code: 0},
  {args: ['apply', '--server-side', '-f', '@deploy.yaml'], code: 1},
  {args: ['create', 'configmap', 'made', '--from-literal=a=1'], code: 0},
  {args: ['apply', '--server-side', '-f', '-'], stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made\ndata:\n  a: "1"\n  b: "2"\n', code: 0},
  {args: ['apply', '--server-side', '-f', '-'], stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made\ndata:\n  a: "9"\n', code: 1},
  {args: ['label', 'configmap', 'made', 'tier=db'], code: 0},
  {args: ['apply', '--server-side', '--force-conflicts', '-f', '-'], stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made\n  labels:\n    tier: web\ndata:\n  a: "9"\n', code: 0},
  {args: ['get', 'configmap', 'made', '-o', 'jsonpath={.data} {.metadata.labels}'], code: 0},
  {args: ['apply', '-f', '-'], stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: both\ndata:\n  a: "1"\n', code: 0},
  {args: ['apply', '--server-side', '--force-conflicts', '-f', '-'], stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: both\n  annotations:\n    note: "<y> & z"\ndata:\n  a: "2"\n', code: 0},
  {args: ['get', 'configmap', 'both', '-o', 'jsonpath={.metadata.annotations}'], code: 0},
  {args: ['apply', '-f', '-'], stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: both\n  annotations:\n    note: "<y> & z"\ndata:\n  a: "2"\n', code: 0},
  {args: ['apply', '--server-side', '-f', '-'], stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: both\n  labels:\n    x: "<y>"\n', code: 1},
  {args: ['apply', '--force-conflicts', '-f', '@cm.yaml'], code: 1},
  {args: ['apply', '--server-side', '--dry-run=client', '-f', '@cm.yaml'], code: 1},
]

for (const s of steps) {
  test(`kctl ${s.args.join(' ')}`, async () => {
    const {kctl} = await pair.step(s.args, s)
    assert.equal(kctl.code, s.code, kctl.stderr)
  })
}
