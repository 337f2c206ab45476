// `kctl apply --server-side` and the real `kubectl apply --server-side` against one sandbox,
// side by side: create, re-apply unchanged, a conflict with another field manager, forcing it,
// the flag errors, and objects client-side apply managed before.
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

// Client-side apply first, then server-side apply: kubectl hands the client-side manager's
// fields to the applier (keeping the last-applied annotation under its own manager), so what
// the server-side configuration leaves out goes. The managed fields are compared whole (without
// their times), and so is the object.
// the server orders entries by time (in seconds), so each manager is looked up by name
const managers = ['kubectl', 'kubectl-last-applied', 'kubectl-client-side-apply', 'kubectl-label', 'ops']
const managed =
  managers.map((m) => `{{range .metadata.managedFields}}{{if eq .manager "${m}"}}{{.manager}} {{.operation}} {{.apiVersion}} {{.fieldsV1}}{{"\\n"}}{{end}}{{end}}`).join('') +
  `{{range .metadata.managedFields}}{{if not (eq .manager ${managers.map((m) => `"${m}"`).join(' ')})}}other {{.manager}}{{"\\n"}}{{end}}{{end}}`
const web = (extra: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: moved
  labels:
    app: moved
spec:
  replicas: 2
  selector:
    matchLabels:
      app: moved
  template:
    metadata:
      labels:
        app: moved
    spec:
      containers:
      - name: web
        image: nginx:1.27
${extra}`
const cm = (name: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels:\n    app: web\ndata:\n${data}`
steps.push(
  {args: ['apply', '-f', '-'], stdin: cm('moved', '  a: "1"\n  b: "2"\n'), code: 0},
  {args: ['apply', '--server-side', '-f', '-'], stdin: cm('moved', '  a: "1"\n'), code: 0},
  {args: ['get', 'cm', 'moved', '-o', `go-template={{.data}} {{.metadata.annotations}}{{"\\n"}}${managed}`], code: 0},
  {args: ['apply', '--server-side', '-f', '-'], stdin: cm('moved', '  c: "3"\n'), code: 0},
  {args: ['get', 'cm', 'moved', '-o', `go-template={{.data}} {{.metadata.annotations}}{{"\\n"}}${managed}`], code: 0},
  // a deployment whose container loses its ports
  {args: ['apply', '-f', '-'], stdin: web('        ports:\n        - containerPort: 80\n        env:\n        - name: A\n          value: "1"\n'), code: 0},
  {args: ['apply', '--server-side', '-f', '-'], stdin: web('        env:\n        - name: A\n          value: "1"\n'), code: 0},
  {args: ['get', 'deploy', 'moved', '-o', `go-template={{.spec.template.spec.containers}} {{.metadata.annotations}}{{"\\n"}}${managed}`], code: 0},
  // another field manager: the client-side fields go to it, and the annotation is left alone
  {args: ['apply', '-f', '-'], stdin: cm('other', '  a: "1"\n  b: "2"\n'), code: 0},
  {args: ['apply', '--server-side', '--field-manager', 'ops', '-f', '-'], stdin: cm('other', '  a: "1"\n'), code: 0},
  {args: ['get', 'cm', 'other', '-o', `go-template={{.data}} {{.metadata.annotations}}{{"\\n"}}${managed}`], code: 0},
  // a dry run migrates nothing for good
  {args: ['apply', '-f', '-'], stdin: cm('dry', '  a: "1"\n  b: "2"\n'), code: 0},
  {args: ['apply', '--server-side', '--dry-run=server', '-f', '-', '-o', 'jsonpath={.data}'], stdin: cm('dry', '  a: "1"\n'), code: 0},
  {args: ['get', 'cm', 'dry', '-o', `go-template={{.data}}{{"\\n"}}${managed}`], code: 0},
  // a label another manager set stays its own: the migration takes only client-side apply's
  // fields (and a different value for one of those is a conflict with client-side apply)
  {args: ['apply', '-f', '-'], stdin: cm('shared', '  a: "1"\n'), code: 0},
  {args: ['label', 'cm', 'shared', 'tier=db'], code: 0},
  {args: ['apply', '--server-side', '-f', '-'], stdin: cm('shared', '  a: "2"\n'), code: 1},
  {args: ['apply', '--server-side', '-f', '-'], stdin: cm('shared', '  a: "1"\n  b: "2"\n'), code: 0},
  {args: ['get', 'cm', 'shared', '-o', `go-template={{.data}} {{.metadata.labels}}{{"\\n"}}${managed}`], code: 0},
  // and back: client-side apply to an object only server-side apply wrote (no annotation)
  {args: ['apply', '--server-side', '-f', '-'], stdin: cm('back', '  a: "1"\n'), code: 0},
  {args: ['apply', '-f', '-'], stdin: cm('back', '  a: "1"\n  b: "2"\n'), code: 0},
  {args: ['get', 'cm', 'back', '-o', `go-template={{.data}} {{.metadata.annotations}}{{"\\n"}}${managed}`], code: 0},
)

for (const s of steps) {
  test(`kctl ${s.args.join(' ')}`, async () => {
    const {kctl} = await pair.step(s.args, s)
    assert.equal(kctl.code, s.code, kctl.stderr)
  })
}
