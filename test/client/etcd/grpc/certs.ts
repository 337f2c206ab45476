// A throwaway PKI for TLS tests: a CA, a server certificate for 127.0.0.1 and a client
// certificate, all signed by the CA (keys from node:crypto, certificates from node-forge).
import {generateKeyPairSync} from 'node:crypto'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import forge from 'node-forge'

export interface TestPki {
  dir: string
  caCert: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** a CA that signed nothing here: a server cert checked against it fails */
  otherCaCert: string
}

function keyPair(): {privatePem: string; forgeKeys: {privateKey: forge.pki.PrivateKey; publicKey: forge.pki.PublicKey}} {
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const privatePem = privateKey.export({type: 'pkcs1', format: 'pem'}).toString()
  const forgePrivate = forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey
  return {privatePem, forgeKeys: {privateKey: forgePrivate, publicKey: forge.pki.setRsaPublicKey(forgePrivate.n, forgePrivate.e)}}
}

let serial = 1
function certificate(
  subjectCn: string,
  publicKey: forge.pki.PublicKey,
  issuer: {cert?: forge.pki.Certificate; key: forge.pki.PrivateKey},
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  cert.serialNumber = String(serial++).padStart(2, '0')
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
  cert.setSubject([{name: 'commonName', value: subjectCn}])
  cert.setIssuer(issuer.cert ? issuer.cert.subject.attributes : [{name: 'commonName', value: subjectCn}])
  cert.setExtensions(extensions)
  cert.sign(issuer.key as forge.pki.rsa.PrivateKey, forge.md.sha256.create())
  return cert
}

export async function makePki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'grpc-client-pki-'))
  const ca = keyPair()
  const caCert = certificate('test ca', ca.forgeKeys.publicKey, {key: ca.forgeKeys.privateKey}, [
    {name: 'basicConstraints', cA: true},
    {name: 'keyUsage', keyCertSign: true, cRLSign: true},
  ])
  const other = keyPair()
  const otherCert = certificate('other ca', other.forgeKeys.publicKey, {key: other.forgeKeys.privateKey}, [{name: 'basicConstraints', cA: true}])
  const server = keyPair()
  const serverCert = certificate('127.0.0.1', server.forgeKeys.publicKey, {cert: caCert, key: ca.forgeKeys.privateKey}, [
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', serverAuth: true, clientAuth: true},
    {name: 'subjectAltName', altNames: [{type: 7, ip: '127.0.0.1'}, {type: 2, value: 'localhost'}]},
  ])
  const client = keyPair()
  const clientCert = certificate('client', client.forgeKeys.publicKey, {cert: caCert, key: ca.forgeKeys.privateKey}, [
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', clientAuth: true},
  ])
  const files = {
    caCert: forge.pki.certificateToPem(caCert),
    otherCaCert: forge.pki.certificateToPem(otherCert),
    serverCert: forge.pki.certificateToPem(serverCert),
    serverKey: server.privatePem,
    clientCert: forge.pki.certificateToPem(clientCert),
    clientKey: client.privatePem,
  }
  const paths = {} as Record<keyof typeof files, string>
  for (const [name, pem] of Object.entries(files) as [keyof typeof files, string][]) {
    paths[name] = join(dir, `${name}.pem`)
    await writeFile(paths[name], pem)
  }
  return {dir, ...paths}
}
