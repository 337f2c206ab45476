import assert from 'node:assert/strict'
import {test} from 'node:test'
import {hashPassword, passwordMatches, VerifiedPasswords} from '../../../src/engine/auth/passwords.js'

test('bcrypt at cost 10; a hash matches its password only', async () => {
  const hash = await hashPassword('secret')
  assert.match(hash, /^\$2[aby]\$10\$.{53}$/)
  assert.equal(await passwordMatches('secret', hash), true)
  assert.equal(await passwordMatches('Secret', hash), false)
  assert.equal(await passwordMatches('secret', ''), false)
  assert.equal(await passwordMatches('secret', 'not a hash'), false)
})

test('a verified password is answered again without bcrypt until the stored hash changes', async () => {
  const verified = new VerifiedPasswords()
  const hash = await hashPassword('pw')
  assert.equal(await verified.matches('u', 'wrong', hash), false)
  assert.equal(await verified.matches('u', 'pw', hash), true)
  const started = performance.now()
  assert.equal(await verified.matches('u', 'pw', hash), true)
  assert.ok(performance.now() - started < 30, 'the second check skips bcrypt (a cost-10 compare takes ~100 ms)')
  assert.equal(await verified.matches('u', 'wrong', hash), false)
  const changed = await hashPassword('new', 4)
  assert.equal(await verified.matches('u', 'pw', changed), false)
  assert.equal(await verified.matches('u', 'new', changed), true)
})
