import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {test} from 'node:test'

const kctl = (args: string[]) => spawnSync(process.execPath, ['bin/kctl.js', ...args], {encoding: 'utf8'})

test('kctl version prints the client version line as kubectl does', () => {
  const out = kctl(['version', '--client'])
  assert.equal(out.status, 0, out.stderr)
  assert.match(out.stdout, /^Client Version: v1\.32\.0-kctl\.\d+\.\d+\.\d+\n$/)
})

test('kctl version -o json has kubectl\'s clientVersion fields', () => {
  const out = kctl(['version', '--client', '-o', 'json'])
  assert.equal(out.status, 0, out.stderr)
  const info = JSON.parse(out.stdout).clientVersion
  assert.equal(info.major, '1')
  assert.equal(info.minor, '32')
  assert.match(info.platform, /^[a-z0-9]+\/[a-z0-9]+$/)
})

test('kctl version rejects an unknown output format', () => {
  const out = kctl(['version', '-o', 'xml'])
  assert.notEqual(out.status, 0)
  assert.equal(out.stderr, "error: --output must be 'yaml' or 'json'\n")
})
