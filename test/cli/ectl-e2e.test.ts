// End to end: the built ectl (`npm run build` first) on a fresh embedded data dir per test.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ectl-e2e-'))
  dirs.push(d)
  return d
}

interface Result {
  code: number
  stdout: string
  stderr: string
}

function ectl(dataDir: string, args: string[], input?: string | Buffer, env: Record<string, string> = {}): Result {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_') && k !== 'ECTL_DATA_DIR'))
  const r = spawnSync(process.execPath, [join(root, 'bin/ectl.js'), '--data-dir', dataDir, ...args], {
    input: input ?? '',
    env: {...cleanEnv, NO_COLOR: '1', ...env},
    timeout: 20_000,
  })
  return {code: r.status ?? -1, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1')}
}

test('put, get in every format, del', () => {
  const d = freshDir()
  assert.deepEqual(ectl(d, ['put', 'foo', 'bar']), {code: 0, stdout: 'OK\n', stderr: ''})
  assert.equal(ectl(d, ['get', 'foo']).stdout, 'foo\nbar\n')
  assert.equal(ectl(d, ['get', 'foo', '--hex']).stdout, '\\x66\\x6f\\x6f\n\\x62\\x61\\x72\n')
  assert.match(ectl(d, ['get', 'foo', '-w', 'json']).stdout, /^\{"header":\{.*"revision":2,.*\},"kvs":\[\{"key":"Zm9v","create_revision":2,"mod_revision":2,"version":1,"value":"YmFy"\}\],"count":1\}\n$/)
  assert.match(ectl(d, ['get', 'foo', '-w', 'fields']).stdout, /"Key" : "foo"\n"CreateRevision" : 2\n[\s\S]*"More" : false\n"Count" : 1\n$/)
  assert.equal(ectl(d, ['put', 'foo', 'baz', '--prev-kv']).stdout, 'OK\nfoo\nbar\n')
  assert.equal(ectl(d, ['del', 'foo', '--prev-kv']).stdout, '1\nfoo\nbaz\n')
  assert.equal(ectl(d, ['get', 'foo']).stdout, '')
})

test('put reads the value from stdin; binary bytes survive', () => {
  const d = freshDir()
  const value = Buffer.from([0x41, 0x00, 0xff, 0x0a])
  assert.equal(ectl(d, ['put', 'bin'], value).code, 0)
  assert.equal(ectl(d, ['get', 'bin', '--print-value-only', '--hex']).stdout, '\\x41\\x00\\xff\\x0a\n')
})

test('txn from a pipe', () => {
  const d = freshDir()
  ectl(d, ['put', 'k', 'v1'])
  const r = ectl(d, ['txn'], 'val("k") = "v1"\n\nput k v2\nget k\n\nput k nope\n\n')
  assert.deepEqual(r, {code: 0, stdout: 'SUCCESS\n\nOK\n\nk\nv2\n', stderr: ''})
  const bad = ectl(d, ['txn'], 'bogus\n\n\n')
  assert.deepEqual(bad, {code: 3, stdout: '', stderr: 'Error: malformed comparison: bogus\n'})
  assert.equal(ectl(d, ['txn'], 'value("k") = "v"\n').stderr, 'Error: EOF\n')
})

test('errors: arguments, flag conflicts, unknown flags, server refusals', () => {
  const d = freshDir()
  assert.deepEqual(ectl(d, ['put']), {
    code: 128,
    stdout: '',
    stderr: 'Error: put command needs 1 argument and input from stdin or 2 arguments\n',
  })
  assert.deepEqual(ectl(d, ['get', 'a', '--prefix', '--from-key']), {
    code: 128,
    stdout: '',
    stderr: 'Error: `--prefix` and `--from-key` cannot be set at the same time, choose one\n',
  })
  const unknown = ectl(d, ['get', 'a', '--bogus'])
  assert.equal(unknown.code, 1)
  assert.equal(unknown.stderr, 'Error: unknown flag: --bogus\n\nError: unknown flag: --bogus\n')
  assert.match(unknown.stdout, /^NAME:\n\tget - Gets the key or a range of keys\n\nUSAGE:\n\tetcdctl get /)
  assert.equal(ectl(d, ['get', 'a', '--limit=abc']).stderr.split('\n')[0], 'Error: invalid argument "abc" for "--limit" flag: strconv.ParseInt: parsing "abc": invalid syntax')
  const table = ectl(d, ['put', 'k', 'v', '-w', 'table'])
  assert.deepEqual(table, {code: 4, stdout: '', stderr: 'Error: table not supported as output format\n'})
  assert.equal(ectl(d, ['get', 'k']).stdout, 'k\nv\n') // the put ran before the refusal, as in etcdctl
  const empty = ectl(d, ['put', '', 'x'])
  assert.equal(empty.code, 1)
  assert.match(empty.stderr, /^\{"level":"warn",.*"error":"rpc error: code = InvalidArgument desc = etcdserver: key is not provided"\}\nError: etcdserver: key is not provided\n$/)
  const conflict = ectl(d, ['get', 'k', '-w', 'json'], undefined, {ETCDCTL_WRITE_OUT: 'fields'})
  assert.equal(conflict.code, 1)
  assert.match(conflict.stderr, /C \| pkg\/flags: conflicting environment variable "ETCDCTL_WRITE_OUT" is shadowed/)
  assert.match(ectl(d, ['get', 'k'], undefined, {ETCDCTL_WRITE_OUT: 'json'}).stdout, /^\{"header"/)
})

test('compaction and version', () => {
  const d = freshDir()
  ectl(d, ['put', 'k', 'v1'])
  ectl(d, ['put', 'k', 'v2'])
  assert.deepEqual(ectl(d, ['compaction', '2']), {code: 0, stdout: 'compacted revision 2\n', stderr: ''})
  assert.deepEqual(ectl(d, ['compaction']), {code: 128, stdout: '', stderr: 'Error: compaction command needs 1 argument\n'})
  assert.match(ectl(d, ['version']).stdout, /^ectl version: \d+\.\d+\.\d+\nAPI version: 3\.5\n$/)
})

test('help shows description and examples', () => {
  const d = freshDir()
  const help = ectl(d, ['help', 'txn'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /EXAMPLES/)
  assert.match(ectl(d, ['get', '--help']).stdout, /--print-value-only/)
})
