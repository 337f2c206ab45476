// The lite parser (src/cli/lite/parse.ts) against oclif's own parser, on command lines made of
// the flags the lite ectl commands declare: whenever the lite parser answers, oclif must answer
// the same (flags, arguments in order, raw tokens); whenever oclif fails, the lite parser must
// have declined. It may decline more than needed: that only costs a run the oclif path.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {type Interfaces, Parser} from '@oclif/core'
import fc from 'fast-check'
import {globalFlags} from '../../src/cli/global-flags.js'
import {LiteDeclined, type LiteFlag, liteParse} from '../../src/cli/lite/parse.js'
import Compaction from '../../src/commands/ectl/compaction.js'
import Del from '../../src/commands/ectl/del.js'
import Get from '../../src/commands/ectl/get.js'
import Put from '../../src/commands/ectl/put.js'
import Txn from '../../src/commands/ectl/txn.js'

type OclifFlags = Record<string, Interfaces.Flag<unknown>>

/** What the stand-in's Flags.string / Flags.boolean make of the options oclif's were given. */
function asLiteFlags(flags: OclifFlags): Record<string, LiteFlag> {
  const lite: Record<string, LiteFlag> = {}
  for (const [name, flag] of Object.entries(flags)) {
    // oclif adds these to every flag it makes; the stand-in adds only type and multiple/allowNo
    const {parse: _parse, input: _input, name: _name, ...options} = flag as unknown as Record<string, unknown>
    lite[name] = options as LiteFlag
  }
  return lite
}

async function oclifParse(argv: string[], flags: OclifFlags): Promise<unknown> {
  // as oclif's Command.parse hands them over: baseFlags merged under the command's own
  const parsed = await Parser.parse(argv, {flags: {...flags}, args: {}, strict: false, context: undefined})
  return {args: parsed.args, argv: parsed.argv, flags: parsed.flags, metadata: parsed.metadata, nonExistentFlags: parsed.nonExistentFlags, raw: parsed.raw}
}

function words(flags: OclifFlags): fc.Arbitrary<string> {
  const names = Object.keys(flags)
  const chars = Object.values(flags).flatMap((f) => (f.char === undefined ? [] : [f.char]))
  return fc.oneof(
    fc.constantFrom(...names.map((n) => `--${n}`)),
    fc.constantFrom(...names).chain((n) => fc.constantFrom('', 'json', 'true', 'false', '-x', '--hex', 'a=b').map((v) => `--${n}=${v}`)),
    fc.constantFrom(...chars).chain((c) => fc.constantFrom('', 'json', '=json', 'x').map((v) => `-${c}${v}`)),
    fc.constantFrom('--', '-', '-5', '-1x', '--no-hex', '--nope', '-z', '-hw', '---x', '--constructor', '--toString', '--__proto__'),
    fc.constantFrom('k', 'v', 'key', '', 'a b', 'fields', 'json', 'simple', '0', '10'),
  )
}

const commands = {get: Get, put: Put, del: Del, txn: Txn, compaction: Compaction}

for (const [id, command] of Object.entries(commands)) {
  test(`ectl ${id}: the lite parser answers as oclif's parser, or declines`, async () => {
    const flags = {...globalFlags, ...command.flags} as unknown as OclifFlags
    const lite = asLiteFlags(flags)
    let answered = 0
    await fc.assert(
      fc.asyncProperty(fc.array(words(flags), {maxLength: 7}), fc.constantFrom(undefined, '', '/tmp/from-env'), async (argv, envDataDir) => {
        const saved = process.env['ECTL_DATA_DIR']
        if (envDataDir === undefined) delete process.env['ECTL_DATA_DIR']
        else process.env['ECTL_DATA_DIR'] = envDataDir
        try {
          let expected: unknown
          let oclifFailed = false
          try {
            expected = await oclifParse(argv, flags)
          } catch {
            oclifFailed = true
          }
          let actual: unknown
          try {
            actual = liteParse(argv, lite, {})
          } catch (error) {
            assert.ok(error instanceof LiteDeclined, String(error))
            return
          }
          assert.ok(!oclifFailed, `oclif fails on ${JSON.stringify(argv)}, the lite parser answered`)
          assert.deepEqual(JSON.parse(JSON.stringify(actual)), JSON.parse(JSON.stringify(expected)), JSON.stringify(argv))
          answered++
        } finally {
          if (saved === undefined) delete process.env['ECTL_DATA_DIR']
          else process.env['ECTL_DATA_DIR'] = saved
        }
      }),
      {numRuns: 400},
    )
    // the common command lines must not all be left to oclif
    assert.ok(answered > 40, `the lite parser answered only ${answered} of 400`)
  })
}

test('the lite parser answers the everyday command lines', () => {
  const lite = asLiteFlags({...globalFlags, ...Get.flags} as unknown as OclifFlags)
  const parsed = liteParse(['k', '--prefix', '-w', 'json', '--data-dir', 'd', '--', '--not-a-flag'], lite, {})
  assert.deepEqual(parsed.argv, ['k', '--not-a-flag'])
  assert.equal(parsed.flags['write-out'], 'json')
  assert.equal(parsed.flags['prefix'], true)
  assert.equal(parsed.flags['data-dir'], 'd')
  assert.equal(parsed.flags['limit'], '0')
  assert.throws(() => liteParse(['k', '--nope'], lite, {}), LiteDeclined)
  assert.throws(() => liteParse(['k', '--limit'], lite, {}), LiteDeclined)
  assert.throws(() => liteParse(['k', '--limit', '1', '--limit', '2'], lite, {}), LiteDeclined)
})

test('flag declarations the lite parser does not follow oclif in are left to oclif', () => {
  assert.throws(() => liteParse([], {x: {type: 'option', multiple: true}}, {}), LiteDeclined)
  assert.throws(() => liteParse([], {x: {type: 'option', options: ['a']}}, {}), LiteDeclined)
  assert.throws(() => liteParse([], {x: {type: 'option', default: () => 'a'}}, {}), LiteDeclined)
  assert.throws(() => liteParse([], {x: {type: 'option'}}, {name: {}}), LiteDeclined)
})
