// ectl runs its everyday commands on the lite bundle (dist/ectl-lite.cjs) and everything else
// through oclif (dist/ectl.cjs). DEBUG set to a namespace that matches nothing makes every run
// take the oclif path, so each case here runs both ways, each on its own copy of one data dir,
// and must print the same bytes, exit the same and leave the same data behind.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

const home = mkdtempSync(join(tmpdir(), 'ectl-lite-'))
const seed = join(home, 'seed')
after(() => rmSync(home, {recursive: true, force: true}))

function ectl(args: string[], options: {viaOclif: boolean; dataDir: string; input?: string; env?: NodeJS.ProcessEnv}) {
  const env: NodeJS.ProcessEnv = {...process.env, ...options.env, HOME: home, ECTL_DATA_DIR: options.dataDir}
  delete env['NODE_EXTRA_CA_CERTS']
  delete env['DEBUG']
  if (options.viaOclif) env['DEBUG'] = 'ectl-lite-test-matches-no-namespace'
  const r = spawnSync(process.execPath, ['bin/ectl.js', ...args], {encoding: 'utf8', env, input: options.input ?? ''})
  // Node's warnings name the process; etcdctl's flag warnings carry the time
  const stderr = r.stderr.replaceAll(/\(node:\d+\)/g, '(node:PID)').replaceAll(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} /gm, 'TIME ')
  return {status: r.status, stdout: r.stdout, stderr}
}

before(() => {
  for (const [k, v] of [['a', '1'], ['b', '2'], ['b/c', '3'], ['d', '-4']]) {
    assert.equal(ectl(['put', k!, '--', v!], {viaOclif: true, dataDir: seed}).status, 0)
  }
})

interface Case {
  args: string[]
  input?: string
  env?: NodeJS.ProcessEnv
}

const cases: Case[] = [
  {args: ['get', 'a']},
  {args: ['get', 'b', '--prefix', '-w', 'json']},
  {args: ['get', '--from-key', 'a', '--limit=2', '--sort-by', 'KEY', '--order', 'DESCEND', '-wfields']},
  {args: ['--hex', 'get', 'a', '--keys-only']},
  {args: ['get', 'a', '--count-only']},
  {args: ['get', 'a', '--rev', 'x']},
  {args: ['get', 'a', '--prefix=true', '--print-value-only=false']},
  {args: ['get', 'a', '--prefix=maybe']},
  {args: ['get', 'a', '--nope']},
  {args: ['get', 'a', '--limit']},
  {args: ['get', 'a', '-h']},
  {args: ['get', 'a', '-w', 'table']},
  {args: ['get', 'a'], env: {ETCDCTL_WRITE_OUT: 'json'}},
  {args: ['get', 'a', '-w', 'json'], env: {ETCDCTL_WRITE_OUT: 'json', ETCDCTL_NOPE: '1'}},
  {args: ['get']},
  {args: ['put', 'n', 'v', '--prev-kv']},
  {args: ['put', 'a', '--prev-kv'], input: 'from stdin\n'},
  {args: ['put', 'a', '--ignore-value']},
  {args: ['put', '--', 'x', '-5']},
  {args: ['del', 'b', '--prefix', '--prev-kv']},
  {args: ['del', 'zz']},
  {args: ['txn', '-w', 'json'], input: 'mod("a") > "0"\n\nput a 10\n\nget b\n\n'},
  {args: ['compaction', '3']},
  {args: ['compaction', 'three']},
]

for (const c of cases) {
  test(`ectl ${c.args.join(' ')}: the lite bundle prints what oclif's path prints`, () => {
    const liteDir = join(home, `lite-${cases.indexOf(c)}`)
    const oclifDir = join(home, `oclif-${cases.indexOf(c)}`)
    cpSync(seed, liteDir, {recursive: true})
    cpSync(seed, oclifDir, {recursive: true})
    const lite = ectl(c.args, {viaOclif: false, dataDir: liteDir, input: c.input, env: c.env})
    const oclif = ectl(c.args, {viaOclif: true, dataDir: oclifDir, input: c.input, env: c.env})
    assert.deepEqual(lite, oclif)
    // and a write leaves the same data behind
    if (c.args.includes('get')) return
    const dump = (dir: string) => ectl(['get', '', '--from-key', '-w', 'json'], {viaOclif: true, dataDir: dir}).stdout
    assert.equal(dump(liteDir), dump(oclifDir))
  })
}
