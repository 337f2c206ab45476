// The kubeconfig parse cache: the same text is parsed once, a changed text is parsed again, the
// entries are the owner's alone, only plain JSON is kept, and a damaged entry is parsed over.
import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, test} from 'node:test'
import {cachedParser} from '../../../src/cli/kube/kubeconfig-cache.js'
import {parseYaml} from '../../../src/cli/kube/yaml.js'

let home: string
const cacheDir = () => join(home, '.kube', 'cache', 'kctl-kubeconfig')

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kubeconfig-cache-'))
})
afterEach(() => rmSync(home, {recursive: true, force: true}))

/** parseYaml, counting its calls */
function counting(): {parse: (text: string) => unknown; calls: () => number} {
  let calls = 0
  return {
    parse: (text) => {
      calls++
      return parseYaml(text)
    },
    calls: () => calls,
  }
}

const config = 'apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: a\n  cluster: {server: "https://127.0.0.1:6443"}\n'

test('the same text is parsed once across runs; a changed text is parsed again', () => {
  const first = counting()
  const value = cachedParser(first.parse, {HOME: home})(config)
  assert.equal(first.calls(), 1)
  const second = counting()
  assert.deepEqual(cachedParser(second.parse, {HOME: home})(config), value)
  assert.equal(second.calls(), 0, 'a second run reads the cache')
  const changed = cachedParser(second.parse, {HOME: home})(config.replace('6443', '7443')) as {clusters: {cluster: {server: string}}[]}
  assert.equal(second.calls(), 1)
  assert.equal(changed.clusters[0]!.cluster.server, 'https://127.0.0.1:7443')
})

test('entries are readable by the owner alone', () => {
  cachedParser(parseYaml, {HOME: home})(config)
  assert.equal(statSync(cacheDir()).mode & 0o777, 0o700)
  for (const name of readdirSync(cacheDir())) assert.equal(statSync(join(cacheDir(), name)).mode & 0o777, 0o600)
})

test('a value JSON would not give back unchanged is not kept', () => {
  let calls = 0
  const dated = (): unknown => {
    calls++
    return {when: new Date(0)}
  }
  cachedParser(dated, {HOME: home})('when: 1970-01-01\n')
  const again = cachedParser(dated, {HOME: home})('when: 1970-01-01\n') as {when: unknown}
  assert.equal(calls, 2)
  assert.ok(again.when instanceof Date)
})

test('a damaged entry is parsed over', () => {
  cachedParser(parseYaml, {HOME: home})(config)
  for (const name of readdirSync(cacheDir())) writeFileSync(join(cacheDir(), name), '{"clusters": [')
  const parser = counting()
  const value = cachedParser(parser.parse, {HOME: home})(config) as {kind: string}
  assert.equal(parser.calls(), 1)
  assert.equal(value.kind, 'Config')
})

test('a parse error is the parser\'s, and nothing is kept', () => {
  assert.throws(() => cachedParser(parseYaml, {HOME: home})('a: [\n'))
  assert.deepEqual(readdirSync(home), [])
})

test('only the most recent entries are kept', () => {
  const parse = cachedParser(parseYaml, {HOME: home})
  for (let i = 0; i < 20; i++) parse(`n: ${i}\n`)
  assert.equal(readdirSync(cacheDir()).length, 16)
})
