// Peer TLS in a 3-member cluster of `ectl server` processes (https:// peer URLs, etcd's --peer-*
// flags, certificates from a throwaway CA): writes through every member are read back on every
// member; the peer port speaks TLS only and asks for a client certificate; a member restarted
// with a certificate from another CA is refused by its peers, each side saying so in its log,
// while the other two go on; --peer-auto-tls makes a cluster of self-signed members.
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {connect as tlsConnect} from 'node:tls'
import {after, before, test} from 'node:test'
import {type TestPki, writeTestPki} from '../compat/harness/certs.js'
import {agreedLeader, eventually, get, getPrefix, put} from './client.js'
import {type LocalCluster, startCluster} from './harness.js'

let dir: string
let pki: TestPki
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ectl-peer-tls-'))
  pki = await writeTestPki(dir)
})
after(async () => {
  await rm(dir, {recursive: true, force: true})
})

/**
 * What a TLS client gets from a peer URL: the server's certificate subject, and whether the
 * server turned it away (a handshake error, or the connection closed before the client ended it).
 */
function handshake(peerUrl: string, options: {cert?: string; key?: string; ca: string}): Promise<{subject?: string; refused: boolean}> {
  const url = new URL(peerUrl)
  return new Promise((resolve) => {
    const socket = tlsConnect({host: url.hostname, port: Number(url.port), ...options})
    let subject: string | undefined
    let ending = false
    socket.once('secureConnect', () => {
      const cn = socket.getPeerCertificate().subject?.CN
      subject = Array.isArray(cn) ? cn[0] : cn
      // the server checks a client's certificate after the client's side of the handshake ends
      setTimeout(() => {
        ending = true
        socket.end()
      }, 500)
    })
    socket.on('error', () => undefined)
    socket.once('close', (hadError) => resolve({subject, refused: hadError || !ending}))
  })
}

test('a cluster over peer TLS: writes through every member, TLS only on the peer port, a member with a stranger certificate refused', async () => {
  const tlsFlags = ['--peer-cert-file', pki.serverCertFile, '--peer-key-file', pki.serverKeyFile, '--peer-trusted-ca-file', pki.caFile, '--peer-client-cert-auth']
  const cluster: LocalCluster = await startCluster(3, tlsFlags, {peerScheme: 'https'})
  try {
    const members = cluster.members
    assert.ok(members.every((m) => m.peerUrl.startsWith('https://')))
    await agreedLeader(members, 10_000)
    for (let i = 0; i < 9; i++) await put(members[i % 3]!, `tls/${i}`, `v${i}`)
    for (const member of members) assert.equal((await getPrefix(member, 'tls/')).size, 9, `${member.name} sees every write`)

    // the peer port: a certificate from our CA, and a client without one is turned away
    const ca = await readFile(pki.caFile, 'utf8')
    const withCert = await handshake(members[0]!.peerUrl, {ca, cert: await readFile(pki.clientCertFile, 'utf8'), key: await readFile(pki.clientKeyFile, 'utf8')})
    assert.deepEqual(withCert, {subject: 'ectl server', refused: false})
    const without = await handshake(members[0]!.peerUrl, {ca})
    assert.equal(without.refused, true, 'a peer without a certificate is refused')
    await eventually('the refusal in the log', 5_000, async () =>
      /rejected peer connection from "127\.0\.0\.1:\d+" \(error "no client certificate"\)/.test(members[0]!.log()) ? true : undefined,
    )

    // m3 comes back with a certificate another CA signed: refused both ways, said in both logs
    const stranger = members[2]!
    await stranger.stop()
    const impostor = stranger.withFlags({'--peer-cert-file': pki.strangerCertFile, '--peer-key-file': pki.strangerKeyFile})
    members[2] = impostor
    await impostor.start(/refused over TLS|right after the TLS handshake/)
    const good = members.slice(0, 2)
    await eventually('the good members refuse it', 10_000, async () =>
      good.some((m) => /rejected peer connection from "127\.0\.0\.1:\d+"/.test(m.log().split('ready to serve').at(-1)!)) ? true : undefined,
    )
    assert.match(impostor.log(), /ectl server: peer [0-9a-f]+ at 127\.0\.0\.1:\d+ (refused over TLS: .+|closed the peer stream right after the TLS handshake)/)
    // the two others are a quorum: writes go on
    await agreedLeader(good, 10_000)
    await put(good[0]!, 'tls/after', 'yes')
    assert.equal(await get(good[1]!, 'tls/after'), 'yes')
  } finally {
    await cluster.stop()
  }
})

test('--peer-auto-tls: members make self-signed certificates in DATA-DIR/fixtures/peer and form a cluster', async () => {
  const cluster = await startCluster(3, ['--peer-auto-tls'], {peerScheme: 'https'})
  try {
    const members = cluster.members
    await agreedLeader(members, 10_000)
    await put(members[1]!, 'auto/k', 'v')
    assert.equal(await get(members[2]!, 'auto/k'), 'v')
    for (const member of members) {
      assert.ok((await stat(join(member.dataDir, 'fixtures', 'peer', 'cert.pem'))).isFile())
      assert.equal((await stat(join(member.dataDir, 'fixtures', 'peer', 'key.pem'))).mode & 0o077, 0, 'the key is private')
    }
  } finally {
    await cluster.stop()
  }
})
