// ectl's cluster and maintenance commands on a data dir (the built bin/ectl.js): member list,
// endpoint status/health/hashkv named by the data dir, defrag, snapshot save, status and
// restore into a new data dir that opens with every key.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

function ectl(args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const env = {...process.env}
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
let dataDir: string
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ectl-maintenance-'))
  dataDir = join(scratch, 'data')
  for (const [k, v] of [['a', '1'], ['b', '2'], ['a', '3']]) assert.equal((await ectl(['--data-dir', dataDir, 'put', k!, v!])).code, 0)
})
after(async () => {
  await rm(scratch, {recursive: true, force: true})
})

test('endpoint commands name the data dir; member list shows the one member', async () => {
  const health = await ectl(['--data-dir', dataDir, 'endpoint', 'health'])
  assert.equal(health.code, 0, health.stderr)
  assert.match(health.stdout, new RegExp(`^${dataDir} is healthy: successfully committed proposal: took = [0-9.]+(ns|µs|ms|s)\\n$`))
  const status = await ectl(['--data-dir', dataDir, 'endpoint', 'status'])
  assert.match(status.stdout, new RegExp(`^${dataDir}, [0-9a-f]+, 3\\.5\\.0, \\d+ kB, true, false, 1, 3, 3, \\n$`))
  const table = await ectl(['--data-dir', dataDir, 'endpoint', 'status', '-w', 'table'])
  assert.match(table.stdout.split('\n')[1]!, /\| +ENDPOINT +\| +ID +\| VERSION \| DB SIZE \| IS LEADER \| IS LEARNER \| RAFT TERM \| RAFT INDEX \| RAFT APPLIED INDEX \| ERRORS \|/)
  const members = await ectl(['--data-dir', dataDir, 'member', 'list'])
  assert.match(members.stdout, /^[0-9a-f]+, started, default, http:\/\/localhost:2380, http:\/\/localhost:2379, false\n$/)
  const hashkv = await ectl(['--data-dir', dataDir, 'endpoint', 'hashkv', '--cluster'])
  assert.match(hashkv.stdout, new RegExp(`^${dataDir}, \\d+\\n$`))
  const bad = await ectl(['--data-dir', dataDir, 'member', 'remove', 'zz'])
  assert.deepEqual([bad.code, bad.stderr], [128, 'Error: bad member ID arg (strconv.ParseUint: parsing "zz": invalid syntax), expecting ID in Hex\n'])
})

test('defrag, then snapshot save/status/restore: the restored data dir has every key', async () => {
  const defrag = await ectl(['--data-dir', dataDir, 'defrag'])
  assert.deepEqual([defrag.code, defrag.stdout], [0, `Finished defragmenting etcd member[${dataDir}]\n`])
  const file = join(scratch, 'backup.db')
  const save = await ectl(['--data-dir', dataDir, 'snapshot', 'save', file])
  assert.deepEqual([save.code, save.stdout], [0, `Snapshot saved at ${file}\n`])
  assert.match(save.stderr, /"msg":"fetched snapshot","endpoint":"[^"]+","size":"\d+ kB","took":[0-9.e-]+\}/)
  const status = await ectl(['snapshot', 'status', file, '-w', 'json'])
  assert.equal(status.code, 0, status.stderr)
  assert.equal((JSON.parse(status.stdout) as {revision: number}).revision, 4)
  const restored = join(scratch, 'restored')
  const restore = await ectl(['snapshot', 'restore', file, '--data-dir', restored])
  assert.equal(restore.code, 0, restore.stderr)
  assert.match(restore.stderr, /"msg":"added member","cluster-id":"cdf818194e3a8c32","local-member-id":"0","added-peer-id":"8e9e05c52164694d"/)
  const got = await ectl(['--data-dir', restored, 'get', '--prefix', ''])
  assert.equal(got.stdout, 'a\n3\nb\n2\n')
  const old = await ectl(['--data-dir', restored, 'get', 'a', '--rev', '2'])
  assert.equal(old.stdout, 'a\n1\n')
  const again = await ectl(['snapshot', 'restore', file, '--data-dir', restored])
  assert.deepEqual([again.code, again.stderr], [1, `Error: data-dir ${JSON.stringify(restored)} exists\n`])
  const missing = await ectl(['snapshot', 'status', join(scratch, 'nope.db')])
  assert.deepEqual([missing.code, missing.stderr], [1, `Error: stat ${join(scratch, 'nope.db')}: no such file or directory\n`])
})
