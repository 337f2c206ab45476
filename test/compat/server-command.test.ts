// `ectl server` as a program (the built bin/ectl.js): etcd's flags and ETCD_* variables, what
// it refuses and how it says so, the data dir shared with local commands, a clean SIGTERM, and
// what the real etcdctl 3.4 reads from it (member list, endpoint status, alarms).
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {startEctlServer} from './harness/ectl-server.js'
import {etcdBinary, etcdctlBinary} from './harness/real-etcd.js'
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

const ectl = (args: string[], env: NodeJS.ProcessEnv = baseEnv()) => runProcess({command: process.execPath, args: [ectlLauncher, ...args], env})
const etcdctl = (endpoint: string, ...args: string[]) =>
  runProcess({command: etcdctlBinary, args, env: {...baseEnv(), ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: endpoint}})

let scratch: string
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'server-command-'))
})
after(async () => {
  await rm(scratch, {recursive: true, force: true})
})

test('etcd flags (repeated: last wins; one dash), ETCD_* variables; etcdctl sees the member; local commands share the data dir; SIGTERM stops it', async () => {
  const dataDir = join(scratch, 'shared')
  const env = {
    ...baseEnv(),
    ETCD_INITIAL_ADVERTISE_PEER_URLS: 'http://127.0.0.1:12380',
    ETCD_ADVERTISE_CLIENT_URLS: 'http://127.0.0.1:12379',
    // as etcd: a variable that names no flag is reported and ignored
    ETCD_NO_SUCH_FLAG: '1',
  }
  // the harness passes --name default and its own --data-dir first: these come later and win
  const server = await startEctlServer(ectlLauncher, env, ['--name', 'alpha', '-data-dir', dataDir])
  try {
    const members = await etcdctl(server.endpoint, 'member', 'list')
    assert.equal(members.exitCode, 0, members.stderr.toString())
    assert.match(members.stdout.toString(), /^[0-9a-f]+, started, alpha, http:\/\/127\.0\.0\.1:12380, http:\/\/127\.0\.0\.1:12379, false\n$/)

    const status = await etcdctl(server.endpoint, 'endpoint', 'status', '-w', 'json')
    assert.equal(status.exitCode, 0, status.stderr.toString())
    const [entry] = JSON.parse(status.stdout.toString()) as [{Status: {version: string; leader: number; header: {member_id: number}}}]
    assert.match(entry.Status.version, /^3\.5\./)
    assert.equal(entry.Status.leader, entry.Status.header.member_id)

    const alarms = await etcdctl(server.endpoint, 'alarm', 'list')
    assert.deepEqual([alarms.exitCode, alarms.stdout.toString()], [0, ''])

    assert.equal((await etcdctl(server.endpoint, 'put', 'from-etcdctl', '1')).exitCode, 0)
    // a local command on the same data dir reaches the server's engine through its socket
    const local = await ectl(['--data-dir', dataDir, 'get', 'from-etcdctl'])
    assert.deepEqual([local.exitCode, local.stdout.toString()], [0, 'from-etcdctl\n1\n'])

    // a second server on the held data dir fails clearly
    const second = await ectl(['server', '--data-dir', dataDir, '--listen-client-urls', 'http://127.0.0.1:0'])
    assert.equal(second.exitCode, 1)
    assert.match(second.stderr.toString(), /^Error: ectl server: data dir .* is already in use/m)
  } finally {
    assert.equal(await server.stop(), 0, server.log())
  }
  assert.match(server.log(), /received SIGTERM, shutting down\nectl server: stopped\n$/)
  assert.match(server.log(), /^ectl server: unrecognized environment variable ETCD_NO_SUCH_FLAG=1$/m)
})

test('refusals: https without a cert (client or peer), unsupported TLS flags, unknown flags, bad values, joining a cluster nobody runs, a bad cluster state', async () => {
  const cases: [string[], RegExp, number?][] = [
    [
      ['--listen-client-urls', 'https://127.0.0.1:0'],
      /^Error: ectl server: TLS key\/cert \(--cert-file, --key-file\) must be provided for client url https:\/\/127\.0\.0\.1:0 with HTTPS scheme\n$/,
    ],
    [['--auto-tls'], /not supported yet: --auto-tls cannot be used/],
    // peer TLS: an https:// peer URL needs a certificate (etcd's words), and one that cannot be read says so
    [
      ['--listen-peer-urls', 'https://127.0.0.1:2380', '--initial-advertise-peer-urls', 'https://127.0.0.1:2380'],
      /^Error: ectl server: cannot listen on TLS for 127\.0\.0\.1:2380: KeyFile and CertFile are not presented\n$/,
    ],
    [
      [
        '--listen-peer-urls', 'https://127.0.0.1:2380', '--initial-advertise-peer-urls', 'https://127.0.0.1:2380',
        '--initial-cluster', 'default=https://127.0.0.1:2380,b=https://127.0.0.1:2381',
        '--peer-cert-file', '/nonexistent/peer.crt', '--peer-key-file', '/nonexistent/peer.key',
      ],
      /^Error: ectl server: open \/nonexistent\/peer\.crt: no such file or directory\n$/,
    ],
    // a peer revocation list that cannot be read or is not one stops the server at once (etcd would start and refuse every peer)
    [
      [
        '--listen-peer-urls', 'https://127.0.0.1:2380', '--initial-advertise-peer-urls', 'https://127.0.0.1:2380',
        '--initial-cluster', 'default=https://127.0.0.1:2380,b=https://127.0.0.1:2381',
        '--peer-cert-file', ectlLauncher, '--peer-key-file', ectlLauncher, '--peer-crl-file', '/nonexistent/peer.crl',
      ],
      /^Error: ectl server: open \/nonexistent\/peer\.crl: no such file or directory\n$/,
    ],
    [
      [
        '--listen-peer-urls', 'https://127.0.0.1:2380', '--initial-advertise-peer-urls', 'https://127.0.0.1:2380',
        '--initial-cluster', 'default=https://127.0.0.1:2380,b=https://127.0.0.1:2381',
        '--peer-cert-file', ectlLauncher, '--peer-key-file', ectlLauncher, '--peer-crl-file', ectlLauncher,
      ],
      /^Error: ectl server: --peer-crl-file .*: x509: malformed crl: /,
    ],
    [['--listen-client-urls', 'unix://sock'], /only http:\/\/ and https:\/\/ URLs are supported/],
    [
      ['--initial-cluster', 'default=http://127.0.0.1:2380,b=http://127.0.0.1:2381', '--initial-cluster-state', 'existing'],
      /^Error: ectl server: cannot fetch cluster info from peer urls: could not retrieve cluster information from the given URLs\n$/,
    ],
    [['--heartbeat-interval', '300'], /--election-timeout\[1000ms\] should be at least as 5 times as --heartbeat-interval\[300ms\]/],
    [['--initial-cluster', 'other=http://127.0.0.1:2380'], /couldn't find local name "default" in the initial cluster configuration/],
    [['--initial-cluster-state', 'sideways'], /--initial-cluster-state must be "new" or "existing"/],
    [['--auto-compaction-mode', 'weird'], /error verifying flags, unknown auto-compaction-mode "weird"/],
    [['--auto-compaction-retention', 'abc'], /error parsing CompactionRetention: time: invalid duration "abc"/],
    [['--cert-file', '/nonexistent/server.crt', '--key-file', '/nonexistent/server.key'], /open \/nonexistent\/server\.crt: no such file or directory/],
    // as etcd's Go flag package: the line, then the usage; exit 2
    [['--foo'], /^flag provided but not defined: -foo\nUsage:\n/, 2],
    [['-quota-backend-bytes', 'abc'], /^invalid value "abc" for flag -quota-backend-bytes: parse error\nUsage:\n/, 2],
  ]
  const results = await Promise.all(
    cases.map(([args]) => ectl(['server', '--data-dir', join(scratch, 'refused'), '--listen-client-urls', 'http://127.0.0.1:0', ...args])),
  )
  results.forEach((result, i) => {
    assert.equal(result.exitCode, cases[i]![2] ?? 1, `${cases[i]![0].join(' ')}: ${result.stderr.toString()}`)
    assert.match(result.stderr.toString(), cases[i]![1])
  })
  const real = await runProcess({command: etcdBinary, args: ['--foo'], env: baseEnv()})
  assert.equal(real.exitCode, 2)
  assert.match(real.stderr.toString(), /^flag provided but not defined: -foo\nUsage:\n/)
  const viaEnv = await ectl(['server', '--data-dir', join(scratch, 'refused')], {...baseEnv(), ETCD_CLIENT_CRL_FILE: 'crl.pem'})
  assert.equal(viaEnv.exitCode, 1)
  assert.match(viaEnv.stderr.toString(), /not supported yet: --client-crl-file/)
  // as etcd: a flag given both ways is refused
  const both = await ectl(['server', '--name', 'y', '--data-dir', join(scratch, 'refused')], {...baseEnv(), ETCD_NAME: 'x'})
  assert.equal(both.exitCode, 1)
  assert.equal(
    both.stderr.toString(),
    'Error: conflicting environment variable "ETCD_NAME" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)\n',
  )
})
