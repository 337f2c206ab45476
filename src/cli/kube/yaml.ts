// YAML as kubectl reads and writes it. Reading: js-yaml (core schema; documents split at
// `---`). Writing: byte for byte what kubectl's printer emits through sigs.k8s.io/yaml and
// go-yaml v2 — keys in go-yaml's natural order, sequences not indented under their key,
// strings quoted only when they would read back as something else (double quotes) or cannot
// be plain (single quotes), multi-line strings as literal blocks, long lines folded at 80.
import {load, loadAll} from 'js-yaml'

export function parseYaml(text: string): unknown {
  return load(text)
}

/** A YAML syntax error with go-yaml's 1-based line, for kubectl's message. */
export class YamlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`yaml: line ${line}: ${reason}`)
    this.name = 'YamlSyntaxError'
  }
}

/** Every document of a YAML stream (empty documents dropped). */
export function parseYamlDocuments(text: string): unknown[] {
  try {
    return loadAll(text).filter((d) => d !== null && d !== undefined)
  } catch (err) {
    const e = err as {reason?: string; mark?: {line: number}; message: string}
    throw new YamlSyntaxError((e.mark?.line ?? 0) + 1, e.reason ?? e.message)
  }
}

const BEST_WIDTH = 80

/** go-yaml v2's map key order: digits compared as numbers, letters after other characters. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a]
  const br = [...b]
  const isLetter = (c: string) => /\p{L}/u.test(c)
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue
    const al = isLetter(ar[i]!)
    const bl = isLetter(br[i]!)
    if (al && bl) return ar[i]! < br[i]!
    if (al || bl) return bl
    let an = 0
    let bn = 0
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1
          bn = 1
          break
        }
      }
    }
    let ai = i
    let bi = i
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai])
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi])
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return ar[i]! < br[i]!
  }
  return ar.length < br.length
}

export function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort((a, b) => (a === b ? 0 : goYamlKeyLess(a, b) ? -1 : 1))
}

/** Would go-yaml read this plain scalar as something other than a string? */
function resolvesToNonString(s: string): boolean {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return true
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(s)) return true
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s) || /^\.(nan|NaN|NAN)$/.test(s)) return true
  if (s === '<<') return true
  if (/^[-+]?[0-9][0-9_]*$/.test(s) && /[0-9]/.test(s)) return true
  if (/^[-+]?0b[01_]+$/.test(s) || /^[-+]?0x[0-9a-fA-F_]+$/.test(s)) return true
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return true
  // base 60 floats (1:20) and timestamps (2006-1-2, 2006-1-2T15:4:5Z, 2006-1-2 15:4:5)
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(s)) return true
  if (/^\d{4}-\d{1,2}-\d{1,2}([Tt]| +)\d{1,2}:\d{1,2}:\d{1,2}(\.\d*)?( *(Z|[-+]\d{1,2}(:\d{2})?))?$/.test(s)) return true
  return false
}

/**
 * go-yaml v2's is_printable, which is narrower than YAML's: tab, carriage return, NEL and every
 * character past U+FFFF count as special, so a string holding one is double-quoted and escaped.
 */
function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
}

/** go-yaml's line breaks: LF, CR, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. */
const isBreak = (c: string | undefined) => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029'

/**
 * kubectl turns JSON into YAML by reading the JSON as YAML, and a raw NEL (which Go's JSON
 * encoder leaves unescaped) is a YAML line break there: inside the double-quoted string it is
 * folded like any break — one becomes a space, n of them n-1 newlines, spaces around trimmed.
 */
function foldNel(s: string): string {
  if (!s.includes('\u0085')) return s
  return s.replace(/ *(?:\u0085 *)+/g, (run) => {
    const breaks = run.split('\u0085').length - 1
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1)
  })
}

interface Analysis {
  multiline: boolean
  plainAllowed: boolean
  singleAllowed: boolean
  blockAllowed: boolean
}

/** A condensed yaml_emitter_analyze_scalar. */
function analyze(s: string): Analysis {
  let flowIndicators = false
  let blockIndicators = false
  let special = false
  let lineBreaks = false
  let spaceBreak = false
  let breakSpace = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let previousSpace = false
  let previousBreak = false
  if (s.startsWith('---') || s.startsWith('...')) {
    blockIndicators = true
    flowIndicators = true
  }
  const chars = [...s]
  const isBlank = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r'
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    const next = chars[i + 1]
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        flowIndicators = true
        blockIndicators = true
      }
      if (c === '?' || c === ':') {
        flowIndicators = true
        if (isBlank(next)) blockIndicators = true
      }
      if (c === '-' && isBlank(next)) {
        flowIndicators = true
        blockIndicators = true
      }
    } else {
      if (',?[]{}'.includes(c)) flowIndicators = true
      if (c === ':') {
        flowIndicators = true
        if (isBlank(next)) blockIndicators = true
      }
      if (c === '#' && isBlank(chars[i - 1])) {
        flowIndicators = true
        blockIndicators = true
      }
    }
    const code = c.codePointAt(0)!
    if (!isPrintable(code)) special = true
    if (isBreak(c)) lineBreaks = true
    if (c === ' ') {
      if (i === 0) leadingSpace = true
      if (i === chars.length - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true
      if (i === chars.length - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
  }
  let plainAllowed = true
  let singleAllowed = true
  let blockAllowed = true
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) plainAllowed = false
  if (trailingSpace) blockAllowed = false
  if (breakSpace) {
    plainAllowed = false
    singleAllowed = false
  }
  if (spaceBreak || special) {
    plainAllowed = false
    singleAllowed = false
    blockAllowed = false
  }
  if (lineBreaks) plainAllowed = false
  if (blockIndicators) plainAllowed = false
  void flowIndicators
  return {multiline: lineBreaks, plainAllowed, singleAllowed, blockAllowed}
}

/** Writes text that go-yaml would fold at spaces past column 80 (plain and quoted scalars). */
function folded(text: string, startColumn: number, indent: number, allowBreaks: boolean): string {
  if (!allowBreaks) return text
  let out = ''
  let column = startColumn
  let spaces = false
  const chars = [...text]
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === ' ') {
      if (!spaces && column > BEST_WIDTH && chars[i + 1] !== ' ' && i !== 0 && i !== chars.length - 1) {
        out += '\n' + ' '.repeat(indent)
        column = indent
      } else {
        out += c
        column++
      }
      spaces = true
    } else {
      out += c
      column++
      spaces = false
    }
  }
  return out
}

const NAMED_ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
}

function doubleQuoted(s: string, startColumn: number, indent: number): string {
  // go-yaml tests for a byte order mark at the start of the string where it means to test the
  // current character, so a string that starts with one has every character escaped
  const everything = s.startsWith('\ufeff')
  let body = ''
  for (const c of s) {
    const code = c.codePointAt(0)!
    if (!everything && isPrintable(code) && !isBreak(c) && c !== '"' && c !== '\\') {
      body += c
      continue
    }
    const named = NAMED_ESCAPES[c]
    if (named !== undefined) body += `\\${named}`
    else body += code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : code <= 0xffff ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`
  }
  return '"' + foldQuoted(body, startColumn + 1, indent, true) + '"'
}

/** Single quotes; after a LINE or PARAGRAPH SEPARATOR (kept as is) go-yaml indents the rest. */
function singleQuoted(s: string, column: number, indent: number): string {
  const parts = s.replace(/'/g, "''").split(/([\u2028\u2029]+)/)
  let out = foldQuoted(parts[0]!, column + 1, indent, false)
  for (let i = 1; i < parts.length; i += 2) out += parts[i]! + (parts[i + 1] === '' ? '' : ' '.repeat(indent) + foldQuoted(parts[i + 1]!, indent, indent, false))
  return `'${out}'`
}

/** Folding inside quotes: a break replaces one space; a space after it is escaped. */
function foldQuoted(body: string, startColumn: number, indent: number, double: boolean): string {
  let out = ''
  let column = startColumn
  let spaces = false
  const chars = [...body]
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === ' ') {
      if (!spaces && column > BEST_WIDTH && i !== 0 && i !== chars.length - 1 && (double || chars[i + 1] !== ' ')) {
        out += '\n' + ' '.repeat(indent)
        column = indent
        if (double && chars[i + 1] === ' ') {
          out += '\\'
          column++
        }
      } else {
        out += c
        column++
      }
      spaces = true
    } else {
      out += c
      column++
      spaces = false
    }
  }
  return out
}

/** A string scalar at `column` (after `key: ` or `- `); continuation lines at `indent`. */
function stringScalar(raw: string, column: number, indent: number, simpleKey: boolean): string {
  const s = foldNel(raw)
  const a = analyze(s)
  if (s.includes('\n') && !simpleKey && a.blockAllowed) return literalBlock(s, indent)
  const canUsePlain = !resolvesToNonString(s)
  if (canUsePlain && a.plainAllowed && !a.multiline) return folded(s, column, indent, !simpleKey)
  // go-yaml picks a literal block only for a newline; other breaks leave single quotes possible
  if (!canUsePlain || !a.singleAllowed || (a.multiline && (simpleKey || s.includes('\n')))) return doubleQuoted(s, column, indent)
  return singleQuoted(s, column, indent)
}

function literalBlock(s: string, indent: number): string {
  let chomp = ''
  if (!s.endsWith('\n')) chomp = '-'
  else if (s.length === 1 || s.endsWith('\n\n')) chomp = '+'
  const hint = s.startsWith(' ') || s.startsWith('\n') ? '2' : ''
  const body = chomp === '-' ? s : s.slice(0, -1)
  const lines = body.split('\n').map((l) => (l === '' ? '' : ' '.repeat(indent) + l))
  return `|${hint}${chomp}\n${lines.join('\n')}`
}

function scalar(v: unknown, column: number, indent: number, simpleKey = false): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') return formatNumber(v)
  if (typeof v === 'bigint') return v.toString()
  return stringScalar(String(v), column, indent, simpleKey)
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64) for non-integers; integers as integers. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n)
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '+.inf' : '-.inf'
  const exp = Math.floor(Math.log10(Math.abs(n)))
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e')
    const ev = Number(e)
    return `${m}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`
  }
  return String(n)
}

function isEmptyCollection(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Lines of a block node whose content starts at `indent`. */
function emitBlock(v: unknown, indent: number, sortKeys: boolean): string[] {
  const pad = ' '.repeat(indent)
  const lines: string[] = []
  if (isObject(v)) {
    const keys = sortKeys ? sortedKeys(v) : Object.keys(v)
    for (const k of keys) {
      const val = v[k]
      if (val === undefined) continue
      const keyText = stringScalar(k, indent, indent, true)
      const head = `${pad}${keyText}:`
      if (isEmptyCollection(val)) lines.push(`${head} ${Array.isArray(val) ? '[]' : '{}'}`)
      else if (isObject(val)) lines.push(head, ...emitBlock(val, indent + 2, sortKeys))
      else if (Array.isArray(val)) lines.push(head, ...emitBlock(val, indent, sortKeys))
      else lines.push(`${head} ${scalar(val, head.length + 1, indent + 2)}`)
    }
    return lines
  }
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isEmptyCollection(item)) lines.push(`${pad}- ${Array.isArray(item) ? '[]' : '{}'}`)
      else if (isObject(item) || Array.isArray(item)) {
        const inner = emitBlock(item, indent + 2, sortKeys)
        lines.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1))
      } else lines.push(`${pad}- ${scalar(item, indent + 2, indent + 2)}`)
    }
    return lines
  }
  return [pad + scalar(v, indent, indent)]
}

/**
 * Characters go-yaml's reader refuses that Go's JSON encoder leaves unescaped: kubectl turns an
 * object into YAML by reading its JSON text as YAML, so a string holding DEL, a C1 control
 * (but NEL) or U+FFFE/U+FFFF makes the whole print fail. (C0 controls, U+2028 and U+2029 reach
 * the reader escaped.)
 */
const YAML_FORBIDDEN = /[\x7f-\x84\x86-\x9f\ufffe\uffff]/

function hasYamlForbiddenCharacter(v: unknown): boolean {
  if (typeof v === 'string') return YAML_FORBIDDEN.test(v)
  if (Array.isArray(v)) return v.some(hasYamlForbiddenCharacter)
  if (v !== null && typeof v === 'object') {
    for (const [key, value] of Object.entries(v)) if (YAML_FORBIDDEN.test(key) || hasYamlForbiddenCharacter(value)) return true
  }
  return false
}

/**
 * One document as kubectl prints it. `sortKeys` false keeps the object's own key order (for
 * objects kctl builds itself in the field order of the Go types).
 */
export function toYaml(v: unknown, sortKeys = true): string {
  if (hasYamlForbiddenCharacter(v)) throw new Error('yaml: control characters are not allowed')
  if (isEmptyCollection(v)) return Array.isArray(v) ? '[]\n' : '{}\n'
  return emitBlock(v, 0, sortKeys).join('\n') + '\n'
}
