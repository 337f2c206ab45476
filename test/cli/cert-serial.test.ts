// Certificate serial numbers: positive, minimal DER (OpenSSL refuses a needless leading zero).
import assert from 'node:assert/strict'
import {generateKeyPairSync, X509Certificate} from 'node:crypto'
import {test} from 'node:test'
import forge from 'node-forge'
import {randomSerialHex} from '../../src/cli/cert-serial.js'

test('a serial is 16 bytes, positive, with no leading zero byte', () => {
  for (let i = 0; i < 5_000; i++) {
    const bytes = Buffer.from(randomSerialHex(), 'hex')
    assert.equal(bytes.length, 16)
    assert.ok(bytes[0]! >= 0x01 && bytes[0]! <= 0x7f, `first byte ${bytes[0]}`)
  }
})

test('OpenSSL reads certificates with such serials (a small first byte included)', () => {
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 1024})
  const key = forge.pki.privateKeyFromPem(privateKey.export({type: 'pkcs1', format: 'pem'}).toString()) as forge.pki.rsa.PrivateKey
  const serials = [...Array.from({length: 20}, () => randomSerialHex()), '01' + 'ff'.repeat(15), '7f' + '00'.repeat(15)]
  for (const serial of serials) {
    const cert = forge.pki.createCertificate()
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e)
    cert.serialNumber = serial
    cert.validity.notBefore = new Date()
    cert.validity.notAfter = new Date(Date.now() + 86_400_000)
    cert.setSubject([{name: 'commonName', value: 'serial'}])
    cert.setIssuer([{name: 'commonName', value: 'serial'}])
    cert.sign(key, forge.md.sha256.create())
    const parsed = new X509Certificate(forge.pki.certificateToPem(cert))
    assert.equal(parsed.serialNumber.toLowerCase(), serial)
  }
})
