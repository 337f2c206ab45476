// `ectl --endpoints` as a program next to the real etcdctl 3.4, for what the golden scripts do
// not reach: an unreachable endpoint, failover, the connection flags and their variables, auth
// (--user, --password, a password on stdin) against a real etcd with auth enabled. Each case
// runs both programs with the same argv and environment and compares exit code, stdout and
// stderr after the golden normalization.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {displayLines} from './harness/display.js'
import {normalizeOutput} from './harness/normalize.js'
import {etcdctlBinary, freePort, type RealEtcd, startRealEtcd} from './harness/real-etcd.js'
import {type ProcessResult, runProcess} from './harness/run-process.js'
import {ectlLauncher} from './harness/script.js'

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('ETCDCTL_') || name.startsWith('ECTL_') || name === 'NODE_OPTIONS' || name === 'NODE_TEST_CONTEXT') continue
    env[name] = value
  }
  return env
}

interface Case {
  argv: string[]
  env?: Record<string, string>
  stdin?: string
}

const run = (command: string, prefix: string[], c: Case): Promise<ProcessResult> =>
  runProcess({command, args: [...prefix, ...c.argv], env: {...baseEnv(), ...c.env}, stdin: c.stdin === undefined ? undefined : Buffer.from(c.stdin)})

// capnslog's time stamp (flag warnings) differs between any two runs, like the Go client's
const capnslogTime = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} /gm
const lines = (output: Buffer) => displayLines(normalizeOutput(output)).map((line) => line.replace(capnslogTime, '<time> '))
const view = (r: ProcessResult) => ({exitCode: r.exitCode, stdout: lines(r.stdout), stderr: lines(r.stderr)})

/** The reference, then ectl, on the same server: each case leaves the state the other expects. */
async function same(c: Case): Promise<ProcessResult & {elapsedMs: number}> {
  const reference = await run(etcdctlBinary, [], c)
  const started = Date.now()
  const ours = {...(await run(process.execPath, [ectlLauncher], c)), elapsedMs: 0}
  ours.elapsedMs = Date.now() - started
  assert.deepEqual(view(ours), view(reference), `ectl ${c.argv.join(' ')}`)
  return ours
}

let plain: RealEtcd
let secured: RealEtcd
before(async () => {
  ;[plain, secured] = await Promise.all([startRealEtcd(), startRealEtcd()])
  for (const argv of [['user', 'add', 'root:pw'], ['auth', 'enable']]) {
    const r = await run(etcdctlBinary, [], {argv: ['--endpoints', secured.endpoint, ...argv]})
    assert.equal(r.exitCode, 0, r.stderr.toString())
  }
})
after(async () => {
  await Promise.all([plain?.stop(), secured?.stop()])
})

test('nothing listens: the Go client warning and context deadline exceeded after the command timeout, exit 1', async () => {
  const dead = `127.0.0.1:${await freePort()}`
  const r = await same({argv: ['--endpoints', dead, '--command-timeout', '1s', 'get', 'a']})
  assert.equal(r.exitCode, 1)
  // it waited for the command timeout (1s, not the default 5s; a loaded machine adds start-up)
  assert.ok(r.elapsedMs >= 1_000, `gave up after ${r.elapsedMs} ms`)
  assert.match(r.stderr.toString(), /"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: all SubConns are in TransientFailure"}\nError: context deadline exceeded\n$/)
})

test('a dead endpoint first: the next one answers', async () => {
  const dead = `127.0.0.1:${await freePort()}`
  await same({argv: ['--endpoints', `${dead},http://${plain.endpoint}`, 'put', 'fo', 'bar']})
  await same({argv: ['get', 'fo', '-w', 'json'], env: {ETCDCTL_ENDPOINTS: `${dead},${plain.endpoint}`}})
})

test('connection flags: durations as Go reads them, a flag and its variable together, a missing CA file', async () => {
  await same({argv: ['--endpoints', plain.endpoint, '--dial-timeout', '5', 'get', 'a']})
  await same({argv: ['--endpoints', plain.endpoint, '--command-timeout', 'soon', 'get', 'a']})
  await same({argv: ['--command-timeout', '3s', 'get', 'fo'], env: {ETCDCTL_ENDPOINTS: plain.endpoint, ETCDCTL_DIAL_TIMEOUT: '3s'}})
  await same({argv: ['--endpoints', plain.endpoint, '--dial-timeout', '3s', 'get', 'fo'], env: {ETCDCTL_DIAL_TIMEOUT: '3s'}})
  await same({argv: ['--endpoints', plain.endpoint, '--cacert', '/nonexistent/ca.pem', 'get', 'fo']})
})

test('auth: no user, a wrong password, an unknown user, then root with --user name:password, --password, and a password on stdin', async () => {
  const e = secured.endpoint
  await same({argv: ['--endpoints', e, 'put', 'a', '1']})
  await same({argv: ['--endpoints', e, '--user', 'root:wrong', 'put', 'a', '1']})
  await same({argv: ['--endpoints', e, '--user', 'nobody:x', 'put', 'a', '1']})
  await same({argv: ['--endpoints', e, '--user', 'root:pw', 'put', 'a', '1']})
  await same({argv: ['--endpoints', e, '--user', 'root', '--password', 'pw', 'get', 'a', '-w', 'json']})
  await same({argv: ['--user', 'root:pw', 'get', 'a', '--print-value-only'], env: {ETCDCTL_ENDPOINTS: e}})
  // etcdctl 3.4 prints its prompt on stdout; ectl asks on stderr, and only on a terminal
  const piped = await run(process.execPath, [ectlLauncher], {argv: ['--endpoints', e, '--user', 'root', 'put', 'b', '2'], stdin: 'pw\n'})
  assert.deepEqual(view(piped), {exitCode: 0, stdout: ['OK', ''], stderr: []})
})

test('--endpoints and --data-dir together are refused', async () => {
  const r = await run(process.execPath, [ectlLauncher], {argv: ['--endpoints', plain.endpoint, '--data-dir', '/tmp/nowhere', 'get', 'a']})
  assert.equal(r.exitCode, 128)
  assert.match(r.stderr.toString(), /^Error: --endpoints and --data-dir cannot be used together/)
})
