// `kctl delete --cascade=background|foreground|orphan` and the real kubectl's against one
// sandbox (whose garbage collector does the cascading), side by side: each side deletes its
// own owners, then both must see the same dependents left (none, or orphans without the
// reference).
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {NS, sandboxPair, type SandboxPair} from './kctl/sandbox-pair.js'

let pair: SandboxPair
before(() => {
  pair = sandboxPair('kctl-cascade-')
  for (const ns of Object.values(NS)) {
    for (const set of ['bg', 'fg', 'or']) {
      const owner = `owner-${set}`
      assert.equal(pair.kctlSync(['-n', ns, 'create', 'configmap', owner]).status, 0)
      const uid = pair.kctlSync(['-n', ns, 'get', 'configmap', owner, '-o', 'jsonpath={.metadata.uid}']).stdout
      const ownerRef = `    ownerReferences:\n    - {apiVersion: v1, kind: ConfigMap, name: ${owner}, uid: ${uid}, blockOwnerDeletion: true}\n`
      const doc = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: ${name}\n    labels: {set: ${set}}\n${ownerRef}data: {k: v}\n`
      const applied = spawnApply(ns, `${doc(`${set}-a`)}---\n${doc(`${set}-b`)}`)
      assert.equal(applied.status, 0, applied.stderr)
    }
  }
})
after(() => pair.down())

function spawnApply(ns: string, yaml: string) {
  return pair.kctlSync(['-n', ns, 'apply', '-f', '-'], yaml)
}

/** Polls until `args` prints `want` on both sides (the collector works in the background). */
async function settle(args: string[], want: (ns: string) => string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (const ns of Object.values(NS)) {
    while (pair.kctlSync(['-n', ns, ...args]).stdout !== want(ns)) {
      if (Date.now() > deadline) assert.fail(`${args.join(' ')} never printed ${JSON.stringify(want(ns))}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

const names = ['get', 'configmaps', '-o', 'name']

test('background (the default): the owner is deleted, then its dependents', async () => {
  await pair.step(['delete', 'configmap', 'owner-bg'])
  await settle(['get', 'configmaps', '-l', 'set=bg', '-o', 'name'], () => '')
  await pair.step(['get', 'configmaps', '-l', 'set=bg'])
})

test('orphan: the owner is deleted, dependents stay without the reference', async () => {
  await pair.step(['delete', 'configmap', 'owner-or', '--cascade=orphan'])
  await pair.step(['get', 'configmaps', '-l', 'set=or', '-o', 'jsonpath={range .items[*]}{.metadata.name} owners={.metadata.ownerReferences}{"\\n"}{end}'])
})

test('foreground: dependents go first, and delete returns once the owner is gone', async () => {
  const {kctl} = await pair.step(['delete', 'configmap', 'owner-fg', '--cascade=foreground'])
  assert.equal(kctl.stdout, 'configmap "owner-fg" deleted\n')
  await pair.step(['get', 'configmaps', '-l', 'set=fg'])
  await pair.step(names)
})

test('a cascade value kubectl does not know', async () => {
  const {kctl} = await pair.step(['delete', 'configmap', 'or-a', '--cascade=sideways'])
  assert.equal(kctl.code, 1)
})
