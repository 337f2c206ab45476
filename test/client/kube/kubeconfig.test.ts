import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'
import {load} from 'js-yaml'
import {kubeconfigFiles, loadKubeconfig, resolveConnection} from '../../../src/client/kube/kubeconfig.js'
import {KubeConfigError} from '../../../src/client/kube/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'kctl-kubeconfig-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const a = join(dir, 'a.yaml')
const b = join(dir, 'b.yaml')
writeFileSync(
  a,
  `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://a:6443", certificate-authority-data: ${Buffer.from('CA-A').toString('base64')}}
- name: c2
  cluster: {server: "https://b", certificate-authority: ca.crt}
users:
- name: u1
  user: {token: tok-a}
contexts:
- name: x
  context: {cluster: c1, user: u1, namespace: team}
current-context: x
`,
)
writeFileSync(
  b,
  `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://ignored"}
- name: c3
  cluster: {server: "https://c3", insecure-skip-tls-verify: true}
users:
- name: u3
  user: {username: bob, password: pw}
contexts:
- name: y
  context: {cluster: c3, user: u3}
current-context: y
`,
)
writeFileSync(join(dir, 'ca.crt'), 'CA-FILE')

test('$KUBECONFIG lists files; the first to define a name or current-context wins', () => {
  const loaded = loadKubeconfig(undefined, load, {KUBECONFIG: `${a}:${join(dir, 'missing')}:${b}`})
  assert.deepEqual(
    loaded.config.clusters.map((c) => [c.name, c.cluster.server]),
    [
      ['c1', 'https://a:6443'],
      ['c2', 'https://b'],
      ['c3', 'https://c3'],
    ],
  )
  assert.equal(loaded.config['current-context'], 'x')
  assert.equal(loaded.clusterFile.get('c3'), b)
  assert.equal(loaded.currentContextFile, a)
  // relative paths are relative to the file that names them
  assert.equal(loaded.config.clusters[1]!.cluster['certificate-authority'], join(dir, 'ca.crt'))
})

test('--kubeconfig names one file, which must exist; the default is ~/.kube/config', () => {
  assert.deepEqual(kubeconfigFiles(a, {KUBECONFIG: b}), {files: [a], explicit: true})
  assert.deepEqual(kubeconfigFiles(undefined, {HOME: '/h'}).files.length, 1)
  assert.throws(() => loadKubeconfig(join(dir, 'nope'), load, {}), KubeConfigError)
})

test('overrides pick the context, cluster and user; namespace falls back to the context then default', () => {
  const {config} = loadKubeconfig(undefined, load, {KUBECONFIG: `${a}:${b}`})
  const x = resolveConnection(config, {})
  assert.equal(x.server, 'https://a:6443')
  assert.equal(x.caPem?.toString(), 'CA-A')
  assert.equal(x.token, 'tok-a')
  assert.equal(x.namespace, 'team')
  const y = resolveConnection(config, {context: 'y', namespace: 'other'})
  assert.equal(y.server, 'https://c3')
  assert.equal(y.insecureSkipTlsVerify, true)
  assert.equal(y.username, 'bob')
  assert.equal(y.namespace, 'other')
  const z = resolveConnection(config, {cluster: 'c2', token: 'flag-token', server: 'https://flag'})
  assert.equal(z.server, 'https://flag')
  assert.equal(z.caPem?.toString(), 'CA-FILE')
  assert.equal(z.token, 'flag-token')
  assert.throws(() => resolveConnection(config, {context: 'nope'}), /context was not found for specified context: nope/)
  assert.equal(resolveConnection({...config, 'current-context': ''}, {}).empty, true)
})
