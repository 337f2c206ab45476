// The launcher's code caches: a command with a cache of its own (`get`) reads and writes that
// one, any other command the bundle's shared one, each made by the first run that lacks it.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'
import {cacheVariant} from '../../src/cli/launch.js'

test('the cache variant is the first word when that is a command with its own cache', () => {
  assert.equal(cacheVariant(['get', 'pods']), 'get')
  assert.equal(cacheVariant(['put', 'k', 'v']), 'put')
  assert.equal(cacheVariant(['sandbox', 'up']), undefined)
  assert.equal(cacheVariant(['-n', 'x', 'get', 'pods']), undefined)
  assert.equal(cacheVariant(['nosuchcommand']), undefined)
  assert.equal(cacheVariant([]), undefined)
})

const dir = mkdtempSync(join(tmpdir(), 'launch-cache-'))
after(() => rmSync(dir, {recursive: true, force: true}))

test('a run writes the cache of its variant beside the bundle, and the next run of that variant reads it', () => {
  mkdirSync(join(dir, 'dist'))
  copyFileSync(join(import.meta.dirname, '../../dist/launch.cjs'), join(dir, 'dist/launch.cjs'))
  // a stand-in bundle: what the launcher does with it is the subject, not what it runs
  writeFileSync(join(dir, 'dist/demo-lite.cjs'), 'exports.runLite = async () => { process.stdout.write("ran\\n"); return true }\n')
  // as bin/kctl.js launches kctl
  writeFileSync(join(dir, 'demo.cjs'), `require('./dist/launch.cjs').launch('demo', __dirname)\n`)
  const run = (...argv: string[]) => {
    const r = spawnSync(process.execPath, [join(dir, 'demo.cjs'), ...argv], {encoding: 'utf8', env: {...process.env, XDG_CACHE_HOME: join(dir, 'xdg')}})
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, 'ran\n')
  }
  run('get', 'x')
  assert.equal(existsSync(join(dir, 'dist/demo-lite.cjs.get.cache')), true)
  assert.equal(existsSync(join(dir, 'dist/demo-lite.cjs.cache')), false)
  run('sandbox', 'up')
  assert.equal(existsSync(join(dir, 'dist/demo-lite.cjs.cache')), true)
  // a cache that was accepted is not written again
  const made = statSync(join(dir, 'dist/demo-lite.cjs.get.cache')).mtimeMs
  run('get', 'y')
  assert.equal(statSync(join(dir, 'dist/demo-lite.cjs.get.cache')).mtimeMs, made)
})
