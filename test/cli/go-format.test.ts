import assert from 'node:assert/strict'
import {test} from 'node:test'
import fc from 'fast-check'
import {goParseBool, goParseInt, goQuote, hexEscape} from '../../src/cli/go-format.js'

test('goQuote escapes as Go strconv.Quote', () => {
  assert.equal(goQuote('foo'), '"foo"')
  assert.equal(goQuote(Buffer.from([0x62, 0x69, 0x6e, 0x01, 0x7f])), '"bin\\x01\\x7f"')
  assert.equal(goQuote('val\nmulti\t"q"\\'), '"val\\nmulti\\t\\"q\\"\\\\"')
  assert.equal(goQuote(Buffer.from([0x07, 0x08, 0x0b, 0x0c, 0x0d, 0x1b])), '"\\a\\b\\v\\f\\r\\x1b"')
  // printable non-ASCII stays, invalid UTF-8 bytes become \x, non-printable runes \u
  assert.equal(goQuote('ключ'), '"ключ"')
  assert.equal(goQuote(Buffer.from([0x41, 0x00, 0xff, 0x01, 0x0a])), '"A\\x00\\xff\\x01\\n"')
  assert.equal(goQuote('\u00a0\u00ad'), '"\\u00a0\\u00ad"')
  assert.equal(goQuote(Buffer.from([0xed, 0xa0, 0x80])), '"\\xed\\xa0\\x80"') // a surrogate is invalid
  assert.equal(goQuote('😀'), '"😀"')
})

test('hexEscape writes every byte as \\xNN', () => {
  assert.equal(hexEscape(Buffer.from('k1')), '\\x6b\\x31')
  assert.equal(hexEscape(Buffer.from([0, 255])), '\\x00\\xff')
  fc.assert(
    fc.property(fc.uint8Array({maxLength: 64}), (bytes) => {
      const text = hexEscape(bytes)
      assert.equal(text.length, bytes.length * 4)
      const back = Buffer.from(text.replaceAll('\\x', ''), 'hex')
      assert.deepEqual(new Uint8Array(back), bytes)
    }),
  )
})

test('goParseInt accepts what strconv.ParseInt accepts and words errors as Go', () => {
  assert.equal(goParseInt('42', 10), 42n)
  assert.equal(goParseInt('-7', 10), -7n)
  assert.equal(goParseInt('+7', 10), 7n)
  assert.equal(goParseInt('694d77aa9e38260f', 16), 0x694d77aa9e38260fn)
  assert.equal(goParseInt('9223372036854775807', 10), 9223372036854775807n)
  assert.throws(() => goParseInt('x', 10), {message: 'strconv.ParseInt: parsing "x": invalid syntax'})
  assert.throws(() => goParseInt('', 10), {message: 'strconv.ParseInt: parsing "": invalid syntax'})
  assert.throws(() => goParseInt('zz', 16), {message: 'strconv.ParseInt: parsing "zz": invalid syntax'})
  assert.throws(() => goParseInt('9223372036854775808', 10), {
    message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range',
  })
})

test('goParseBool takes pflag spellings', () => {
  for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(goParseBool(t), true)
  for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(goParseBool(f), false)
  assert.throws(() => goParseBool('yes'), {message: 'strconv.ParseBool: parsing "yes": invalid syntax'})
})
