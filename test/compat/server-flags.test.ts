// `ectl server` flags that change what the server does, checked with the real etcdctl 3.4:
// TLS with client certificates, the backend quota and its NOSPACE alarm (kept across a
// restart), --max-request-bytes above etcd's default, periodic auto-compaction, and a SIGTERM
// while writes are in flight.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {EtcdError} from '../../src/api/errors.js'
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {type TestPki, writeTestPki} from './harness/certs.js'
import {startEctlServer} from './harness/ectl-server.js'
import {etcdctlBinary} from './harness/real-etcd.js'
import {runProcess} from './harness/run-process.js'
import {ectlLauncher} from './harness/script.js'

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('ETCD') || name.startsWith('ECTL_') || name === 'NODE_OPTIONS' || name === 'NODE_TEST_CONTEXT') continue
    env[name] = value
  }
  return env
}

const etcdctl = (endpoint: string, ...args: string[]) =>
  runProcess({command: etcdctlBinary, args: ['--dial-timeout', '3s', '--command-timeout', '5s', ...args], env: {...baseEnv(), ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: endpoint}})
const ectl = (args: string[]) => runProcess({command: process.execPath, args: [ectlLauncher, ...args], env: baseEnv()})

let scratch: string
let pki: TestPki
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'server-flags-'))
  pki = await writeTestPki(scratch)
})
after(async () => {
  await rm(scratch, {recursive: true, force: true})
})

test('TLS: etcdctl with a client certificate works; without one, or with one from another CA, it is refused', async () => {
  const server = await startEctlServer(ectlLauncher, baseEnv(), [
    '--listen-client-urls', 'https://127.0.0.1:0',
    '--cert-file', pki.serverCertFile,
    '--key-file', pki.serverKeyFile,
    '--trusted-ca-file', pki.caFile,
    '--client-cert-auth',
  ])
  try {
    const endpoint = `https://${server.endpoint}`
    const withCert = ['--cacert', pki.caFile, '--cert', pki.clientCertFile, '--key', pki.clientKeyFile]
    const put = await etcdctl(endpoint, ...withCert, 'put', 'secure', 'yes')
    assert.deepEqual([put.exitCode, put.stdout.toString()], [0, 'OK\n'], put.stderr.toString())
    const get = await etcdctl(endpoint, ...withCert, 'get', 'secure')
    assert.deepEqual([get.exitCode, get.stdout.toString()], [0, 'secure\nyes\n'])

    const noCert = await etcdctl(endpoint, '--cacert', pki.caFile, 'get', 'secure')
    assert.equal(noCert.exitCode, 1)
    assert.match(noCert.stderr.toString(), /context deadline exceeded|connection|handshake|certificate/)
    const stranger = await etcdctl(endpoint, '--cacert', pki.caFile, '--cert', pki.strangerCertFile, '--key', pki.strangerKeyFile, 'get', 'secure')
    assert.equal(stranger.exitCode, 1)

    // the gateway and /health on the same TLS port (curl-like clients offer http/1.1 and get it)
    const {request} = await import('node:https')
    const {readFile} = await import('node:fs/promises')
    const [ca, cert, key] = await Promise.all([pki.caFile, pki.clientCertFile, pki.clientKeyFile].map((file) => readFile(file)))
    const body = await new Promise<string>((resolve, reject) => {
      const [host, port] = server.endpoint.split(':')
      const req = request({host, port, path: '/v3/kv/range', method: 'POST', ca, cert, key}, (response) => {
        let text = ''
        response.on('data', (chunk: Buffer) => (text += chunk.toString()))
        response.on('end', () => resolve(text))
      })
      req.on('error', reject)
      req.end(JSON.stringify({key: Buffer.from('secure').toString('base64')}))
    })
    assert.match(body, /"value":"eWVz"/)
  } finally {
    assert.equal(await server.stop(), 0, server.log())
  }
})

test('--quota-backend-bytes: NOSPACE is raised, refuses writes with etcd\'s error, is listed, survives a restart, and disarms', async () => {
  const dataDir = join(scratch, 'quota')
  const args = ['--data-dir', dataDir, '--quota-backend-bytes', String(400 * 1024)]
  let server = await startEctlServer(ectlLauncher, baseEnv(), args)
  try {
    const client = new RawGrpcClient(server.endpoint)
    const value = Buffer.alloc(32 * 1024, 'v')
    let refused: unknown
    for (let i = 0; i < 200 && refused === undefined; i++) {
      await client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from(`k${i}`), value}).catch((error: unknown) => (refused = error))
    }
    client.close()
    assert.ok(refused instanceof EtcdError, `no refusal: ${String(refused)}`)
    assert.equal(refused.message, 'etcdserver: mvcc: database space exceeded')

    const put = await etcdctl(server.endpoint, 'put', 'more', 'x')
    assert.equal(put.exitCode, 1)
    // etcdctl's retry warning names the gRPC code; its last line is the error
    assert.match(put.stderr.toString(), /code = ResourceExhausted desc = etcdserver: mvcc: database space exceeded"\}\nError: etcdserver: mvcc: database space exceeded\n$/)
    const grant = await etcdctl(server.endpoint, 'lease', 'grant', '10')
    assert.equal(grant.exitCode, 1)
    // deletes are not writes that need space
    assert.equal((await etcdctl(server.endpoint, 'del', 'k0')).exitCode, 0)
    const list = await etcdctl(server.endpoint, 'alarm', 'list')
    assert.match(list.stdout.toString(), /^memberID:\d+ alarm:NOSPACE \n$/)
    const status = await etcdctl(server.endpoint, 'endpoint', 'status')
    assert.match(status.stdout.toString(), /memberID:\d+ alarm:NOSPACE/)
    const health = await fetch(`http://${server.endpoint}/health`)
    assert.deepEqual([health.status, await health.text()], [503, '{"health":"false","reason":"ALARM NOSPACE"}'])
  } finally {
    assert.equal(await server.stop(), 0, server.log())
  }

  // the alarm is in the data dir: a restart (with a quota large enough) still has it
  server = await startEctlServer(ectlLauncher, baseEnv(), ['--data-dir', dataDir])
  try {
    const list = await etcdctl(server.endpoint, 'alarm', 'list')
    assert.match(list.stdout.toString(), /^memberID:\d+ alarm:NOSPACE \n$/)
    const disarm = await etcdctl(server.endpoint, 'alarm', 'disarm')
    assert.deepEqual([disarm.exitCode, disarm.stdout.toString().replace(/\d+/, 'N')], [0, 'memberID:N alarm:NOSPACE \n'])
    assert.equal((await etcdctl(server.endpoint, 'alarm', 'list')).stdout.toString(), '')
    const put = await etcdctl(server.endpoint, 'put', 'more', 'x')
    assert.deepEqual([put.exitCode, put.stdout.toString()], [0, 'OK\n'], put.stderr.toString())
  } finally {
    assert.equal(await server.stop(), 0, server.log())
  }
})

test('--max-request-bytes above 1.5 MiB works end to end; past it, etcd\'s error', async () => {
  const server = await startEctlServer(ectlLauncher, baseEnv(), ['--max-request-bytes', String(4 * 1024 * 1024)])
  try {
    const client = new RawGrpcClient(server.endpoint)
    try {
      const big = Buffer.alloc(3 * 1024 * 1024, 'b')
      await client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('big'), value: big})
      const got = await etcdctl(server.endpoint, 'get', 'big', '--print-value-only')
      assert.equal(got.exitCode, 0, got.stderr.toString())
      assert.equal(got.stdout.length, big.length + 1)
      await assert.rejects(client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from('bigger'), value: Buffer.alloc(4 * 1024 * 1024 + 1)}), {
        message: 'etcdserver: request is too large',
      })
    } finally {
      client.close()
    }
  } finally {
    assert.equal(await server.stop(), 0, server.log())
  }
})

test('--auto-compaction-mode periodic keeps the retention window of history', async () => {
  const server = await startEctlServer(ectlLauncher, baseEnv(), ['--auto-compaction-mode', 'periodic', '--auto-compaction-retention', '1s'])
  try {
    for (const value of ['1', '2', '3']) assert.equal((await etcdctl(server.endpoint, 'put', 'a', value)).exitCode, 0)
    const deadline = Date.now() + 10_000
    let old
    do {
      await new Promise((resolve) => setTimeout(resolve, 300))
      old = await etcdctl(server.endpoint, 'get', 'a', '--rev', '2')
    } while (old.exitCode === 0 && Date.now() < deadline)
    assert.equal(old.exitCode, 1)
    assert.match(old.stderr.toString(), /\nError: etcdserver: mvcc: required revision has been compacted\n$/)
    const now = await etcdctl(server.endpoint, 'get', 'a', '--print-value-only')
    assert.equal(now.stdout.toString(), '3\n')
  } finally {
    assert.equal(await server.stop(), 0, server.log())
  }
})

test('SIGTERM under load: every acknowledged write is in the data dir, the rest failed cleanly, and it reopens', async () => {
  const dataDir = join(scratch, 'sigterm')
  const server = await startEctlServer(ectlLauncher, baseEnv(), ['--data-dir', dataDir])
  const client = new RawGrpcClient(server.endpoint)
  const acked: string[] = []
  const failures: string[] = []
  let stopping = false
  const writer = async (id: number) => {
    for (let i = 0; !stopping || i < 5; i++) {
      const key = `load/${id}/${i}`
      try {
        await client.unary('etcdserverpb.KV', 'Put', {key: Buffer.from(key), value: Buffer.from('v')})
        acked.push(key)
      } catch (error) {
        failures.push((error as Error).message)
        return
      }
    }
  }
  const writers = Array.from({length: 32}, (_, id) => writer(id))
  await new Promise((resolve) => setTimeout(resolve, 700))
  stopping = true
  const exitCode = await server.stop()
  await Promise.all(writers)
  client.close()
  assert.equal(exitCode, 0, server.log())
  assert.ok(acked.length > 0)
  for (const message of failures) assert.match(message, /server stopped|UNAVAILABLE|No connection established|Connection dropped|ECONNREFUSED|Call cancelled|socket/i)
  // reopen the data dir the server left: every acknowledged key is there
  const keys = await ectl(['--data-dir', dataDir, 'get', 'load/', '--prefix', '--keys-only'])
  assert.equal(keys.exitCode, 0, keys.stderr.toString())
  const stored = new Set(keys.stdout.toString().split('\n').filter((line) => line !== ''))
  for (const key of acked) assert.ok(stored.has(key), `acknowledged ${key} is missing`)
})
