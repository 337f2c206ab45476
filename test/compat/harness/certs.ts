// A throwaway PKI for TLS tests: a CA, a server certificate for 127.0.0.1/localhost and a
// client certificate signed by it, and a second CA that signs an untrusted client. Written as
// PEM files into a directory, as etcd's --cert-file/--key-file/--trusted-ca-file and
// etcdctl's --cacert/--cert/--key read them.
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import forge from 'node-forge'

export interface TestPki {
  caFile: string
  /** The CA's private key (to issue more certificates or sign a revocation list). */
  caKeyFile: string
  serverCertFile: string
  serverKeyFile: string
  clientCertFile: string
  clientKeyFile: string
  /** A client certificate signed by a CA the server does not trust. */
  strangerCertFile: string
  strangerKeyFile: string
}

interface Issued {
  cert: forge.pki.Certificate
  keys: forge.pki.rsa.KeyPair
}

let serial = 1

function issue(subject: string, issuer: Issued | undefined, extensions: object[], bits = 2048): Issued {
  const keys = forge.pki.rsa.generateKeyPair(bits)
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = String(serial++).padStart(2, '0')
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
  const attrs = [{name: 'commonName', value: subject}]
  cert.setSubject(attrs)
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : attrs)
  cert.setExtensions(extensions)
  cert.sign(issuer ? issuer.keys.privateKey : keys.privateKey, forge.md.sha256.create())
  return {cert, keys}
}

const caExtensions = [{name: 'basicConstraints', cA: true}, {name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true}]

export async function writeTestPki(dir: string): Promise<TestPki> {
  const ca = issue('ectl test CA', undefined, caExtensions)
  const server = issue('ectl server', ca, [
    {name: 'basicConstraints', cA: false},
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', serverAuth: true, clientAuth: true},
    {name: 'subjectAltName', altNames: [{type: 2, value: 'localhost'}, {type: 7, ip: '127.0.0.1'}]},
  ])
  const clientExtensions = [
    {name: 'basicConstraints', cA: false},
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', clientAuth: true},
  ]
  const client = issue('ectl client', ca, clientExtensions)
  const otherCa = issue('some other CA', undefined, caExtensions)
  const stranger = issue('stranger', otherCa, clientExtensions)

  const files: TestPki = {
    caFile: join(dir, 'ca.crt'),
    caKeyFile: join(dir, 'ca.key'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    strangerCertFile: join(dir, 'stranger.crt'),
    strangerKeyFile: join(dir, 'stranger.key'),
  }
  const pem = (issued: Issued) => forge.pki.certificateToPem(issued.cert)
  const key = (issued: Issued) => forge.pki.privateKeyToPem(issued.keys.privateKey)
  await Promise.all([
    writeFile(files.caFile, pem(ca)),
    writeFile(files.caKeyFile, key(ca)),
    writeFile(files.serverCertFile, pem(server)),
    writeFile(files.serverKeyFile, key(server)),
    writeFile(files.clientCertFile, pem(client)),
    writeFile(files.clientKeyFile, key(client)),
    writeFile(files.strangerCertFile, pem(stranger)),
    writeFile(files.strangerKeyFile, key(stranger)),
  ])
  return files
}
