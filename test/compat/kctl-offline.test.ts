// kctl against the real kubectl 1.32 where no server is needed: kubeconfig commands on merged
// files, client-side dry-run generators and flag errors. Same stdout, stderr and exit code.
import assert from 'node:assert/strict'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {runOne, sideBySide} from './kctl/side-by-side.js'

const dir = mkdtempSync(join(tmpdir(), 'kctl-offline-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const a = join(dir, 'a.yaml')
const b = join(dir, 'b.yaml')
writeFileSync(
  a,
  `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: QUJD
- name: c2
  cluster:
    server: https://10.0.0.1
    certificate-authority: ca.crt
users:
- name: u1
  user:
    client-certificate-data: QUJD
    client-key-data: QUJD
- name: u2
  user:
    token: secret
contexts:
- name: ctx1
  context: {cluster: c1, user: u1, namespace: ns1}
- name: ctx2
  context: {cluster: c2, user: u2}
current-context: ctx1
`,
)
writeFileSync(
  b,
  `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://other"}
- name: c3
  cluster: {server: "https://c3"}
contexts:
- name: ctx3
  context: {cluster: c3, user: u2}
current-context: ctx3
`,
)
mkdtempSync(join(dir, 'home-'))
const env = {...process.env, KUBECONFIG: `${a}:${b}`, HOME: dir}

const cases: string[][] = [
  ['config', 'view'],
  ['config', 'view', '--minify'],
  ['config', 'view', '--raw', '--minify', '--context', 'ctx2'],
  ['config', 'view', '-o', 'json'],
  ['config', 'view', '-o', 'jsonpath={.contexts[*].name}'],
  ['config', 'get-contexts'],
  ['config', 'get-contexts', 'nope'],
  ['config', 'get-contexts', '-o', 'name'],
  ['config', 'current-context'],
  ['config', 'use-context', 'nope'],
  ['config', 'get-users'],
  ['get', 'pods', '--foo'],
  ['get', 'pods', '-x'],
  ['get', '-n'],
  ['get', 'pods', '-w=maybe'],
  ['get', 'pods', '--chunk-size=x'],
  ['create', 'namespace', 'foo', '--dry-run=client', '-o', 'yaml'],
  ['create', 'namespace', 'foo', '--dry-run=client', '-o', 'json'],
  ['create', 'namespace', 'foo', '--dry-run=client'],
  ['create', 'namespace', '--dry-run=client'],
  ['create', 'configmap', 'x', '--from-literal=a=123', '--from-literal=b=', '--from-literal=c=true', '--from-literal=d=two\nlines', '--dry-run=client', '-o', 'yaml'],
  ['create', 'configmap', 'a', 'b', '--dry-run=client'],
  ['create', 'secret', 'generic', 's1', '--from-literal=a=b', '--type=Opaque', '--dry-run=client', '-o', 'json'],
  ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '-n', 'foo', '--dry-run=client', '-o', 'json'],
  ['create', 'deployment', 'web', '--image=nginx', '--dry-run=client', '-o', 'yaml', '--', 'sleep', '10'],
  ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--dry-run=client', '-o', 'yaml'],
  ['create', 'serviceaccount', 'sa1', '--dry-run=client', '-o', 'name'],
  ['create', 'rolebinding', 'rb1', '--role=r1', '--user=alice', '--serviceaccount=default:sa1', '--dry-run=client', '-o', 'yaml'],
  ['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--group=devs', '--dry-run=client', '-o', 'json'],
  ['create', 'job', 'j1', '--image=busybox', '--dry-run=client', '-o', 'yaml', '--', 'echo', 'hi'],
  ['create', 'job', 'j1', '--dry-run=client'],
  ['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/1 * * * *', '--dry-run=client', '-o', 'json', '--', 'echo', 'hi'],
  ['create', 'cronjob', 'cj1', '--image=busybox', '--dry-run=client'],
]

// generators need no server, but kubectl reads the kubeconfig's certificates: give it none
const bare = {...env, KUBECONFIG: join(dir, 'none.yaml')}

describe('side by side', {concurrency: 4}, () => {
  for (const args of cases) {
    test(`kctl ${args.join(' ')}`, async () => {
    const {kubectl, kctl} = await sideBySide(args, args[0] === 'create' ? bare : env)
    assert.deepEqual(kctl, kubectl)
    })
  }
})

test('config edits write the same files as kubectl', async () => {
  const sides = ['left', 'right'].map((s) => {
    const d = mkdtempSync(join(dir, `${s}-`))
    cpSync(a, join(d, 'config'))
    return join(d, 'config')
  })
  const steps = [
    ['config', 'use-context', 'ctx2'],
    ['config', 'set-context', 'newc', '--cluster=c1', '--namespace=x'],
    ['config', 'set-context', 'newc', '--user=u1'],
    ['config', 'set-context', '--current', '--namespace=foo'],
    ['config', 'set-cluster', 'cc', '--server=https://1.2.3.4', '--insecure-skip-tls-verify=true'],
    ['config', 'set-credentials', 'uu', '--token=abc'],
    ['config', 'delete-context', 'newc'],
    ['config', 'delete-context', 'newc'],
  ]
  for (const step of steps) {
    const k = await runOne('kubectl', step, {...env, KUBECONFIG: sides[0]})
    const c = await runOne('kctl', step, {...env, KUBECONFIG: sides[1]})
    // each side names its own file
    assert.deepEqual({...c, stdout: c!.stdout.replace(sides[1]!, 'FILE'), stderr: c!.stderr.replace(sides[1]!, 'FILE')}, {...k, stdout: k!.stdout.replace(sides[0]!, 'FILE'), stderr: k!.stderr.replace(sides[0]!, 'FILE')}, step.join(' '))
  }
  assert.equal(readFileSync(sides[1]!, 'utf8'), readFileSync(sides[0]!, 'utf8'))
})
