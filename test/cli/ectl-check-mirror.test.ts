// ectl check perf (a short run) and make-mirror between two data dirs, as programs.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

function ectl(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const env = {...process.env, ...extraEnv}
    delete env.ECTL_DATA_DIR
    const child = spawn(process.execPath, ['bin/ectl.js', ...args], {stdio: ['ignore', 'pipe', 'pipe'], env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

let scratch: string
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ectl-check-mirror-'))
})
after(async () => {
  await rm(scratch, {recursive: true, force: true})
})

test('check perf: etcdctl verdict lines, the keys it wrote are gone, a used prefix is refused', async () => {
  const dataDir = join(scratch, 'perf')
  const run = await ectl(['--data-dir', dataDir, 'check', 'perf', '--auto-compact'], {ECTL_CHECK_PERF_SECONDS: '2'})
  const lines = run.stdout.trimEnd().split('\n')
  assert.match(lines[0]!, /^Compacted with revision \d+$/)
  assert.match(lines[1]!, /^(PASS: Throughput is|FAIL: Throughput too low:) \d+ writes\/s$/)
  assert.match(lines[2]!, /^(PASS: Slowest request took|Slowest request took too long:) \d+\.\d{6}s$/)
  assert.match(lines[3]!, /^(PASS: Stddev is|Stddev too high:) \d+\.\d{6}s$/)
  assert.equal(lines[4], run.code === 0 ? 'PASS' : 'FAIL')
  const left = await ectl(['--data-dir', dataDir, 'get', '--prefix', '/etcdctl-check-perf/', '--count-only', '-w', 'json'])
  assert.doesNotMatch(left.stdout, /"count"/)
  await ectl(['--data-dir', dataDir, 'put', '/etcdctl-check-perf/x', '1'])
  const refused = await ectl(['--data-dir', dataDir, 'check', 'perf'])
  assert.deepEqual([refused.code, refused.stderr], [
    3,
    'Error: prefix "/etcdctl-check-perf/" has keys. Delete with etcdctl del --prefix /etcdctl-check-perf/ first\n',
  ])
  const badLoad = await ectl(['--data-dir', dataDir, 'check', 'perf', '--load', 'huge'])
  assert.deepEqual([badLoad.code, badLoad.stderr], [4, 'Error: unknown load option huge\n'])
})

test('make-mirror copies a prefix under another, follows puts and deletes, dies by SIGINT', async () => {
  const source = join(scratch, 'source')
  const dest = join(scratch, 'dest')
  await ectl(['--data-dir', source, 'put', 'p/a', '1'])
  await ectl(['--data-dir', source, 'put', 'p/b', '2'])
  await ectl(['--data-dir', source, 'put', 'other', 'x'])
  const child = spawn(process.execPath, ['bin/ectl.js', '--data-dir', source, 'make-mirror', '--prefix', 'p/', '--dest-prefix', 'q/', dest], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)))
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  // the mirror process holds the source data dir: these go through it
  await ectl(['--data-dir', source, 'put', 'p/c', '3'])
  await ectl(['--data-dir', source, 'del', 'p/a'])
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  child.kill('SIGINT')
  assert.equal(await exit, 'SIGINT', stderr)
  const got = await ectl(['--data-dir', dest, 'get', '--prefix', ''])
  assert.equal(got.stdout, 'q/b\n2\nq/c\n3\n')
  const both = await ectl(['--data-dir', source, 'make-mirror', '--dest-prefix', 'x', '--no-dest-prefix', dest])
  assert.deepEqual([both.code, both.stderr], [128, 'Error: `--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one\n'])
  const none = await ectl(['--data-dir', source, 'make-mirror'])
  assert.deepEqual([none.code, none.stderr], [128, 'Error: make-mirror takes one destination argument\n'])
})
