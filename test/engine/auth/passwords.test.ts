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
  let compares = 0
  const verified = new VerifiedPasswords((password, hash) => {
    compares++
    return passwordMatches(password, hash)
  })
  const hash = await hashPassword('pw', 4)
  assert.equal(await verified.matches('u', 'wrong', hash), false)
  assert.equal(await verified.matches('u', 'pw', hash), true)
  assert.equal(compares, 2)
  assert.equal(await verified.matches('u', 'pw', hash), true)
  assert.equal(compares, 2, 'the second check skips bcrypt')
  assert.equal(await verified.matches('u', 'wrong', hash), false)
  assert.equal(compares, 3, 'a wrong password always pays bcrypt')
  const changed = await hashPassword('new', 4)
  assert.equal(await verified.matches('u', 'pw', changed), false)
  assert.equal(await verified.matches('u', 'new', changed), true)
})
