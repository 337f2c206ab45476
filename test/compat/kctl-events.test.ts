// `kctl events` beside the real kubectl 1.32 on one sandbox: the table (repeats, series, an
// event with only an eventTime, a message over two lines and with terminal escapes), --for,
// --types, and every -o format over the EventList kubectl builds from its typed structs (Go
// field order, `eventTime: null`, empty reportingComponent), a template that fails (kubectl
// ignores its printer's error), and -w until interrupted.
import {test} from 'node:test'
import {useSandbox} from './kctl/sandbox.js'

const {step, setup, watchStep} = useSandbox('kctl-events')

const since = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
const sinceMicro = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString().replace(/Z$/, '123Z')

const events = `apiVersion: v1
kind: Event
metadata:
  name: web-0.scheduled
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-0
  namespace: {ns}
reason: Scheduled
message: Successfully assigned {ns}/web-0 to node-a
type: Normal
source:
  component: default-scheduler
firstTimestamp: "${since(300)}"
lastTimestamp: "${since(300)}"
count: 1
---
apiVersion: v1
kind: Event
metadata:
  name: web-0.backoff
  labels:
    zone: b
    app: web
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
  host: node-a
firstTimestamp: "${since(240)}"
lastTimestamp: "${since(30)}"
count: 3
---
apiVersion: v1
kind: Event
metadata:
  name: web-0.pulled
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-0
  namespace: {ns}
reason: Pulled
message: "  Pulled image\\nin 2s  "
type: Normal
action: Pull
eventTime: "${sinceMicro(200)}"
reportingComponent: kubelet
reportingInstance: node-a
series:
  count: 4
  lastObservedTime: "${sinceMicro(60)}"
related:
  kind: Node
  name: node-a
---
apiVersion: v1
kind: Event
metadata:
  name: cm.odd
involvedObject:
  apiVersion: v1
  kind: ConfigMap
  name: settings
  namespace: {ns}
reason: "Odd\\r"
message: "a\\u001b[31mred"
type: Warning
---
apiVersion: v1
kind: Event
metadata:
  name: cm.noversion
involvedObject:
  kind: ConfigMap
  name: settings
  namespace: {ns}
reason: Unversioned
message: --for matches the involved object's apiVersion too, so not this one
type: Normal
`

test('setup: the same events on both sides', () => {
  setup(['create', '-f', '@events.yaml'], {files: {'events.yaml': events}})
})

const steps: string[][] = [
  ['events'],
  ['events', 'extra', 'words'],
  ['events', '--no-headers'],
  ['events', '--for', 'pod/web-0'],
  ['events', '--for', 'po/web-0', '--types=warning'],
  ['events', '--for', 'configmaps/settings'],
  ['events', '--for', 'pod/'],
  ['events', '--for', 'web-0'],
  ['events', '--for', 'pod/a/b'],
  ['events', '--for', '/web-0'],
  ['events', '--for', 'widgets/x'],
  ['events', '--for', 'pod/nothing'],
  ['events', '-A', '--for', 'pod/nothing'],
  ['events', '--types=Normal,bogus'],
  ['events', '--types=Warning,NORMAL', '-o', 'name'],
  ['events', '-o', 'json'],
  ['events', '-o', 'yaml'],
  ['events', '-o', 'yaml', '--show-managed-fields'],
  ['events', '--for', 'pod/web-0', '-o', 'json', '--show-managed-fields'],
  ['events', '-o', 'jsonpath={.kind} {.metadata} {.items[*].eventTime} {.items[0].source}'],
  ['events', '-o', 'jsonpath-as-json={.items[*].reportingComponent}'],
  ['events', '-o', 'jsonpath={.kind}{.items[9]}'],
  ['events', '-o', 'go-template={{range .items}}{{.metadata.name}} {{.eventTime}} {{.count}}{{"\\n"}}{{end}}'],
  ['events', '-o', 'go-template', '--template={{.kind}}'],
  ['events', '--for', 'pod/web-0', '-o', 'go-template=a{{.items.x}}b'],
  ['events', '-o', 'go-template={{.kind'],
  ['events', '-o', 'wide'],
  ['events', '-o', 'custom-columns=A:.x', '--for', 'a/b/c'],
]

for (const args of steps) {
  test(`kctl ${args.join(' ')}`, async () => {
    await step(args)
  })
}

// -w: the server's initial events one at a time (the table's widths remembered), until Ctrl-C
const all = (...words: string[]) => (out: string) => out.endsWith('\n') && words.every((w) => out.includes(w))
const watches: {args: string[]; until: (out: string) => boolean}[] = [
  {args: ['events', '-w', '--for', 'pod/web-0'], until: all('Scheduled', 'BackOff', 'in 2s')},
  {args: ['events', '-w', '--for', 'pod/web-0', '-o', 'name'], until: all('web-0.scheduled', 'web-0.backoff', 'web-0.pulled')},
  {args: ['events', '-w', '--types=Warning', '-o', 'yaml'], until: (out) => out.includes('name: web-0.backoff') && out.includes('name: cm.odd') && out.endsWith('type: Warning\n')},
  {args: ['events', '-w', '--for', 'configmap/settings', '-o', 'json'], until: (out) => out.endsWith('}\n')},
]

for (const w of watches) {
  test(`kctl ${w.args.join(' ')}`, async () => {
    await watchStep(w.args, w.until)
  })
}
