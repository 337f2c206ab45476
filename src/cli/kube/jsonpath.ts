// kubectl's JSONPath templates (client-go util/jsonpath): text with `{...}` actions — fields
// (`.a.b`, `['a.b']`, `a\.b`), wildcards, recursive descent (`..name`), indexes and slices
// (`[0]`, `[-1]`, `[1:3]`, `[*]`), unions (`[0,2]`), filters (`[?(@.x=="y")]`),
// `{range ...}...{end}` loops and string literals (`{"\n"}`). The results of one action are
// joined by spaces; strings print raw, objects and lists as compact JSON.
import {goQuote} from '../go-format.js'
import {goFloat} from '../gotemplate/values.js'
import {goJsonCompact} from './gojson.js'

type Node =
  | {t: 'text'; text: string}
  | {t: 'list'; nodes: Node[]}
  | {t: 'field'; name: string}
  | {t: 'recursive'}
  | {t: 'wildcard'}
  | {t: 'array'; params: [number | undefined, number | undefined, number | undefined]; single: boolean}
  | {t: 'union'; items: Node[][]}
  | {t: 'filter'; left: Node[]; op: string; right: Node[] | undefined}
  | {t: 'literal'; value: unknown}
  | {t: 'root'}
  | {t: 'current'}
  | {t: 'range'}
  | {t: 'end'}

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JsonPathError'
  }
}

/** Parses a template into its top-level nodes (text and actions). */
export function parseJsonPath(template: string): Node[] {
  const nodes: Node[] = []
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('{', i)
    if (open < 0) {
      nodes.push({t: 'text', text: template.slice(i)})
      break
    }
    if (open > i) nodes.push({t: 'text', text: template.slice(i, open)})
    const close = findClose(template, open + 1)
    if (close < 0) throw new JsonPathError('unclosed action')
    nodes.push(parseAction(template.slice(open + 1, close)))
    i = close + 1
  }
  return nodes
}

function findClose(s: string, from: number): number {
  let quote: string | undefined
  for (let i = from; i < s.length; i++) {
    const c = s[i]!
    if (quote !== undefined) {
      if (c === '\\') i++
      else if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '}') return i
  }
  return -1
}

function parseAction(src: string): Node {
  const text = src.trim()
  if (text === 'end') return {t: 'end'}
  if (text.startsWith('range ') || text === 'range') {
    return {t: 'list', nodes: [{t: 'range'}, ...parsePath(text.slice(5).trim())]}
  }
  return {t: 'list', nodes: parsePath(text)}
}

function parseString(s: string, i: number): [string, number] {
  const quote = s[i]!
  let out = ''
  i++
  while (i < s.length && s[i] !== quote) {
    if (s[i] === '\\' && i + 1 < s.length) {
      const n = s[i + 1]!
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n
      i += 2
    } else out += s[i++]
  }
  if (i >= s.length) throw new JsonPathError('unterminated quoted string')
  return [out, i + 1]
}

const TERMINATORS = new Set([' ', '\t', '.', ',', '[', ']', '$', '@', '{', '}', '(', ')', '=', '<', '>', '!'])

function parsePath(s: string): Node[] {
  const nodes: Node[] = []
  let i = 0
  while (i < s.length) {
    const c = s[i]!
    if (c === ' ' || c === '\t') {
      i++
      continue
    }
    if (c === '"' || c === "'") {
      const [str, next] = parseString(s, i)
      nodes.push({t: 'literal', value: str})
      i = next
      continue
    }
    if (c === '$' || c === '@') {
      nodes.push({t: c === '$' ? 'root' : 'current'})
      i++
      continue
    }
    if (c === '.') {
      if (s[i + 1] === '.') {
        nodes.push({t: 'recursive'})
        i += 2
        continue
      }
      i++
      if (s[i] === '*') {
        nodes.push({t: 'wildcard'})
        i++
        continue
      }
      let name = ''
      while (i < s.length && !TERMINATORS.has(s[i]!)) {
        if (s[i] === '\\' && i + 1 < s.length) {
          name += s[i + 1]
          i += 2
        } else name += s[i++]
      }
      // a trailing dot (`{.}`) names the current object
      if (name !== '') nodes.push({t: 'field', name})
      continue
    }
    if (c === '[') {
      const close = matchBracket(s, i)
      nodes.push(parseBracket(s.slice(i + 1, close)))
      i = close + 1
      continue
    }
    if (c === '*') {
      nodes.push({t: 'wildcard'})
      i++
      continue
    }
    if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(s.slice(i))
      if (m !== null) {
        nodes.push({t: 'literal', value: Number(m[0])})
        i += m[0].length
        continue
      }
    }
    if (/[A-Za-z_]/.test(c)) {
      // a bare identifier is a field (kubectl accepts `{metadata.name}` in custom columns)
      let name = ''
      while (i < s.length && !TERMINATORS.has(s[i]!)) name += s[i++]
      if (name === 'true' || name === 'false') nodes.push({t: 'literal', value: name === 'true'})
      else nodes.push({t: 'field', name})
      continue
    }
    throw new JsonPathError(`unrecognized character in action: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`)
  }
  return nodes
}

function matchBracket(s: string, open: number): number {
  let depth = 0
  let quote: string | undefined
  for (let i = open; i < s.length; i++) {
    const c = s[i]!
    if (quote !== undefined) {
      if (c === '\\') i++
      else if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '[') depth++
    else if (c === ']' && --depth === 0) return i
  }
  throw new JsonPathError('unterminated array')
}

function parseBracket(inner: string): Node {
  const text = inner.trim()
  if (text.startsWith('?')) {
    const m = /^\?\s*\((.*)\)$/s.exec(text)
    if (m === null) throw new JsonPathError(`unclosed filter: ${text}`)
    const expr = m[1]!.trim()
    const op = /(==|!=|<=|>=|<|>|=~)/.exec(expr)
    if (op === null) return {t: 'filter', left: parsePath(expr), op: 'exists', right: undefined}
    return {t: 'filter', left: parsePath(expr.slice(0, op.index).trim()), op: op[1]!, right: parsePath(expr.slice(op.index + op[1]!.length).trim())}
  }
  if (text === '*') return {t: 'wildcard'}
  const parts = splitTop(text, ',')
  if (parts.length > 1) return {t: 'union', items: parts.map((p) => [parseBracket(p)])}
  if (text.startsWith("'") || text.startsWith('"')) {
    const [name] = parseString(text, 0)
    return {t: 'field', name}
  }
  const m = /^(-?\d*)\s*(?::\s*(-?\d*)\s*(?::\s*(-?\d*))?)?$/.exec(text)
  if (m === null) throw new JsonPathError(`invalid array index ${text}`)
  const num = (x: string | undefined) => (x === undefined || x === '' ? undefined : Number(x))
  const single = !text.includes(':')
  return {t: 'array', params: [num(m[1]), num(m[2]), num(m[3])], single}
}

function splitTop(s: string, sep: string): string[] {
  const out: string[] = []
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (quote !== undefined) {
      if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === sep) {
      out.push(s.slice(start, i))
      start = i + 1
    }
  }
  out.push(s.slice(start))
  return out
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

export interface JsonPathOptions {
  /** a missing field yields nothing instead of an error (kubectl get -o jsonpath) */
  allowMissingKeys?: boolean
}

function walkPath(values: unknown[], nodes: Node[], root: unknown, o: JsonPathOptions): unknown[] {
  let cur = values
  for (const n of nodes) cur = walkNode(cur, n, root, o)
  return cur
}

function walkNode(values: unknown[], n: Node, root: unknown, o: JsonPathOptions): unknown[] {
  switch (n.t) {
    case 'root':
      return [root]
    case 'current':
      return values
    case 'literal':
      return [n.value]
    case 'field': {
      const out: unknown[] = []
      for (const v of values) {
        if (isObj(v) && n.name in v) out.push(v[n.name])
        else if (!o.allowMissingKeys && isObj(v)) throw new JsonPathError(`${n.name} is not found`)
      }
      return out
    }
    case 'wildcard': {
      const out: unknown[] = []
      for (const v of values) {
        if (Array.isArray(v)) out.push(...v)
        else if (isObj(v)) for (const k of Object.keys(v).sort()) out.push(v[k])
      }
      return out
    }
    case 'recursive': {
      const out: unknown[] = []
      const visit = (v: unknown) => {
        out.push(v)
        if (Array.isArray(v)) v.forEach(visit)
        else if (isObj(v)) for (const k of Object.keys(v).sort()) visit(v[k])
      }
      values.forEach(visit)
      return out
    }
    case 'array': {
      // client-go's evalArray: [i] is the slice [i:i+1]; any index outside the array is an
      // error (missing keys may be allowed, missing items never are), an empty slice is not
      const out: unknown[] = []
      for (const v of values) {
        if (!Array.isArray(v)) continue
        const len = v.length
        const [p0, p1, step] = n.params
        let start = p0 ?? 0
        if (start < 0) start += len
        let end = n.single ? (p0 ?? 0) + 1 : (p1 ?? len)
        if (end < 0 || (end === 0 && n.single)) end += len
        if (end === start) continue
        if (start >= len || start < 0) throw new JsonPathError(`array index out of bounds: index ${start}, length ${len}`)
        if (end > len || end < 0) throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${len}`)
        if (start > end) throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`)
        const by = step !== undefined && step > 0 ? step : 1
        for (let i = start; i < end; i += by) out.push(v[i])
      }
      return out
    }
    case 'union':
      return n.items.flatMap((item) => walkPath(values, item, root, o))
    case 'filter': {
      const out: unknown[] = []
      for (const v of values) {
        const items = Array.isArray(v) ? v : isObj(v) ? Object.keys(v).sort().map((k) => v[k]) : []
        for (const item of items) {
          const left = walkPath([item], n.left, root, {allowMissingKeys: true})
          if (n.op === 'exists') {
            if (left.length > 0) out.push(item)
            continue
          }
          const right = walkPath([item], n.right ?? [], root, {allowMissingKeys: true})
          if (left.length === 0 || right.length === 0) continue
          if (compare(left[0], n.op, right[0])) out.push(item)
        }
      }
      return out
    }
    case 'list':
      return walkPath(values, n.nodes, root, o)
    default:
      return values
  }
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b || (typeof a === 'number' && typeof b === 'number' && a === b) || String(a) === String(b)
    case '!=':
      return !(String(a) === String(b))
    case '<':
      return Number(a) < Number(b)
    case '>':
      return Number(a) > Number(b)
    case '<=':
      return Number(a) <= Number(b)
    case '>=':
      return Number(a) >= Number(b)
    case '=~':
      return new RegExp(String(b)).test(String(a))
    default:
      return false
  }
}

/** How one result prints: strings raw, numbers and booleans as Go prints them, null as `null`, the rest as JSON. */
export function jsonPathText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  // a JSON null is a nil interface, which Go's jsonpath prints as `null`
  if (v === null) return 'null'
  if (v === undefined) return ''
  return goJsonCompact(v)
}

/** Runs a parsed template on `data`; the output text. */
export function executeJsonPath(nodes: Node[], data: unknown, o: JsonPathOptions = {}): string {
  let out = ''
  const run = (list: Node[], current: unknown): number => {
    // returns the index just past the `end` that closed this block (or list.length)
    for (let i = 0; i < list.length; i++) {
      const n = list[i]!
      if (n.t === 'text') {
        out += n.text
        continue
      }
      if (n.t === 'end') return i + 1
      if (n.t === 'list' && n.nodes[0]?.t === 'range') {
        const items = walkPath([current], n.nodes.slice(1), data, o)
        const body = list.slice(i + 1)
        const consumed = blockLength(body)
        for (const item of items) run(body, item)
        i += consumed
        continue
      }
      const results = walkNode([current], n, data, o)
      out += results.map(jsonPathText).join(' ')
    }
    return list.length
  }
  run(nodes, data)
  return out
}

/** How many nodes a range body spans, its `end` included. */
function blockLength(nodes: Node[]): number {
  let depth = 0
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!
    if (n.t === 'list' && n.nodes[0]?.t === 'range') depth++
    else if (n.t === 'end') {
      if (depth === 0) return i + 1
      depth--
    }
  }
  throw new JsonPathError('not in range, nothing to end')
}

/**
 * kubectl's relaxed form for custom columns and --sort-by: `.a.b`, `a.b`, `{.a.b}` and
 * `{a.b}` all mean `{.a.b}`.
 */
export function relaxedJsonPath(path: string): string {
  const m = /^\{?(\.?)([^{}]*)\}?$/.exec(path)
  if (m === null) throw new JsonPathError(`unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'`)
  return `{.${m[2]}}`
}

/** Every value the actions of a template produce (custom columns, --sort-by), missing keys allowed. */
export function executeJsonPathValues(nodes: Node[], data: unknown, o: JsonPathOptions = {allowMissingKeys: true}): unknown[] {
  const out: unknown[] = []
  for (const n of nodes) if (n.t !== 'text') out.push(...walkNode([data], n, data, o))
  return out
}

/**
 * Go's `%#v` of a decoded JSON value (maps with sorted keys, `interface {}(nil)` for null):
 * how kubectl shows the object in a jsonpath failure.
 */
export function goSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)'
  if (typeof v === 'string') return goQuote(v)
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v)
  if (typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`
  const o = v as Record<string, unknown>
  return `map[string]interface {}{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${goQuote(k)}:${goSyntax(o[k])}`)
    .join(', ')}}`
}

/** kubectl's whole message for a template that failed on `data` (ends in blank lines, as kubectl's). */
export function jsonPathFailure(source: string, err: JsonPathError, data: unknown): string {
  return (
    `error executing jsonpath ${goQuote(source)}: Error executing template: ${err.message}. Printing more information for debugging the template:\n` +
    `\ttemplate was:\n\t\t${source}\n\tobject given to jsonpath engine was:\n\t\t${goSyntax(data)}\n\n\n`
  )
}
