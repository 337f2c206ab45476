// A small pflag-style parser for the request lines of `txn` (`get k --prefix`, `put k v
// --lease=1`): etcdctl runs its own get/put/del commands on each line, so a line accepts exactly
// those commands' flags, and anything cobra would refuse makes the line invalid.
import {goParseBool, goParseInt} from '../go-format.js'

export type LineFlagKind = 'bool' | 'string' | 'int'
export type LineFlagSpec = Record<string, LineFlagKind>
export type LineFlagValues = Record<string, boolean | string | bigint>

/** Thrown for anything cobra rejects; the caller reports the whole line as invalid. */
export class LineFlagError extends Error {}

export function parseLineFlags(tokens: string[], spec: LineFlagSpec): {args: string[]; flags: LineFlagValues} {
  const args: string[] = []
  const flags: LineFlagValues = {}
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t === '--') {
      args.push(...tokens.slice(i + 1))
      break
    }
    if (!t.startsWith('-') || t === '-') {
      args.push(t)
      continue
    }
    if (t === '-h' || t === '--help') throw new LineFlagError('help requested')
    if (!t.startsWith('--')) throw new LineFlagError(`unknown shorthand flag: '${t[1]}' in ${t}`)
    const eq = t.indexOf('=')
    const name = eq < 0 ? t.slice(2) : t.slice(2, eq)
    const kind = spec[name]
    if (kind === undefined) throw new LineFlagError(`unknown flag: --${name}`)
    let raw: string
    if (eq >= 0) raw = t.slice(eq + 1)
    else if (kind === 'bool') raw = 'true'
    else if (i + 1 < tokens.length) raw = tokens[++i]!
    else throw new LineFlagError(`flag needs an argument: --${name}`)
    try {
      flags[name] = kind === 'bool' ? goParseBool(raw) : kind === 'int' ? goParseInt(raw, 10) : raw
    } catch (err) {
      throw new LineFlagError(`invalid argument "${raw}" for "--${name}" flag: ${(err as Error).message}`)
    }
  }
  return {args, flags}
}
