// TLS against a real etcd 3.4 serving https with certificates made here: verified with --cacert,
// refused against the wrong CA, accepted with --insecure-skip-tls-verify, and a client
// certificate where etcd demands one (--client-cert-auth).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {after, before, test} from 'node:test'
import {GrpcCode} from '../../../../src/api/errors.js'
import {createGrpcEtcdClient, type GrpcClientOptions} from '../../../../src/client/etcd/grpc/client.js'
import {makePki, type TestPki} from './certs.js'
import {type EtcdMember, startEtcd} from './etcd-member.js'

let pki: TestPki
let etcd: EtcdMember
let mutual: EtcdMember
before(async () => {
  pki = await makePki()
  const serving = ['--cert-file', pki.serverCert, '--key-file', pki.serverKey]
  ;[etcd, mutual] = await Promise.all([
    startEtcd({https: true, args: serving}),
    startEtcd({https: true, args: [...serving, '--client-cert-auth', '--trusted-ca-file', pki.caCert]}),
  ])
})
after(async () => {
  await Promise.all([etcd?.stop(), mutual?.stop()])
  await rm(pki.dir, {recursive: true, force: true})
})

async function roundTrip(options: GrpcClientOptions): Promise<string> {
  const client = createGrpcEtcdClient({commandTimeoutMs: 1_500, ...options})
  try {
    await client.put({key: Buffer.from('tls'), value: Buffer.from('yes')})
    return (await client.range({key: Buffer.from('tls')})).kvs[0]!.value.toString()
  } finally {
    await client.close()
  }
}

test('https:// with the CA that signed the server: the calls go through', async () => {
  assert.equal(await roundTrip({endpoints: [`https://${etcd.address}`], tls: {ca: readFileSync(pki.caCert)}}), 'yes')
})

test('a bare host:port with TLS settings speaks TLS', async () => {
  assert.equal(await roundTrip({endpoints: [etcd.address], tls: {ca: readFileSync(pki.caCert)}}), 'yes')
})

test('the wrong CA: the server is not trusted, and no call is made', async () => {
  await assert.rejects(roundTrip({endpoints: [`https://${etcd.address}`], tls: {ca: readFileSync(pki.otherCaCert)}}), {
    code: GrpcCode.DEADLINE_EXCEEDED,
    message: 'context deadline exceeded',
  })
})

test('--insecure-skip-tls-verify accepts the server without its CA', async () => {
  assert.equal(await roundTrip({endpoints: [`https://${etcd.address}`], tls: {skipVerify: true}}), 'yes')
})

test('plain http to an https member fails', async () => {
  await assert.rejects(roundTrip({endpoints: [`http://${etcd.address}`]}), {code: GrpcCode.DEADLINE_EXCEEDED})
})

test('a member that demands client certificates takes ours and refuses none', async () => {
  const ca = readFileSync(pki.caCert)
  assert.equal(await roundTrip({endpoints: [`https://${mutual.address}`], tls: {ca, cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey)}}), 'yes')
  await assert.rejects(roundTrip({endpoints: [`https://${mutual.address}`], tls: {ca}}))
})
