// End to end (`npm run build` first): watch, lock, elect and lease through separate ectl
// processes sharing one data dir (the first long-running one holds it and serves the others).
import assert from 'node:assert/strict'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const launcher = join(root, 'bin/ectl.js')
const dirs: string[] = []
const children = new Set<ChildProcess>()
after(() => {
  for (const child of children) child.kill('SIGKILL')
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ectl-wle-'))
  dirs.push(d)
  return d
}

const env = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_') && k !== 'ECTL_DATA_DIR')),
  NO_COLOR: '1',
})

function ectl(dataDir: string, args: string[]): {code: number; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, [launcher, '--data-dir', dataDir, ...args], {input: '', env: env(), timeout: 20_000})
  return {code: r.status ?? -1, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1')}
}

interface Background {
  child: ChildProcess
  stdout: () => string
  /** Resolves once stdout matches. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

function background(dataDir: string, args: string[]): Background {
  const child = spawn(process.execPath, [launcher, '--data-dir', dataDir, ...args], {env: env(), stdio: ['ignore', 'pipe', 'pipe']})
  children.add(child)
  let out = ''
  const listeners = new Set<() => void>()
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('latin1')
    for (const l of listeners) l()
  })
  child.stderr!.resume()
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child)
      resolve({code, signal})
    }),
  )
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(out)) return
        listeners.delete(check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${out}`)), timeoutMs)
      listeners.add(check)
      check()
    })
  return {child, stdout: () => out, waitFor, exited}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('watch in one process sees puts and deletes from others; SIGINT ends it by that signal', async () => {
  const d = freshDir()
  // a first event proves the watcher is in place before the writes that matter
  const watcher = background(d, ['watch', 'w', '--prefix', '--prev-kv'])
  await sleep(800)
  ectl(d, ['put', 'w/ready', '1'])
  await watcher.waitFor(/w\/ready\n1\n/)
  assert.equal(ectl(d, ['put', 'w/a', 'x']).code, 0)
  assert.equal(ectl(d, ['put', 'w/a', 'y']).code, 0)
  assert.equal(ectl(d, ['del', 'w/a']).code, 0)
  await watcher.waitFor(/DELETE\n/)
  watcher.child.kill('SIGINT')
  assert.deepEqual(await watcher.exited, {code: null, signal: 'SIGINT'})
  assert.equal(watcher.stdout(), 'PUT\nw/ready\n1\nPUT\nw/a\nx\nPUT\nw/a\nx\nw/a\ny\nDELETE\nw/a\ny\nw/a\n\n')
})

test('watch from a compacted revision prints etcdctl error and exits 5', () => {
  const d = freshDir()
  ectl(d, ['put', 'k', '1'])
  ectl(d, ['put', 'k', '2'])
  ectl(d, ['compaction', '3'])
  const r = ectl(d, ['watch', 'k', '--rev', '2'])
  assert.deepEqual(r, {
    code: 5,
    stdout: '',
    stderr: 'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server\n',
  })
})

test('lock with a command: ETCD_LOCK_KEY and ETCD_LOCK_REV are set, the lock is released, the exit code passes through', () => {
  const d = freshDir()
  const r = ectl(d, ['lock', 'job', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY $ETCD_LOCK_REV"; exit 3'])
  assert.equal(r.code, 3)
  assert.match(r.stdout, /^job\/[0-9a-f]+ 2\n$/)
  assert.equal(r.stderr, 'Error: exit status 3\n')
  assert.equal(ectl(d, ['get', '--prefix', 'job/']).stdout, '', 'unlocked')
  assert.equal(ectl(d, ['lock', 'job', 'true']).code, 0)
})

test('two lockers serialize: the second runs only after the first releases', async () => {
  const d = freshDir()
  const first = background(d, ['lock', 'm'])
  await first.waitFor(/^m\/[0-9a-f]+\n\n$/)
  const second = background(d, ['lock', 'm', '--', 'echo', 'second-ran'])
  await sleep(1_000)
  assert.equal(second.stdout(), '', 'the second waits while the first holds')
  first.child.kill('SIGTERM')
  assert.deepEqual(await first.exited, {code: 0, signal: null})
  await second.waitFor(/second-ran\n/)
  assert.equal((await second.exited).code, 0)
})

test('a SIGKILLed holder loses the lock when its lease expires', async () => {
  const d = freshDir()
  // another process holds the data dir, so the killed holder is only a client
  const server = background(d, ['watch', 'unrelated'])
  await sleep(800)
  const holder = background(d, ['lock', '--ttl', '2', 'k'])
  await holder.waitFor(/^k\//)
  holder.child.kill('SIGKILL')
  await holder.exited
  const started = Date.now()
  const waiter = ectl(d, ['lock', 'k', 'echo', 'got-it'])
  const waitedMs = Date.now() - started
  assert.equal(waiter.code, 0, waiter.stderr)
  assert.equal(waiter.stdout, 'got-it\n')
  assert.ok(waitedMs > 500 && waitedMs < 6_000, `waited ${waitedMs} ms for a 2 s lease`)
  server.child.kill('SIGINT')
  await server.exited
})

test('elect -l sees each leader; elect prints its key and value, resigns on SIGINT', async () => {
  const d = freshDir()
  const observer = background(d, ['elect', '-l', 'e'])
  await sleep(800)
  const first = background(d, ['elect', 'e', 'one'])
  await first.waitFor(/^e\/[0-9a-f]+\none\n$/)
  const second = background(d, ['elect', 'e', 'two'])
  await observer.waitFor(/one\n$/)
  await sleep(300)
  assert.equal(second.stdout(), '', 'the second candidate waits')
  first.child.kill('SIGINT')
  assert.deepEqual(await first.exited, {code: 0, signal: null})
  await second.waitFor(/two\n$/)
  await observer.waitFor(/two\n$/)
  assert.match(observer.stdout(), /^e\/[0-9a-f]+\none\ne\/[0-9a-f]+\ntwo\n$/)
  second.child.kill('SIGTERM')
  observer.child.kill('SIGINT')
  assert.equal((await second.exited).code, 0)
  assert.equal((await observer.exited).code, 0)
})

test('lease grant, timetolive --keys, list, keep-alive --once, revoke', () => {
  const d = freshDir()
  const grant = ectl(d, ['lease', 'grant', '100'])
  const id = /^lease ([0-9a-f]{16}) granted with TTL\(100s\)\n$/.exec(grant.stdout)?.[1]
  assert.ok(id, grant.stdout)
  assert.equal(ectl(d, ['put', '--lease', id, 'k', 'v']).code, 0)
  assert.match(ectl(d, ['lease', 'timetolive', id, '--keys']).stdout, new RegExp(`^lease ${id} granted with TTL\\(100s\\), remaining\\((99|100)s\\), attached keys\\(\\[k\\]\\)\\n$`))
  assert.equal(ectl(d, ['lease', 'list']).stdout, `found 1 leases\n${id}\n`)
  assert.equal(ectl(d, ['lease', 'keep-alive', '--once', id]).stdout, `lease ${id} keepalived with TTL(100)\n`)
  assert.equal(ectl(d, ['lease', 'revoke', id]).stdout, `lease ${id} revoked\n`)
  assert.equal(ectl(d, ['get', 'k']).stdout, '')
  assert.equal(ectl(d, ['lease', 'timetolive', id]).stdout, `lease ${id} already expired\n`)
  assert.deepEqual(ectl(d, ['lease', 'keep-alive', '--once', id]), {code: 2, stdout: '', stderr: 'Error: etcdserver: requested lease not found\n'})
})
