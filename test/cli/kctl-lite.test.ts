// kctl runs most commands on the lite bundle (dist/kctl-lite.cjs) and everything else through
// oclif (dist/kctl.cjs). DEBUG set to a namespace that matches nothing makes every run take the
// oclif path, so each case here runs both ways and must print the same bytes and exit the same.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

const home = mkdtempSync(join(tmpdir(), 'kctl-lite-'))
after(() => rmSync(home, {recursive: true, force: true}))

function kctl(args: string[], viaOclif: boolean, extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = {...process.env, HOME: home, KUBECONFIG: join(home, 'kubeconfig'), ECTL_DATA_DIR: join(home, 'data'), ...extra}
  delete env['NODE_EXTRA_CA_CERTS']
  delete env['DEBUG']
  if (viaOclif) env['DEBUG'] = 'kctl-lite-test-matches-no-namespace'
  const r = spawnSync(process.execPath, ['bin/kctl.js', ...args], {encoding: 'utf8', env})
  // Node's warnings name the process
  return {status: r.status, stdout: r.stdout, stderr: r.stderr.replaceAll(/\(node:\d+\)/g, '(node:PID)')}
}

const cases: string[][] = [
  ['version', '--client'],
  ['version', '--client', '-o', 'json'],
  ['version', '-o', 'xml'],
  ['get'],
  ['get', 'nopes'],
  ['get', '--bogus'],
  ['get', 'pods', '--help=true'],
  ['-n', 'kube-system', 'get', 'pods', '-o', 'name'],
  ['get', 'pods', '-A'],
  ['get', 'namespaces', '-o', 'name'],
  ['describe', 'namespace', 'default'],
  ['api-versions'],
  // decided by oclif on both paths: help flags, topics, unknown commands
  ['get', '-h'],
  ['get', 'pods', '--help'],
  ['config', 'view'],
  ['nope'],
]

for (const args of cases) {
  test(`kctl ${args.join(' ')}: the lite bundle prints what oclif's path prints`, () => {
    const lite = kctl(args, false)
    const oclif = kctl(args, true)
    assert.deepEqual(lite, oclif)
  })
}

test('under NODE_ENV=test both paths warn, as oclif does, that the command did not parse', () => {
  const lite = kctl(['version', '--client'], false, {NODE_ENV: 'test'})
  assert.match(lite.stderr, /Command version did not parse its arguments/)
  assert.deepEqual(lite, kctl(['version', '--client'], true, {NODE_ENV: 'test'}))
})

// The same with a kubeconfig naming a server (nothing listens there): these runs stay on the
// lite bundle, which leaves the engine out, where the runs above (nothing configured) are
// handed to the full bundle before they start.
const remoteKubeconfig = join(home, 'remote-kubeconfig')
writeFileSync(
  remoteKubeconfig,
  'apiVersion: v1\nkind: Config\ncurrent-context: r\ncontexts:\n- {name: r, context: {cluster: r, user: r}}\nclusters:\n- {name: r, cluster: {server: "http://127.0.0.1:1"}}\nusers:\n- {name: r, user: {token: t}}\n',
)
const remoteCases: string[][] = [
  ['get', 'pods'],
  ['get'],
  ['get', 'pods', '-o', 'bogus'],
  ['describe', 'pods'],
  ['--context', 'nope', 'get', 'pods'],
  ['api-versions'],
]
for (const args of remoteCases) {
  test(`kctl ${args.join(' ')} against an unreachable server: the lite bundle prints what oclif's path prints`, () => {
    const lite = kctl(args, false, {KUBECONFIG: remoteKubeconfig})
    const oclif = kctl(args, true, {KUBECONFIG: remoteKubeconfig})
    assert.deepEqual(lite, oclif)
    assert.equal(lite.status, 1)
  })
}
