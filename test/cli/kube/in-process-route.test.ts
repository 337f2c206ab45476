// Which kctl runs the lite bundle leaves to the full one because they would open the embedded
// engine: nothing configured (no server in the kubeconfig, no --server).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'
import {runsInProcess} from '../../../src/cli/kube/in-process-route.js'

const home = mkdtempSync(join(tmpdir(), 'in-process-route-'))
after(() => rmSync(home, {recursive: true, force: true}))

const remote = join(home, 'remote.yaml')
writeFileSync(
  remote,
  [
    'apiVersion: v1',
    'kind: Config',
    'current-context: a',
    'contexts:',
    '- {name: a, context: {cluster: a}}',
    '- {name: empty, context: {cluster: nowhere}}',
    'clusters:',
    '- {name: a, cluster: {server: "https://127.0.0.1:6443"}}',
    '- {name: b, cluster: {server: "https://127.0.0.1:7443"}}',
    '',
  ].join('\n'),
)
const missing = join(home, 'missing.yaml')
const env = (kubeconfig: string): NodeJS.ProcessEnv => ({HOME: home, KUBECONFIG: kubeconfig})

test('no kubeconfig and no --server: in-process', () => {
  assert.equal(runsInProcess('get', ['pods'], env(missing)), true)
  assert.equal(runsInProcess('get', ['pods', '--server='], env(missing)), true)
})

test('a server from --server or -s, in either form: remote', () => {
  assert.equal(runsInProcess('get', ['pods', '--server', 'https://127.0.0.1:1'], env(missing)), false)
  assert.equal(runsInProcess('get', ['pods', '--server=https://127.0.0.1:1'], env(missing)), false)
  assert.equal(runsInProcess('get', ['pods', '-s', '127.0.0.1:1'], env(missing)), false)
  // after `--` it is an argument, not the flag
  assert.equal(runsInProcess('get', ['--', '--server', 'x'], env(missing)), true)
})

test('the kubeconfig decides by its context and cluster, and the flags that choose them', () => {
  assert.equal(runsInProcess('get', ['pods'], env(remote)), false)
  assert.equal(runsInProcess('get', ['pods', '--kubeconfig', remote], env(missing)), false)
  assert.equal(runsInProcess('get', ['pods', '--kubeconfig=' + remote], env(missing)), false)
  assert.equal(runsInProcess('get', ['pods', '--context', 'empty'], env(remote)), true)
  assert.equal(runsInProcess('get', ['pods', '--context=empty', '--cluster', 'b'], env(remote)), false)
})

test('a kubeconfig the command will refuse stays with the command (it reports the error)', () => {
  assert.equal(runsInProcess('get', ['pods', '--kubeconfig', missing], env(remote)), false)
  assert.equal(runsInProcess('get', ['pods', '--context', 'nope'], env(remote)), false)
  const broken = join(home, 'broken.yaml')
  writeFileSync(broken, 'clusters: [\n')
  assert.equal(runsInProcess('get', ['pods'], env(broken)), false)
})

test('commands that never connect are not routed', () => {
  assert.equal(runsInProcess('config', ['view'], env(missing)), false)
  assert.equal(runsInProcess('sandbox', ['up'], env(missing)), false)
  assert.equal(runsInProcess('version', ['--client'], env(missing)), false)
  assert.equal(runsInProcess('version', ['-o', 'json', '--client=true'], env(missing)), false)
  assert.equal(runsInProcess('version', [], env(missing)), true)
})
