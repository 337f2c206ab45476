// oclif's argument parser (Parser.parse and validate, @oclif/core 4) for the flags ectl's
// commands declare, in the lite bundle, where loading oclif would cost more than the command.
// It follows oclif step by step for what those flags use: long and short flags, `--flag=value`,
// `-wjson`, grouped short booleans, `--` and negative numbers as arguments, values from `env`,
// defaults. Whatever would make oclif fail (an unknown flag, a missing value, a flag given
// twice) or that it does not mirror (flag kinds and options no ectl command uses), it declines:
// it throws LiteDeclined before the command has done anything, and the full bundle runs the
// command through oclif instead. So a run either gets oclif's result or is run by oclif.
// test/cli/lite-parse.test.ts holds it to oclif's own parser on generated command lines.

/** Thrown where the lite path would not do exactly what oclif does: run oclif instead. */
export class LiteDeclined extends Error {
  constructor(reason: string) {
    super(`left to oclif: ${reason}`)
  }
}

/** A flag as the stand-in's Flags.string / Flags.boolean declare it. */
export interface LiteFlag {
  type: 'option' | 'boolean'
  char?: string
  default?: unknown
  env?: string
  allowNo?: boolean
  multiple?: boolean
  [option: string]: unknown
}

/** What oclif's parse returns, as far as our commands read it. */
export interface LiteParserOutput {
  args: Record<string, never>
  argv: string[]
  flags: Record<string, unknown>
  metadata: {flags: Record<string, {setFromDefault: true}>}
  nonExistentFlags: string[]
  raw: Array<{type: 'flag'; flag: string; input: string} | {type: 'arg'; arg: undefined; input: string}>
}

/** Options of a flag that change nothing the parser does (help text, grouping). */
const INERT_OPTIONS = new Set(['description', 'summary', 'helpGroup', 'helpValue', 'hidden', 'name'])

/** Declines flag declarations that use what this parser does not follow oclif in. */
function checkDeclarations(flags: Record<string, LiteFlag>): void {
  for (const [name, flag] of Object.entries(flags)) {
    for (const [option, value] of Object.entries(flag)) {
      if (INERT_OPTIONS.has(option) || value === undefined) continue
      if (option === 'type' && (value === 'option' || value === 'boolean')) continue
      if (option === 'char' && typeof value === 'string' && value.length === 1) continue
      if (option === 'env' && typeof value === 'string') continue
      if (option === 'default' && typeof value !== 'function') continue
      if ((option === 'multiple' || option === 'allowNo') && value === false) continue
      if (option === 'allowNo' && value === true && flag.type === 'boolean') continue
      throw new LiteDeclined(`flag --${name} declares ${option}`)
    }
  }
}

/** oclif's isTruthy, for a boolean flag's environment variable. */
function isTruthy(input: string): boolean {
  return ['1', 'true', 'y', 'yes'].includes(input.toLowerCase())
}

/**
 * oclif's parse of `argv` for a command that declares `flags` (its base flags merged in, as
 * oclif's aggregateFlags does), no args, and strict: false.
 */
export function liteParse(argvIn: string[], flags: Record<string, LiteFlag>, args: Record<string, unknown> | undefined): LiteParserOutput {
  if (args !== undefined && Object.keys(args).length > 0) throw new LiteDeclined('the command declares args')
  checkDeclarations(flags)
  const booleanFlags = new Map(Object.entries(flags).filter(([, f]) => f.type === 'boolean'))

  // oclif looks names up with `flags[name]`, which also finds Object.prototype's members
  const lookUp = (name: string): string | undefined => {
    if (Object.hasOwn(flags, name)) return name
    if ((flags as Record<string, unknown>)[name] !== undefined) throw new LiteDeclined(`--${name} names no flag of its own`)
    return undefined
  }
  const findLongFlag = (arg: string): string | undefined => {
    const name = lookUp(arg.slice(2))
    if (name !== undefined) return name
    if (arg.startsWith('--no-')) {
      const negated = arg.slice('--no-'.length)
      if (booleanFlags.get(negated)?.allowNo === true) return negated
    }
    return undefined
  }
  const findShortFlag = (arg: string): string | undefined => {
    const char = arg[1]
    if (char === undefined) return undefined
    return Object.keys(flags).find((k) => flags[k]!.char === char)
  }
  const findFlag = (arg: string): {isLong: boolean; name: string | undefined} => {
    const isLong = arg.startsWith('--')
    const short = !isLong && arg.startsWith('-')
    return {isLong, name: isLong ? findLongFlag(arg) : short ? findShortFlag(arg) : undefined}
  }

  const raw: LiteParserOutput['raw'] = []
  const argv = [...argvIn]
  const parseFlag = (arg: string): boolean => {
    const {isLong, name} = findFlag(arg)
    if (name === undefined) {
      const i = arg.indexOf('=')
      if (i === -1) return false
      argv.unshift(arg.slice(i + 1))
      const parsed = parseFlag(arg.slice(0, i))
      if (!parsed) argv.shift()
      return parsed
    }
    const flag = flags[name]!
    if (flag.type === 'option') {
      if (raw.some((o) => o.type === 'flag' && o.flag === name)) throw new LiteDeclined(`--${name} given twice`)
      const input = isLong || arg.length < 3 ? argv.shift() : arg.slice(arg[2] === '=' ? 3 : 2)
      if (typeof input !== 'string' || findFlag(input).name !== undefined) throw new LiteDeclined(`--${name} without a value`)
      raw.push({flag: name, input, type: 'flag'})
    } else {
      raw.push({flag: name, input: arg, type: 'flag'})
      // the rest of a group of short flags goes back on the stack
      if (!isLong && arg.length > 2) argv.unshift(`-${arg.slice(2)}`)
    }
    return true
  }

  let parsingFlags = true
  while (argv.length > 0) {
    const input = argv.shift()!
    if (parsingFlags && input.startsWith('-') && input !== '-') {
      if (input === '--') {
        parsingFlags = false
        continue
      }
      if (parseFlag(input)) continue
      // oclif reads a word like -5 as an argument; any other is a flag it does not know
      if (!/^-\d/.test(input)) throw new LiteDeclined(`unknown flag ${input}`)
    }
    raw.push({arg: undefined, input, type: 'arg'})
  }

  const values: Record<string, unknown> = {}
  const metadata: LiteParserOutput['metadata'] = {flags: {}}
  for (const [name, flag] of Object.entries(flags)) {
    const tokens = raw.filter((o): o is {type: 'flag'; flag: string; input: string} => o.type === 'flag' && o.flag === name)
    const last = tokens.at(-1)
    let value: unknown
    if (last !== undefined) {
      // a boolean's token is the word that set it: `--no-<name>` turns it off
      value = flag.type === 'boolean' ? last.input !== `--no-${name}` : last.input
    } else if (flag.env !== undefined && process.env[flag.env]) {
      const fromEnv = process.env[flag.env]!
      value = flag.type === 'option' ? fromEnv : isTruthy(fromEnv)
    } else if (flag.type === 'boolean' || flag.env !== undefined || flag.default !== undefined) {
      // oclif marks these as left to their default, even when there is none
      metadata.flags[name] = {setFromDefault: true}
      value = flag.default
    }
    if (value !== undefined) values[name] = value
  }

  const originalArgv = [...argvIn]
  const rest = raw.filter((o) => o.type === 'arg').map((o) => o.input)
  return {
    args: {},
    argv: rest.sort((a, b) => originalArgv.indexOf(a) - originalArgv.indexOf(b)),
    flags: values,
    metadata,
    nonExistentFlags: [],
    raw,
  }
}
