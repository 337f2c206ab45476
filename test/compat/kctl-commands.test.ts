// kctl beside the real kubectl 1.32 on the same sandbox for the commands that read and change
// objects in more involved ways: describe (with events), events, wait, diff, taint, edit (with
// $EDITOR a script), explain (both views, a custom resource too) and get -o go-template. Same stdout, stderr and exit code, after
// the masking of kctl/sandbox.ts.
import {test} from 'node:test'
import {webDeployment, webPod} from './kctl/manifests.js'
import {useSandbox} from './kctl/sandbox.js'

const {step, setup} = useSandbox('kctl-commands')

const since = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z')

const objects = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  user: YWRtaW4=
---
${webPod}---
apiVersion: v1
kind: Pod
metadata:
  name: slow
spec:
  containers:
  - name: app
    image: busybox
---
${webDeployment}---
apiVersion: v1
kind: Node
metadata:
  name: node-{ns}
  labels:
    pool: {ns}
---
apiVersion: v1
kind: Event
metadata:
  name: web-0.scheduled
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-0
  namespace: {ns}
reason: Scheduled
message: Successfully assigned {ns}/web-0 to node-{ns}
type: Normal
source:
  component: default-scheduler
firstTimestamp: "${since(120)}"
lastTimestamp: "${since(120)}"
count: 1
---
apiVersion: v1
kind: Event
metadata:
  name: web-0.backoff
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-0
  namespace: {ns}
  fieldPath: spec.containers{web}
reason: BackOff
message: Back-off pulling image "nginx:1.27"
type: Warning
source:
  component: kubelet
  host: node-{ns}
firstTimestamp: "${since(90)}"
lastTimestamp: "${since(30)}"
count: 3
`

const ready = '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}'

// a custom resource for explain: descriptions with paragraphs, lists and a code block; maps,
// arrays of objects, an int-or-string and a free-form field
const gizmos = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.example.com
spec:
  group: example.com
  names: {kind: Gizmo, plural: gizmos, singular: gizmo, shortNames: [gz]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        description: "A Gizmo is a thing.\\n\\nIt has parts:\\n- one part\\n- another part\\n\\n    a code block\\nthen a long line that goes on and on and on and on and on past the eighty columns"
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            description: "The desired gizmo."
            required: [size]
            properties:
              size: {type: integer, description: "Size: in units."}
              port: {x-kubernetes-int-or-string: true}
              tags: {type: array, items: {type: string}}
              labels: {type: object, additionalProperties: {type: string}}
              parts: {type: array, items: {type: object, properties: {name: {type: string}}}}
              blob: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

/** A kubeconfig for a server that is never reached, with `ca` as its CA data. */
const badCaKubeconfig = (ca: string) =>
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    '    server: https://127.0.0.1:1',
    `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
    'contexts:',
    '- name: c',
    '  context: {cluster: c, user: u}',
    'current-context: c',
    'users:',
    '- name: u',
    '  user: {token: t}',
    '',
  ].join('\n')

const unknownField = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\nflavour: sour\ndata:\n  a: "1"\n'

// strings kubectl's YAML printer refuses (DEL, a C1 control, U+FFFE) or prints (NEL, C0 controls)
const controls = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'controls-del'}, data: {a: 'x\u007fy'}},
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'controls-c1'}, data: {a: 'x\u0090y'}},
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'controls-fffe'}, data: {k: 'v\ufffe'}},
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'controls-ok'}, data: {a: 'nel\u0085z', b: 'x\u0001y\u2028'}},
  ],
})

test('setup: the same objects on both sides', () => {
  setup(['apply', '-f', '@objects.yaml'], {files: {'objects.yaml': objects}})
  setup(['patch', 'pod', 'web-0', '--subresource=status', '--type=merge', '-p', ready])
  setup(['apply', '-f', '@gizmos.yaml'], {files: {'gizmos.yaml': gizmos}})
  setup(['wait', '--for=condition=Established', 'crd/gizmos.example.com'])
  setup(['apply', '-f', '@controls.json'], {files: {'controls.json': controls}})
})

const steps: {args: string[]; files?: Record<string, string>; env?: Record<string, string>}[] = [
  {args: ['describe', 'pod', 'web-0']},
  {args: ['describe', 'deployment', 'web']},
  {args: ['describe', 'cm', 'settings']},
  {args: ['describe', 'pod', 'nope']},
  {args: ['describe', 'pods', '-l', 'app=none']},
  {args: ['events']},
  {args: ['events', '--for', 'pod/web-0']},
  {args: ['events', '--types=Warning']},
  {args: ['wait', '--for=condition=Ready', 'pod/web-0', '--timeout=5s']},
  {args: ['wait', '--for=condition=Ready=false', 'pod/web-0', '--timeout=1s']},
  {args: ['wait', '--for=condition=Ready', 'pod/slow', '--timeout=1s']},
  {args: ['wait', '--for=condition=Ready', 'pod/nope', '--timeout=1s']},
  {args: ['wait', 'pod/web-0']},
  {args: ['diff', '-f', '@same.yaml'], files: {'same.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n'}},
  {args: ['diff', '-f', '@changed.yaml'], files: {'changed.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels:\n    tier: front\ndata:\n  color: green\n'}},
  {args: ['diff', '-f', '@new.yaml'], files: {'new.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: brand-new\ndata:\n  a: "1"\n'}},
  {args: ['diff', '-f', '@missing.yaml']},
  {args: ['taint', 'nodes', 'node-{ns}', 'dedicated=gpu:NoSchedule']},
  {args: ['taint', 'nodes', 'node-{ns}', 'dedicated=cpu:NoSchedule']},
  {args: ['taint', 'nodes', 'node-{ns}', 'dedicated=cpu:NoSchedule', '--overwrite']},
  {args: ['taint', 'nodes', 'node-{ns}', 'spot=yes:PreferNoSchedule', 'dedicated:NoSchedule-']},
  {args: ['get', 'node', 'node-{ns}', '-o', 'jsonpath={.spec.taints}']},
  {args: ['taint', 'nodes', 'node-{ns}', 'dedicated-']},
  {args: ['taint', 'nodes', 'node-{ns}', 'spot-']},
  {args: ['describe', 'node', 'node-{ns}']},
  {args: ['taint', 'nodes', 'node-{ns}', 'a=b:Sometimes']},
  {args: ['taint', 'nodes', '-l', 'pool={ns}', 'zone=x:NoExecute']},
  {args: ['taint', 'nodes', 'node-{ns}', 'owner=me:NoSchedule', '--field-manager=tainter']},
  {args: ['get', 'node', 'node-{ns}', '-o', 'jsonpath={.metadata.managedFields[*].manager}']},
  {args: ['taint', 'nodes', 'node-{ns}', 'owner-', '--validate=maybe']},
  // --validate: the server refuses, warns about or drops an unknown field
  {args: ['apply', '-f', '@unknown.yaml'], files: {'unknown.yaml': unknownField}},
  {args: ['apply', '-f', '@unknown.yaml', '--validate=warn'], files: {'unknown.yaml': unknownField}},
  {args: ['apply', '-f', '@unknown.yaml', '--validate=bogus'], files: {'unknown.yaml': unknownField}},
  {args: ['create', '-f', '@unknown2.yaml'], files: {'unknown2.yaml': unknownField.replace('odd', 'odd2')}},
  {args: ['create', '-f', '@unknown2.yaml', '--validate=false'], files: {'unknown2.yaml': unknownField.replace('odd', 'odd2')}},
  {args: ['get', 'cm', 'odd2', '-o', 'jsonpath={.data}']},
  {args: ['edit', 'cm', 'settings'], files: {'editor.sh': '#!/bin/sh\nsed -i "s/color: blue/color: red/" "$1"\n'}, env: {EDITOR: '@editor.sh'}},
  {args: ['edit', 'cm', 'settings'], env: {EDITOR: 'true'}},
  {args: ['edit', 'cm', 'settings'], files: {'rename.sh': '#!/bin/sh\nsed -i "s/name: settings/name: other/" "$1"\n'}, env: {EDITOR: '@rename.sh'}},
  {args: ['get', 'cm', 'settings', '-o', 'jsonpath={.data.color}']},
  {args: ['get', 'cm', 'controls-del', '-o', 'yaml']},
  {args: ['get', 'cm', 'controls-c1', '-o', 'yaml']},
  {args: ['get', 'cm', 'controls-fffe', '-o', 'yaml']},
  {args: ['get', 'cm', 'controls-ok', '-o', 'yaml']},
  {args: ['get', 'cm', 'controls-del', '-o', 'json']},
  {args: ['get', 'cm', '-o', 'yaml']},
  // a kubeconfig whose CA data is no certificate is refused before anything is sent
  ...Object.entries({
    'bad-ca-pem': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    'bad-ca-text': 'hello\n',
    'bad-ca-key': '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n',
  }).map(([name, ca]) => ({args: ['get', 'pods', '--kubeconfig', `@${name}.yaml`], files: {[`${name}.yaml`]: badCaKubeconfig(ca)}})),
  {args: ['explain', 'pods']},
  {args: ['explain', 'deployment.spec.template']},
  {args: ['explain', 'pods', '--recursive']},
  {args: ['explain', 'deployments.apps.spec.replicas']},
  {args: ['explain', 'pods.spec.nope']},
  {args: ['explain', 'widgets']},
  // the older view, from /openapi/v2
  ...[
    ['pods'],
    ['pods.spec.containers'],
    ['deployments.spec'],
    ['deployments.apps.spec.replicas'],
    ['pods', '--recursive'],
    ['deployments.spec.template', '--recursive'],
    ['pods.metadata.labels'],
    ['pods.spec.containers.envFrom'],
    ['pods.spec.hostname.more'],
    ['svc.spec.ports.targetPort'],
    ['pods.spec.nope'],
    ['gizmos'],
    ['gz.spec', '--recursive'],
    ['gizmos.spec.port'],
    ['gizmos.spec.parts'],
    ['gizmos.spec.blob'],
    ['deploy.spec.selector', '--api-version=apps/v1'],
    ['deploy', '--api-version=apps/v1beta1'],
    ['widgets'],
  ].map((a) => ({args: ['explain', '--output=plaintext-openapiv2', ...a]})),
  {args: ['explain', '-o', 'plaintext-openapiv2', 'cm']},
  {args: ['explain', 'gizmos.spec']},
  {args: ['explain', '--output=markdown', 'pods']},
  {args: ['get', 'pods', '-o', 'go-template={{range .items}}{{.metadata.name}} {{len .spec.containers}}{{"\\n"}}{{end}}']},
  {args: ['get', 'secret', 'creds', '-o', 'go-template={{base64decode .data.user}}']},
  {args: ['get', 'secret', 'creds', '-o', 'yaml', '--show-managed-fields']},
  {args: ['get', 'secret', 'creds', 'nope', '-o', 'json', '--show-managed-fields']},
  {args: ['get', 'deploy', 'web', '-o', 'go-template={{if gt .spec.replicas 1}}{{printf "%s has %d" .metadata.name .spec.replicas}}{{end}}']},
  {args: ['get', 'cm', 'settings', '-o', 'go-template-file=@color.tmpl'], files: {'color.tmpl': '{{with .data}}{{.color}}{{else}}none{{end}}\n'}},
  {args: ['get', 'cm', 'settings', '-o', 'go-template={{.data.color']},
  // an execution error prints the object too: one written once, by the same setup on both sides
  {args: ['get', 'secret', 'creds', '-o', 'go-template={{.data.user.x}}']},
  // Go's escaping functions, call, printf's verbs, slice, index, len and comparisons and their errors
  ...[
    '{{js .data.color}} {{js "it\'s <b> & \\"q\\" =\\n"}} {{js 1 nil}}',
    '{{html "<a href=\\"x\\">&\'</a>"}} {{html .data}} {{html nil}}',
    '{{urlquery "a b&c/é~"}} {{urlquery 1 "x"}} {{"a<b" | html | urlquery}}',
    '{{call .data}}',
    '{{call .nope}}',
    '{{call (len .data)}}',
    '{{call}}',
    '{{printf "%6.3v|%-8q|%#v|%x|%X|%o|%#o|%O|%b|%e|%g|%c|%U|%#U" 3.14159 "x" .data 255 255 8 8 8 5 1234.5 0.00001 65 65 65}}',
    '{{printf "%[2]d %[1]d|%*d|%-*d|%.*f|%[5]d|%.2v" 1 2 5 3 4 7 2 3.14159}}',
    '{{printf "%d %s %v" "x" 1 nil}} {{printf "%d"}} {{printf "%d" 1 2}} {{print 1 2 "a" nil 3.5}} {{println 1 "b"}}',
    '{{slice .data.color 1 3}} {{slice .metadata.managedFields 0 1 | len}} {{index .data "color"}} {{index .metadata.managedFields 0 "manager"}} {{index "abc" 1}}',
    '{{slice "abc" 1 2 3}}',
    '{{slice "abc" 2 1}}',
    '{{index .metadata.managedFields 5}}',
    '{{len nil}}',
    '{{len 3}}',
    '{{not 1 2}}',
    '{{eq 1 "a"}}',
    '{{lt 1 2.5}}',
    '{{lt .data 1}}',
    '{{eq 1 1}} {{eq "a" "b" "a"}} {{ne "a" "b"}} {{le 2 2}} {{ge "b" "a"}} {{eq .nope nil}}',
    '{{and 0 .x.y.z}} {{or 1 .x.y.z}} {{and 1 ""}} {{or 0 "" .data.color}}',
    '{{template "missing" .data}}',
    '{{define "x"}}{{.nope.z}}{{end}}{{template "x" .data}}|{{block "b" .data}}{{.color}}{{end}}',
    '{{nope}}',
    '{{if}}{{end}}',
  ].map((t) => ({args: ['get', 'cm', 'settings', '-o', `go-template=${t}`]})),
]

for (const s of steps) {
  test(`kctl ${s.args.join(' ')}`, async () => {
    await step(s.args, {files: s.files, env: s.env})
  })
}
