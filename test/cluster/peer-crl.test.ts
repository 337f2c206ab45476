// The --peer-crl-file list: revocation lists that the real `openssl ca -gencrl` signs are read
// as etcd reads them (PEM or DER; serial numbers as minimal big-endian hex), and anything else
// is refused in Go's words.
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'
import {certSerialHex, parseCrl, PeerCrl} from '../../src/engine/cluster/peer-crl.js'
import {type TestPki, writeTestPki} from '../compat/harness/certs.js'
import {runProcess} from '../compat/harness/run-process.js'
import {writeCrl} from './peer-certs.js'

let dir: string
let pki: TestPki
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ectl-peer-crl-'))
  pki = await writeTestPki(dir)
})
after(async () => {
  await rm(dir, {recursive: true, force: true})
})

test('a list openssl signed: its revoked serials, from PEM and from DER; an empty list revokes nothing', async () => {
  const file = await writeCrl(pki, dir, ['7e02', '0a', '00ff01'])
  assert.deepEqual([...parseCrl(await readFile(file))].sort(), ['0a', '7e02', 'ff01'])
  const der = join(dir, 'peer.crl.der')
  const converted = await runProcess({command: 'openssl', args: ['crl', '-in', file, '-outform', 'DER', '-out', der], env: {PATH: process.env.PATH}})
  assert.equal(converted.exitCode, 0, converted.stderr.toString())
  assert.deepEqual([...parseCrl(await readFile(der))].sort(), ['0a', '7e02', 'ff01'])
  assert.deepEqual([...parseCrl(await readFile(await writeCrl(pki, dir, [])))], [])
})

test("a certificate's serial as Node reports it matches the list's form", () => {
  assert.equal(certSerialHex('7E02'), '7e02')
  assert.equal(certSerialHex('00FF01'), 'ff01')
  assert.equal(certSerialHex('A'), '0a')
})

test('anything but a revocation list is refused; a list that changes on disk is read again', async () => {
  assert.throws(() => parseCrl(Buffer.from('not a list')), /^Error: x509: malformed crl: /)
  const certificate = await readFile(pki.caFile)
  assert.throws(() => parseCrl(certificate), /^Error: x509: malformed crl: /)
  const file = join(dir, 'changing.crl')
  await writeFile(file, await readFile(await writeCrl(pki, dir, ['01aa'])))
  const crl = new PeerCrl(file)
  assert.equal(await crl.refusal(['7e05', '01aa']), 'transport: certificate serial 01aa revoked')
  assert.equal(await crl.refusal(['7e05']), undefined)
  await writeFile(file, await readFile(await writeCrl(pki, dir, ['7e05', '0123456789'])))
  assert.equal(await crl.refusal(['7e05']), 'transport: certificate serial 7e05 revoked')
})
