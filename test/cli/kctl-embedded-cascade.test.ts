// kctl with nothing configured runs the API server in-process over the data dir; a delete runs
// the garbage collector there too, and lets it finish before the process exits, so cascades
// complete as they would against a cluster.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'kctl-embedded-gc-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const env: NodeJS.ProcessEnv = {...process.env, HOME: dir, KUBECONFIG: join(dir, 'none'), ECTL_DATA_DIR: join(dir, 'data')}
delete env['NODE_EXTRA_CA_CERTS']

function kctl(args: string[], stdin = ''): {status: number | null; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, [join(root, 'bin/kctl.js'), ...args], {env, encoding: 'utf8', input: stdin, timeout: 60_000})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

function family(set: string): void {
  assert.equal(kctl(['create', 'configmap', `owner-${set}`]).status, 0)
  const uid = kctl(['get', 'configmap', `owner-${set}`, '-o', 'jsonpath={.metadata.uid}']).stdout
  const doc = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {set: ${set}}\n  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: owner-${set}, uid: ${uid}, blockOwnerDeletion: true}\n`
  const applied = kctl(['apply', '-f', '-'], `${doc(`${set}-a`)}---\n${doc(`${set}-b`)}`)
  assert.equal(applied.status, 0, applied.stderr)
}

test('embedded: background, foreground and orphan cascades complete within the command', () => {
  for (const set of ['bg', 'fg', 'or']) family(set)
  assert.deepEqual(kctl(['delete', 'configmap', 'owner-bg']), {status: 0, stdout: 'configmap "owner-bg" deleted\n', stderr: ''})
  assert.equal(kctl(['get', 'configmaps', '-l', 'set=bg', '-o', 'name']).stdout, '')
  assert.deepEqual(kctl(['delete', 'configmap', 'owner-fg', '--cascade=foreground']), {status: 0, stdout: 'configmap "owner-fg" deleted\n', stderr: ''})
  assert.equal(kctl(['get', 'configmaps', '-l', 'set=fg', '-o', 'name']).stdout, '')
  assert.deepEqual(kctl(['delete', 'configmap', 'owner-or', '--cascade=orphan']), {status: 0, stdout: 'configmap "owner-or" deleted\n', stderr: ''})
  assert.equal(kctl(['get', 'configmaps', '-l', 'set=or', '-o', 'jsonpath={range .items[*]}{.metadata.name}:{.metadata.ownerReferences}{"\\n"}{end}']).stdout, 'or-a:\nor-b:\n')
})
