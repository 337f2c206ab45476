// The text grammar `etcdctl txn` reads: compares, then success requests, then failure
// requests, each section ended by a blank line. Text is a byte string (latin1: one char per
// byte) so keys and values may hold any byte. Messages and exit codes are etcdctl 3.4's.
import {
  Compare,
  Compare_CompareResult as Result,
  Compare_CompareTarget as Target,
  RequestOp,
  type TxnRequest,
} from '../../api/proto/rpc.js'
import {CliError, invalidInput} from '../exit.js'
import {goParseInt, goQuote} from '../go-format.js'
import {buildDeleteRequest} from '../ops/del-op.js'
import {buildRangeRequest} from '../ops/get-op.js'
import {buildPutRequest} from '../ops/put-op.js'
import {argify} from './argify.js'
import {readQuoted} from './go-quoted.js'
import {LineFlagError, parseLineFlags, type LineFlagSpec, type LineFlagValues} from './line-flags.js'

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1')
/** a byte string shown in a message: bytes as they came, read as UTF-8 */
const shown = (s: string): string => bytes(s).toString('utf8')

const results: Record<string, Result> = {
  '=': Result.EQUAL,
  '!=': Result.NOT_EQUAL,
  '>': Result.GREATER,
  '<': Result.LESS,
}

const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\r\n\v\f'.includes(c)
function skipSpace(s: string, i: number): number {
  while (isSpace(s[i])) i++
  return i
}

/**
 * Go's fmt.Sscanf(rest, "%q) %s %q", &key, &op, &val): how many of the three it filled and the
 * values read so far, so a malformed line is reported with what etcdctl would have "got".
 */
function scanCompare(rest: string): {n: number; key: string; op: string; val: string} {
  const got = {n: 0, key: '', op: '', val: ''}
  let i = skipSpace(rest, 0)
  const key = readQuoted(rest, i)
  if (key === undefined) return got
  got.key = key.value
  got.n = 1
  i = key.end
  if (rest[i] !== ')') return got
  i = skipSpace(rest, i + 1)
  const opStart = i
  while (i < rest.length && !isSpace(rest[i])) i++
  if (i === opStart) return got
  got.op = rest.slice(opStart, i)
  got.n = 2
  i = skipSpace(rest, i)
  const val = readQuoted(rest, i)
  if (val === undefined) return got
  got.val = val.value
  got.n = 3
  return got
}

/** One compare line: `mod("k") > "0"`, `val("k") = "v"`, `ver`, `create`, `lease` (hex). */
export function parseCompare(line: string): Compare {
  const paren = line.indexOf('(')
  if (paren < 0) throw invalidInput(`malformed comparison: ${shown(line)}`)
  const target = line.slice(0, paren)
  const {n, key, op, val} = scanCompare(line.slice(paren + 1))
  if (n !== 3) {
    throw invalidInput(
      `malformed comparison: ${shown(line)}; got ${shown(target)}(${goQuote(bytes(key))}) ${shown(op)} ${goQuote(bytes(val))}`,
    )
  }
  const invalid = (): CliError => invalidInput(`invalid txn compare request: ${shown(line)}`)
  const result = results[op]
  const cmp: Partial<Compare> = {key: bytes(key), result}
  try {
    switch (target) {
      case 'ver':
      case 'version':
        Object.assign(cmp, {target: Target.VERSION, version: goParseInt(val, 10)})
        break
      case 'c':
      case 'create':
        Object.assign(cmp, {target: Target.CREATE, createRevision: goParseInt(val, 10)})
        break
      case 'm':
      case 'mod':
        Object.assign(cmp, {target: Target.MOD, modRevision: goParseInt(val, 10)})
        break
      case 'val':
      case 'value':
        Object.assign(cmp, {target: Target.VALUE, value: bytes(val)})
        break
      case 'lease':
        Object.assign(cmp, {target: Target.LEASE, lease: goParseInt(val, 16)})
        break
      default:
        throw invalidInput(`malformed comparison: ${shown(line)} (unknown target ${shown(target)})`)
    }
  } catch (err) {
    if (err instanceof CliError) throw err
    throw invalid()
  }
  // etcd's client panics on an unknown operator; we report the line instead
  if (result === undefined) throw invalid()
  return Compare.fromPartial(cmp)
}

const getFlags: LineFlagSpec = {
  consistency: 'string',
  order: 'string',
  'sort-by': 'string',
  limit: 'int',
  prefix: 'bool',
  'from-key': 'bool',
  rev: 'int',
  'keys-only': 'bool',
  'count-only': 'bool',
  'print-value-only': 'bool',
}
const putFlags: LineFlagSpec = {lease: 'string', 'prev-kv': 'bool', 'ignore-value': 'bool', 'ignore-lease': 'bool'}
const delFlags: LineFlagSpec = {prefix: 'bool', 'prev-kv': 'bool', 'from-key': 'bool'}

const str = (f: LineFlagValues, name: string, dflt: string): string => (f[name] as string | undefined) ?? dflt
const num = (f: LineFlagValues, name: string): bigint => (f[name] as bigint | undefined) ?? 0n
const flag = (f: LineFlagValues, name: string): boolean => (f[name] as boolean | undefined) ?? false

/** One request line: `get k [end] [flags]`, `put k v [flags]`, `del k [end] [flags]`. */
export function parseRequest(line: string): RequestOp {
  const words = argify(line)
  if (words.length < 2) throw invalidInput(`invalid txn compare request: ${shown(line)}`)
  const [command, ...rest] = words
  const spec = command === 'get' ? getFlags : command === 'put' ? putFlags : command === 'del' ? delFlags : undefined
  if (spec === undefined) throw invalidInput(`invalid txn request: ${shown(line)}`)
  let parsed: {args: string[]; flags: LineFlagValues}
  try {
    parsed = parseLineFlags(rest, spec)
  } catch (err) {
    if (err instanceof LineFlagError) throw invalidInput(`invalid txn request: ${shown(line)}`)
    throw err
  }
  const args = parsed.args.map(bytes)
  const f = parsed.flags
  switch (command) {
    case 'get':
      return RequestOp.fromPartial({
        requestRange: buildRangeRequest(args, {
          consistency: str(f, 'consistency', 'l'),
          order: str(f, 'order', ''),
          sortBy: str(f, 'sort-by', ''),
          limit: num(f, 'limit'),
          rev: num(f, 'rev'),
          prefix: flag(f, 'prefix'),
          fromKey: flag(f, 'from-key'),
          keysOnly: flag(f, 'keys-only'),
          countOnly: flag(f, 'count-only'),
        }),
      })
    case 'put':
      return RequestOp.fromPartial({
        requestPut: buildPutRequest(
          args,
          {
            lease: str(f, 'lease', '0'),
            prevKv: flag(f, 'prev-kv'),
            ignoreValue: flag(f, 'ignore-value'),
            ignoreLease: flag(f, 'ignore-lease'),
          },
          // stdin is the txn text itself, already consumed: a missing value stays missing
          () => Buffer.alloc(0),
        ),
      })
    default:
      return RequestOp.fromPartial({
        requestDeleteRange: buildDeleteRequest(args, {
          prefix: flag(f, 'prefix'),
          fromKey: flag(f, 'from-key'),
          prevKv: flag(f, 'prev-kv'),
        }),
      })
  }
}

/** Where txn lines come from: a pipe, a file, or prompts on a terminal. */
export interface LineSource {
  /** Called before each section is read (interactive mode shows it as a prompt). */
  section(title: string): Promise<void> | void
  /** The next line without its newline; undefined at end of input or for an unterminated last line. */
  next(): Promise<string | undefined>
}

export const SECTION_TITLES = ['compares:', 'success requests (get, put, del):', 'failure requests (get, put, del):'] as const

const trimSpace = (s: string): string => s.replace(/^[ \t\r\n\v\f]+|[ \t\r\n\v\f]+$/g, '')

/** At most this many lines per section: etcd refuses more than 128 ops anyway. */
export const MAX_LINES_PER_SECTION = 10_000

async function readSection<T>(source: LineSource, title: string, parse: (line: string) => T): Promise<T[]> {
  await source.section(title)
  const items: T[] = []
  while (true) {
    const raw = await source.next()
    // etcdctl stops at the first read error, end of input included, even inside a section
    if (raw === undefined) throw invalidInput('EOF')
    const line = trimSpace(raw)
    if (line === '') return items
    if (items.length >= MAX_LINES_PER_SECTION) throw invalidInput(`too many lines in section "${title}"`)
    items.push(parse(line))
  }
}

/** Reads the three sections and builds the request; a malformed line ends it with etcdctl's error. */
export async function readTxn(source: LineSource): Promise<TxnRequest> {
  const compare = await readSection(source, SECTION_TITLES[0], parseCompare)
  const success = await readSection(source, SECTION_TITLES[1], parseRequest)
  const failure = await readSection(source, SECTION_TITLES[2], parseRequest)
  return {compare, success, failure}
}

/** A LineSource over text already in memory (a byte string), for tests and small inputs. */
export function linesOf(text: string): LineSource {
  let pos = 0
  return {
    section: () => undefined,
    next: async () => {
      const nl = text.indexOf('\n', pos)
      if (nl < 0) return undefined
      const line = text.slice(pos, nl)
      pos = nl + 1
      return line
    },
  }
}
