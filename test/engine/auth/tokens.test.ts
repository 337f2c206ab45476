import assert from 'node:assert/strict'
import {test} from 'node:test'
import {MAX_TOKENS, newTokenPrefix, SimpleTokens} from '../../../src/engine/auth/tokens.js'

test('a token is 16 letters, a dot and the log index', () => {
  const tokens = new SimpleTokens()
  const token = tokens.assign(newTokenPrefix(), 42n, 'alice')
  assert.match(token, /^[a-zA-Z]{16}\.42$/)
  assert.equal(tokens.use(token), 'alice')
  assert.equal(tokens.use(`${token}0`), undefined)
})

test('a token expires after its TTL unless used, and each use renews it', () => {
  let now = 0
  const tokens = new SimpleTokens({nowMs: () => now}, 1_000)
  const token = tokens.assign('a'.repeat(16), 1n, 'u')
  now = 900
  assert.equal(tokens.use(token), 'u') // renewed until 1900
  now = 1_800
  assert.equal(tokens.use(token), 'u') // renewed until 2800
  now = 2_800
  assert.equal(tokens.use(token), undefined)
  assert.equal(tokens.size, 0)
})

test('invalidating a user drops only that user\'s tokens; sweep drops expired ones', () => {
  let now = 0
  const tokens = new SimpleTokens({nowMs: () => now}, 1_000)
  const a = tokens.assign('a'.repeat(16), 1n, 'a')
  const b = tokens.assign('b'.repeat(16), 2n, 'b')
  tokens.invalidateUser('a')
  assert.equal(tokens.use(a), undefined)
  assert.equal(tokens.use(b), 'b')
  now = 5_000
  tokens.sweep()
  assert.equal(tokens.size, 0)
})

test('the number of tokens is capped, the oldest going first', () => {
  const tokens = new SimpleTokens()
  const first = tokens.assign('f'.repeat(16), 0n, 'u')
  for (let i = 1; i <= MAX_TOKENS; i++) tokens.assign('x'.repeat(16), BigInt(i), 'u')
  assert.equal(tokens.size, MAX_TOKENS)
  assert.equal(tokens.use(first), undefined)
})
