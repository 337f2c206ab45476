// The real etcdctl 3.4 against `ectl server` and against a real etcd 3.4, side by side, for the
// cluster and maintenance commands: the same argv on both, outputs equal after masking what
// differs between any two clusters by design (member and cluster ids, URLs and ports, db
// sizes, timings, raft indexes and the server version). Snapshot files are each side's own
// format, so `snapshot save` is compared on its messages only.
import assert from 'node:assert/strict'
import {mkdtemp, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {startEctlServer, type EctlServer} from './harness/ectl-server.js'
import {normalizeOutput} from './harness/normalize.js'
import {etcdctlBinary, startRealEtcd, type RealEtcd} from './harness/real-etcd.js'
import {runProcess, type ProcessResult} from './harness/run-process.js'
import {ectlLauncher} from './harness/script.js'

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('ETCD') || name.startsWith('ECTL_') || name === 'NODE_OPTIONS' || name === 'NODE_TEST_CONTEXT') continue
    env[name] = value
  }
  return env
}

const etcdctl = (endpoint: string, args: string[]) =>
  runProcess({command: etcdctlBinary, args, env: {...baseEnv(), ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: endpoint}})

/** Masks exactly the values that differ between two clusters by design. */
function mask(output: Buffer): string {
  return normalizeOutput(output)
    .toString('latin1')
    .replace(/"ts":("[^"]*"|[0-9.e+]+)/g, '"ts":<ts>')
    .replace(/"took":([0-9.e-]+|"[^"]*")/g, '"took":<took>')
    .replace(/took = [0-9.]+(ns|µs|Âµs|ms|s)/g, 'took = <took>')
    .replace(/"size":"[^"]*"/g, '"size":<size>')
    .replace(/https?:\/\/(127\.0\.0\.1|localhost):\d+/g, '<url>')
    .replace(/127\.0\.0\.1:\d+/g, '<endpoint>')
    .replace(/\b[0-9a-f]{14,16}\b/g, '<id>')
    .replace(/ {1,2}<id>/g, ' <id>')
    .replace(/"(ID|leader)":\d+/g, '"$1":<id>')
    .replace(/\b3\.[45]\.\d+\b/g, '<version>')
    .replace(/\d+(\.\d)? [kMG]?B\b/g, '<size>')
    .replace(/"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex|revision|raftTerm)":\d+/g, '"$1":<n>')
    .replace(/^"ID" : \d+$/gm, '"ID" : <id>')
    // table columns are as wide as their widest cell: masked cells make widths meaningless
    .replace(/-+/g, '-')
    .replace(/ +/g, ' ')
}

function same(reference: ProcessResult, ours: ProcessResult): void {
  assert.equal(ours.exitCode, reference.exitCode, `exit code\nreal: ${reference.stderr}\nours: ${ours.stderr}`)
  assert.equal(mask(ours.stdout), mask(reference.stdout))
  assert.equal(mask(ours.stderr), mask(reference.stderr))
}

describe('etcdctl cluster and maintenance commands: ectl server as real etcd', () => {
  let real: RealEtcd
  let ours: EctlServer
  let scratch: string
  const both = async (args: string[]) => Promise.all([etcdctl(real.endpoint, args), etcdctl(ours.endpoint, args)])
  const selfId = async (endpoint: string) => (await etcdctl(endpoint, ['member', 'list'])).stdout.toString().split(',')[0]!

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'server-maintenance-'))
    ;[real, ours] = await Promise.all([startRealEtcd(), startEctlServer(ectlLauncher, baseEnv())])
    for (const endpoint of [real.endpoint, ours.endpoint]) {
      await etcdctl(endpoint, ['put', 'a', '1'])
      await etcdctl(endpoint, ['put', 'b', '2'])
    }
  })
  after(async () => {
    await Promise.all([real?.stop(), ours?.stop()])
    await rm(scratch, {recursive: true, force: true})
  })

  for (const args of [
    ['member', 'list'],
    ['member', 'list', '-w', 'table'],
    ['member', 'list', '-w', 'json'],
    ['member', 'list', '-w', 'fields'],
    ['endpoint', 'health'],
    ['endpoint', 'health', '-w', 'json'],
    ['endpoint', 'health', '--cluster'],
    ['endpoint', 'status', '-w', 'json'],
    ['defrag'],
    ['alarm', 'list'],
    ['alarm', 'disarm'],
    ['member', 'remove', '1234'],
    ['member', 'promote', '1234'],
    ['member', 'add', 'm2'],
    ['move-leader', '1234'],
  ]) {
    test(`etcdctl ${args.join(' ')}`, async () => {
      const [reference, mine] = await both(args)
      same(reference, mine)
    })
  }

  test('etcdctl endpoint status (table): one leader, not a learner, no errors', async () => {
    const [reference, mine] = await both(['endpoint', 'status', '-w', 'table'])
    const cells = (r: ProcessResult) => r.stdout.toString().split('\n')[3]!.split('|').map((c) => c.trim())
    assert.deepEqual(cells(mine).slice(5, 7), cells(reference).slice(5, 7))
    assert.equal(mask(mine.stdout).split('\n')[1], mask(reference.stdout).split('\n')[1])
  })

  test('etcdctl member remove/update/promote of itself, move-leader to itself', async () => {
    const [realId, ourId] = [await selfId(real.endpoint), await selfId(ours.endpoint)]
    for (const args of [['member', 'remove'], ['member', 'promote'], ['move-leader']]) {
      same(await etcdctl(real.endpoint, [...args, realId]), await etcdctl(ours.endpoint, [...args, ourId]))
    }
    const update = (endpoint: string, id: string) => etcdctl(endpoint, ['member', 'update', id, '--peer-urls=http://127.0.0.1:2380'])
    same(await update(real.endpoint, realId), await update(ours.endpoint, ourId))
  })

  test('etcdctl snapshot save: the same messages, a file our snapshot status reads', async () => {
    const [realFile, ourFile] = [join(scratch, 'real.db'), join(scratch, 'ours.db')]
    const [reference, mine] = await Promise.all([
      etcdctl(real.endpoint, ['snapshot', 'save', realFile]),
      etcdctl(ours.endpoint, ['snapshot', 'save', ourFile]),
    ])
    assert.equal(mine.exitCode, 0, mine.stderr.toString())
    assert.equal(mask(mine.stdout).replace(ourFile, '<file>'), mask(reference.stdout).replace(realFile, '<file>'))
    assert.equal(mask(mine.stderr).replaceAll(ourFile, '<file>'), mask(reference.stderr).replaceAll(realFile, '<file>'))
    assert.ok((await stat(ourFile)).size > 64)
    const status = await runProcess({command: process.execPath, args: [ectlLauncher, 'snapshot', 'status', ourFile, '-w', 'json'], env: baseEnv()})
    assert.equal(status.exitCode, 0, status.stderr.toString())
    assert.equal((JSON.parse(status.stdout.toString()) as {revision: number}).revision, 3)
  })
})
