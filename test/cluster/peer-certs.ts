// More peer certificates from a test PKI's CA (certs.ts), and a certificate revocation list
// signed by that CA with the real `openssl ca -gencrl`, for the --peer-cert-allowed-cn and
// --peer-crl-file tests. Keys come from node:crypto (native, fast); node-forge signs.
import {generateKeyPairSync} from 'node:crypto'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import forge from 'node-forge'
import {runProcess} from '../compat/harness/run-process.js'
import type {TestPki} from '../compat/harness/certs.js'

export interface PeerCert {
  certFile: string
  keyFile: string
  /** The serial number, hex. */
  serial: string
}

/** A peer certificate (server and client use, for 127.0.0.1) with common name `cn` and serial `serial` (hex), signed by the PKI's CA. */
export async function issuePeerCert(pki: TestPki, dir: string, name: string, cn: string, serial: string): Promise<PeerCert> {
  const ca = forge.pki.certificateFromPem(await readFile(pki.caFile, 'utf8'))
  const caKey = forge.pki.privateKeyFromPem(await readFile(pki.caKeyFile, 'utf8'))
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({type: 'spki', format: 'pem'}).toString())
  cert.serialNumber = serial
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
  cert.setSubject([{name: 'commonName', value: cn}])
  cert.setIssuer(ca.subject.attributes)
  cert.setExtensions([
    {name: 'basicConstraints', cA: false},
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', serverAuth: true, clientAuth: true},
    {name: 'subjectAltName', altNames: [{type: 2, value: 'localhost'}, {type: 7, ip: '127.0.0.1'}]},
  ])
  cert.sign(caKey, forge.md.sha256.create())
  const files = {certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`), serial}
  await writeFile(files.certFile, forge.pki.certificateToPem(cert))
  await writeFile(files.keyFile, privateKey.export({type: 'pkcs8', format: 'pem'}).toString())
  return files
}

/** A PEM revocation list signed by the PKI's CA that revokes `serials` (hex), written by `openssl ca -gencrl`. */
export async function writeCrl(pki: TestPki, dir: string, serials: readonly string[]): Promise<string> {
  const work = join(dir, `crl-${Date.now()}-${Math.random().toString(16).slice(2)}`)
  await mkdir(work)
  const yymmdd = (d: Date) => `${d.toISOString().slice(2, 10).replaceAll('-', '')}${d.toISOString().slice(11, 19).replaceAll(':', '')}Z`
  const now = new Date()
  const expires = new Date(now.getTime() + 24 * 3600_000)
  // openssl's CA database: R(evoked), expiry, revocation date, serial, file, subject
  const index = serials.map((serial) => ['R', yymmdd(expires), yymmdd(now), serial.toUpperCase(), 'unknown', `/CN=revoked-${serial}`].join('\t')).join('\n')
  await writeFile(join(work, 'index.txt'), index === '' ? '' : `${index}\n`)
  await writeFile(join(work, 'crlnumber'), '01\n')
  const config = ['[ca]', 'default_ca = test_ca', '[test_ca]', `database = ${join(work, 'index.txt')}`, `crlnumber = ${join(work, 'crlnumber')}`, 'default_md = sha256', 'default_crl_days = 1', ''].join('\n')
  await writeFile(join(work, 'ca.cnf'), config)
  const out = join(dir, 'peer.crl')
  const result = await runProcess({
    command: 'openssl',
    args: ['ca', '-config', join(work, 'ca.cnf'), '-gencrl', '-keyfile', pki.caKeyFile, '-cert', pki.caFile, '-out', out],
    env: {PATH: process.env.PATH},
  })
  if (result.exitCode !== 0) throw new Error(`openssl ca -gencrl: ${result.stderr.toString()}`)
  return out
}
