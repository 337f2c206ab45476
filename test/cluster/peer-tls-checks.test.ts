// --peer-cert-allowed-cn and --peer-crl-file in a 3-member cluster of `ectl server` processes
// over peer TLS (every member's certificate has the CN "ectl server"): a member added with
// `member add` whose certificate has another CN cannot join, nor can one whose certificate the
// revocation list names (each refusal in the members' log, in etcd's words); a running member
// restarted with a revoked certificate is refused while the other two go on; with a good
// certificate the new member joins and the refused one catches up.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {type TestPki, writeTestPki} from '../compat/harness/certs.js'
import {freePort} from '../compat/harness/real-etcd.js'
import {runProcess} from '../compat/harness/run-process.js'
import {ectlLauncher} from '../compat/harness/script.js'
import {agreedLeader, eventually, get, getPrefix, put} from './client.js'
import {cleanEnv, type ClusterProcess, startCluster} from './harness.js'
import {issuePeerCert, type PeerCert, writeCrl} from './peer-certs.js'

let dir: string
let pki: TestPki
let intruder: PeerCert
let revoked: PeerCert
let crlFile: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ectl-peer-tls-checks-'))
  pki = await writeTestPki(dir)
  intruder = await issuePeerCert(pki, dir, 'intruder', 'intruder', '7e01')
  revoked = await issuePeerCert(pki, dir, 'revoked', 'ectl server', '7e02')
  crlFile = await writeCrl(pki, dir, [revoked.serial])
})
after(async () => {
  await rm(dir, {recursive: true, force: true})
})

/** Lines of a member's log since its last start. */
const sinceStart = (member: ClusterProcess) => member.log().split('ready to serve').at(-1)!

test('a peer without the allowed CN or with a revoked certificate cannot join or talk; a good one can', async () => {
  const tlsFlags = [
    '--peer-cert-file', pki.serverCertFile, '--peer-key-file', pki.serverKeyFile, '--peer-trusted-ca-file', pki.caFile,
    '--peer-client-cert-auth', '--peer-cert-allowed-cn', 'ectl server', '--peer-crl-file', crlFile,
  ]
  const cluster = await startCluster(3, tlsFlags, {peerScheme: 'https'})
  try {
    const members = cluster.members.slice()
    await agreedLeader(members, 10_000)
    for (let i = 0; i < 6; i++) await put(members[i % 3]!, `checks/${i}`, `v${i}`)

    // a new member: added, then started with each certificate in turn
    const peerUrl = `https://127.0.0.1:${await freePort()}`
    const endpoints = members.map((m) => m.endpoint).join(',')
    const added = await runProcess({command: process.execPath, args: [ectlLauncher, '--endpoints', endpoints, 'member', 'add', 'm4', `--peer-urls=${peerUrl}`, '--learner'], env: cleanEnv()})
    assert.equal(added.exitCode, 0, added.stderr.toString())
    const initialCluster = /^ETCD_INITIAL_CLUSTER="(.*)"$/m.exec(added.stdout.toString())![1]!
    const joiner = cluster.joiner('m4', peerUrl, initialCluster, tlsFlags)
    for (const [cert, refusal] of [
      [intruder, /client certificate authentication failed \(CN "intruder" is not the allowed "ectl server"\)/],
      [revoked, /transport: certificate serial 7e02 revoked/],
    ] as const) {
      const attempt = joiner.withFlags({'--peer-cert-file': cert.certFile, '--peer-key-file': cert.keyFile})
      await assert.rejects(attempt.start(), /exited before it was ready/)
      assert.match(attempt.log(), /cannot fetch cluster info from peer urls/)
      await eventually(`the members log the refusal of ${cert.certFile}`, 5_000, async () =>
        members.some((m) => new RegExp(`rejected peer connection from "127\\.0\\.0\\.1:\\d+" \\(error "${refusal.source}"\\)`).test(m.log())) ? true : undefined,
      )
    }
    // with a good certificate it joins and catches up
    await joiner.start()
    await eventually('the new member has every write', 15_000, async () => ((await getPrefix(joiner, 'checks/', true)).size === 6 ? true : undefined))

    // m3 restarted with the revoked certificate: its streams are refused, the other two go on
    const m3 = members[2]!
    await m3.stop()
    const refusedM3 = m3.withFlags({'--peer-cert-file': revoked.certFile, '--peer-key-file': revoked.keyFile})
    try {
      await refusedM3.start(/ready to serve/)
      const good = members.slice(0, 2)
      await eventually('the good members refuse m3', 10_000, async () =>
        good.some((m) => /rejected peer connection from "127\.0\.0\.1:\d+" \(error "transport: certificate serial 7e02 revoked"\)/.test(sinceStart(m))) ? true : undefined,
      )
      await agreedLeader(good, 10_000)
      await put(good[0]!, 'checks/while-refused', 'yes')
      assert.equal(await get(good[1]!, 'checks/while-refused'), 'yes')
    } finally {
      await refusedM3.stop()
    }
    // back with its own certificate it catches up
    await m3.start()
    await eventually('m3 catches up', 15_000, async () => ((await get(m3, 'checks/while-refused', true)) === 'yes' ? true : undefined))
  } finally {
    await cluster.stop()
  }
})
