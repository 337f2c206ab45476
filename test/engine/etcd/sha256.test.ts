// The plain-JavaScript SHA-256 of the data dir's socket name gives node:crypto's digests
// (so the socket name, and with it who holds a data dir, is the same as before).
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {test} from 'node:test'
import fc from 'fast-check'
import {sha256Hex} from '../../../src/engine/etcd/sha256.js'

test('known digests (FIPS 180-4 examples, the empty string, block boundaries)', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
  for (const length of [55, 56, 63, 64, 65, 119, 120, 1000]) {
    const text = 'x'.repeat(length)
    assert.equal(sha256Hex(text), createHash('sha256').update(text).digest('hex'), `length ${length}`)
  }
})

test('any text or bytes hash as node:crypto hashes them', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({unit: 'grapheme', maxLength: 300}), fc.uint8Array({maxLength: 300})), (data) => {
      assert.equal(sha256Hex(data), createHash('sha256').update(data).digest('hex'))
    }),
    {numRuns: 500},
  )
})
