// A self-signed certificate for `ectl server --peer-auto-tls`, as etcd's transport.SelfCert:
// made once in a directory (cert.pem, key.pem) and reused while both files are there; the
// subject's organization is "etcd", the hosts of the peer URLs are its subject alternative
// names (IP addresses or DNS names), valid for a year, for both ends of a peer connection.
// The key comes from node:crypto (fast), the certificate from node-forge.
import {generateKeyPairSync} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import {isIP} from 'node:net'
import {join} from 'node:path'
import forge from 'node-forge'
import {pathExists} from '../util/path-exists.js'
import {randomSerialHex} from './cert-serial.js'

const validDays = 365

export interface CertFiles {
  certFile: string
  keyFile: string
}

export async function selfSignedCert(dir: string, hosts: readonly string[]): Promise<CertFiles> {
  const files = {certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem')}
  if ((await pathExists(files.certFile)) && (await pathExists(files.keyFile))) return files
  await mkdir(dir, {recursive: true, mode: 0o700})
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const keyPem = privateKey.export({type: 'pkcs1', format: 'pem'}).toString()
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e)
  cert.serialNumber = randomSerialHex()
  cert.validity.notBefore = new Date()
  cert.validity.notAfter = new Date(Date.now() + validDays * 86_400_000)
  const subject = [{name: 'organizationName', value: 'etcd'}]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.setExtensions([
    {name: 'basicConstraints', cA: false},
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', serverAuth: true, clientAuth: true},
    {name: 'subjectAltName', altNames: hosts.map((host) => (isIP(host) !== 0 ? {type: 7, ip: host} : {type: 2, value: host}))},
  ])
  cert.sign(forgeKey, forge.md.sha256.create())
  await writeFile(files.keyFile, keyPem, {mode: 0o600})
  await writeFile(files.certFile, forge.pki.certificateToPem(cert))
  return files
}

