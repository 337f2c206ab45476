// kubectl's command line as spf13/pflag reads it: flags anywhere among the arguments,
// `--name value`, `--name=value`, `-n value`, `-nvalue`, `-n=value`, bundled boolean shorthands
// (`-Aw`), `--bool=false`, `--` ending the flags, repeatable slice flags (`-f a -f b`, `-f a,b`).
// Failures carry pflag's exact words, which kctl prints as kubectl does.

export type FlagKind = 'bool' | 'string' | 'int' | 'stringSlice' | 'stringArray' | 'duration'

export interface FlagSpec {
  name: string
  char?: string
  kind: FlagKind
  default?: string | boolean | string[]
  /** a bool-like flag whose bare form means this value (kubectl's `--dry-run` means `client`) */
  noOptDefault?: string
}

export type FlagValue = string | boolean | string[]

export interface ParsedArgv {
  flags: Record<string, FlagValue>
  /** flags the command line set (not defaults) */
  given: Set<string>
  args: string[]
  /** `-h`/`--help` was on the line */
  help: boolean
  /** the arguments after `--` (kubectl exec style), also included in args */
  dashIndex: number
}

/** A flag the command line got wrong; `message` is pflag's. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FlagError'
  }
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

function flagLabel(spec: FlagSpec): string {
  return spec.char === undefined ? `--${spec.name}` : `-${spec.char}, --${spec.name}`
}

export function parseArgv(argv: string[], specs: FlagSpec[]): ParsedArgv {
  const byName = new Map(specs.map((s) => [s.name, s]))
  const byChar = new Map(specs.filter((s) => s.char !== undefined).map((s) => [s.char!, s]))
  const flags: Record<string, FlagValue> = {}
  for (const s of specs) {
    if (s.default !== undefined) flags[s.name] = Array.isArray(s.default) ? [...s.default] : s.default
    else if (s.kind === 'bool') flags[s.name] = false
    else if (s.kind === 'stringSlice' || s.kind === 'stringArray') flags[s.name] = []
  }
  const given = new Set<string>()
  const args: string[] = []
  let help = false
  let dashIndex = -1

  const set = (spec: FlagSpec, raw: string) => {
    const first = !given.has(spec.name)
    given.add(spec.name)
    switch (spec.kind) {
      case 'bool': {
        if (GO_TRUE.has(raw)) flags[spec.name] = true
        else if (GO_FALSE.has(raw)) flags[spec.name] = false
        else throw new FlagError(`invalid argument "${raw}" for "${flagLabel(spec)}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`)
        return
      }
      case 'int': {
        if (!/^[+-]?\d+$/.test(raw)) {
          throw new FlagError(`invalid argument "${raw}" for "${flagLabel(spec)}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`)
        }
        flags[spec.name] = raw
        return
      }
      case 'stringSlice': {
        const prev = first ? [] : (flags[spec.name] as string[])
        flags[spec.name] = [...prev, ...(raw === '' ? [] : raw.split(','))]
        return
      }
      case 'stringArray': {
        const prev = first ? [] : (flags[spec.name] as string[])
        flags[spec.name] = [...prev, raw]
        return
      }
      default:
        flags[spec.name] = raw
    }
  }
  const takesValue = (spec: FlagSpec) => spec.kind !== 'bool' && spec.noOptDefault === undefined

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (token === '--') {
      dashIndex = args.length
      args.push(...argv.slice(i + 1))
      break
    }
    if (token.startsWith('--') && token.length > 2) {
      const eq = token.indexOf('=')
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq)
      if (name === 'help') {
        help = true
        continue
      }
      const spec = byName.get(name)
      if (spec === undefined) throw new FlagError(`unknown flag: --${name}`)
      if (eq >= 0) set(spec, token.slice(eq + 1))
      else if (!takesValue(spec)) set(spec, spec.kind === 'bool' ? 'true' : spec.noOptDefault!)
      else if (i + 1 < argv.length) set(spec, argv[++i]!)
      else throw new FlagError(`flag needs an argument: --${name}`)
      continue
    }
    if (token.startsWith('-') && token.length > 1) {
      // shorthands: -abc, -nvalue, -n value, -n=value
      let j = 1
      while (j < token.length) {
        const c = token[j]!
        if (c === 'h' && !byChar.has('h')) {
          help = true
          j++
          continue
        }
        const spec = byChar.get(c)
        if (spec === undefined) throw new FlagError(`unknown shorthand flag: '${c}' in ${token}`)
        const rest = token.slice(j + 1)
        if (!takesValue(spec)) {
          if (rest.startsWith('=')) {
            set(spec, rest.slice(1))
            break
          }
          set(spec, spec.kind === 'bool' ? 'true' : spec.noOptDefault!)
          j++
          continue
        }
        if (rest.startsWith('=')) set(spec, rest.slice(1))
        else if (rest !== '') set(spec, rest)
        else if (i + 1 < argv.length) set(spec, argv[++i]!)
        else throw new FlagError(`flag needs an argument: '${c}' in -${c}`)
        break
      }
      continue
    }
    args.push(token)
  }
  return {flags, given, args, help, dashIndex}
}
