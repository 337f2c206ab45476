// The quick way to lmdb's addon names the file lmdb's own loader (node-gyp-build) would load.
import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {test} from 'node:test'
import {loadLmdbAddon, quickLmdbAddonPath} from '../../../src/engine/mvcc/lmdb-addon.js'

const require = createRequire(import.meta.url)
// lmdb's folder, as the build finds it (its package exports no package.json)
const lmdbDir = dirname(require.resolve('lmdb')).replace(/[\\/]dist$/, '')
const nodeGypBuild = createRequire(join(lmdbDir, 'package.json'))('node-gyp-build-optional-packages') as {
  (dir: string): unknown
  resolve(dir: string): string
}

test('the quick path is the file node-gyp-build resolves, or none', () => {
  const quick = quickLmdbAddonPath(lmdbDir)
  if (process.platform === 'linux' && process.arch === 'x64') assert.ok(quick, 'glibc Linux x64 takes the quick way')
  if (quick !== undefined) assert.equal(quick, nodeGypBuild.resolve(lmdbDir))
})

test('the addon loaded either way is the same module', () => {
  assert.equal(loadLmdbAddon(lmdbDir, nodeGypBuild), nodeGypBuild(lmdbDir))
})

test('a local build of lmdb, or LMDB_PREBUILD, is left to lmdb', () => {
  process.env['LMDB_PREBUILD'] = '/somewhere'
  try {
    assert.equal(quickLmdbAddonPath(lmdbDir), undefined)
    let asked = ''
    loadLmdbAddon(lmdbDir, (dir) => (asked = dir))
    assert.equal(asked, lmdbDir)
  } finally {
    delete process.env['LMDB_PREBUILD']
  }
})
