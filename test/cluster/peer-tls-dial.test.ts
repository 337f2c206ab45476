// The dialling side of --peer-cert-allowed-cn, on a loopback peer listener (peer-tls.ts): a
// member that dials a peer whose certificate has another common name drops the connection
// before sending anything, as etcd's client TLS config refuses it; the right CN connects.
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import type {Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {dialPeer, peerServer, type PeerTls} from '../../src/engine/cluster/peer-tls.js'
import {type TestPki, writeTestPki} from '../compat/harness/certs.js'
import {issuePeerCert} from './peer-certs.js'

let dir: string
let pki: TestPki
let server: Server
let port: number
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ectl-peer-tls-dial-'))
  pki = await writeTestPki(dir)
  const other = await issuePeerCert(pki, dir, 'other', 'another member', '7f01')
  const tls: PeerTls = {cert: await readFile(other.certFile), key: await readFile(other.keyFile), ca: await readFile(pki.caFile), clientCertAuth: false, skipVerify: false}
  server = peerServer(true, tls, (socket) => socket.end(), () => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as {port: number}).port
})
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(dir, {recursive: true, force: true})
})

/** Dials the listener with `allowedCn`: 'open' once it can carry frames, or the error it ended in. */
async function dial(allowedCn: string): Promise<string> {
  const tls: PeerTls = {cert: await readFile(pki.serverCertFile), key: await readFile(pki.serverKeyFile), ca: await readFile(pki.caFile), clientCertAuth: false, skipVerify: false, allowedCn}
  return new Promise((resolve) => {
    const socket = dialPeer({host: '127.0.0.1', port, tls: true}, tls, () => {
      socket.destroy()
      resolve('open')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(`${error.code}: ${error.message}`))
  })
}

test('a peer answering with another CN is dropped; the allowed CN connects', async () => {
  assert.equal(
    await dial('ectl server'),
    'ERR_TLS_PEER_CN: x509: peer certificate refused: client certificate authentication failed (CN "another member" is not the allowed "ectl server")',
  )
  assert.equal(await dial('another member'), 'open')
})
