// The sandbox's certificates: a CA, the API server's certificate (SANs 127.0.0.1 and
// localhost) and the admin's client certificate (CN=kubernetes-admin, O=system:masters), made
// once per data dir with node-forge over keys from node:crypto (fast), kept in DIR/pki/.
import {generateKeyPairSync} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import forge from 'node-forge'
import {randomSerialHex} from '../../cert-serial.js'

export interface Pki {
  caCert: string
  caKey: string
  serverCert: string
  serverKey: string
  adminCert: string
  adminKey: string
}

const FILES: Record<keyof Pki, string> = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'apiserver.crt',
  serverKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
}

const VALID_DAYS_CA = 3650
const VALID_DAYS_LEAF = 365

function newKey(): {pem: string; forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.PublicKey} {
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const pem = privateKey.export({type: 'pkcs1', format: 'pem'}).toString()
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey
  return {pem, forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e)}
}

function sign(
  subject: forge.pki.CertificateField[],
  publicKey: forge.pki.PublicKey,
  issuer: {subject: forge.pki.CertificateField[]; key: forge.pki.rsa.PrivateKey},
  days: number,
  extensions: object[],
): string {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  cert.serialNumber = randomSerialHex()
  cert.validity.notBefore = new Date(Date.now() - 5 * 60_000)
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000)
  cert.setSubject(subject)
  cert.setIssuer(issuer.subject)
  cert.setExtensions(extensions)
  cert.sign(issuer.key, forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

export function makePki(): Pki {
  const ca = newKey()
  const caSubject = [{name: 'commonName', value: 'kctl-sandbox-ca'}]
  const caCert = sign(caSubject, ca.publicKey, {subject: caSubject, key: ca.forgeKey}, VALID_DAYS_CA, [
    {name: 'basicConstraints', cA: true},
    {name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true},
  ])
  const issuer = {subject: caSubject, key: ca.forgeKey}
  const server = newKey()
  const serverCert = sign([{name: 'commonName', value: 'kube-apiserver'}], server.publicKey, issuer, VALID_DAYS_LEAF, [
    {name: 'basicConstraints', cA: false},
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', serverAuth: true},
    {name: 'subjectAltName', altNames: [{type: 7, ip: '127.0.0.1'}, {type: 2, value: 'localhost'}]},
  ])
  const admin = newKey()
  const adminCert = sign(
    [
      {name: 'commonName', value: 'kubernetes-admin'},
      {name: 'organizationName', value: 'system:masters'},
    ],
    admin.publicKey,
    issuer,
    VALID_DAYS_LEAF,
    [
      {name: 'basicConstraints', cA: false},
      {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
      {name: 'extKeyUsage', clientAuth: true},
    ],
  )
  return {caCert, caKey: ca.pem, serverCert, serverKey: server.pem, adminCert, adminKey: admin.pem}
}

/** The data dir's PKI, made on first use. */
export function loadOrMakePki(dataDir: string): Pki {
  const dir = join(dataDir, 'pki')
  const paths = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof Pki, string>
  if (Object.values(paths).every((p) => existsSync(p))) {
    return Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, readFileSync(p, 'utf8')])) as unknown as Pki
  }
  const pki = makePki()
  mkdirSync(dir, {recursive: true, mode: 0o700})
  for (const [k, p] of Object.entries(paths)) writeFileSync(p, pki[k as keyof Pki], {mode: k.endsWith('Key') ? 0o600 : 0o644})
  return pki
}
