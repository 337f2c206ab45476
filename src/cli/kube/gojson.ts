// JSON as Go's encoding/json writes it for kubectl: 4-space indent, `<`, `>`, `&`, U+2028 and
// U+2029 escaped, and (for unstructured objects from the server) map keys sorted.
import {formatNumber} from './yaml.js'

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function goNumber(n: number): string {
  const t = formatNumber(n)
  return t
}

export function goJson(v: unknown, sortKeys = true, indent = '    '): string {
  const walk = (x: unknown, pad: string): string => {
    if (x === null || x === undefined) return 'null'
    if (typeof x === 'string') return goString(x)
    if (typeof x === 'number') return goNumber(x)
    if (typeof x === 'boolean') return x ? 'true' : 'false'
    const inner = pad + indent
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]'
      return `[\n${x.map((e) => inner + walk(e, inner)).join(',\n')}\n${pad}]`
    }
    const o = x as Record<string, unknown>
    const keys = Object.keys(o).filter((k) => o[k] !== undefined)
    if (sortKeys) keys.sort()
    if (keys.length === 0) return '{}'
    return `{\n${keys.map((k) => `${inner}${goString(k)}: ${walk(o[k], inner)}`).join(',\n')}\n${pad}}`
  }
  return walk(v, '')
}

/** Compact Go JSON (json.Marshal): no spaces, keys sorted. */
export function goJsonCompact(v: unknown, sortKeys = true): string {
  const walk = (x: unknown): string => {
    if (x === null || x === undefined) return 'null'
    if (typeof x === 'string') return goString(x)
    if (typeof x === 'number') return goNumber(x)
    if (typeof x === 'boolean') return x ? 'true' : 'false'
    if (Array.isArray(x)) return `[${x.map(walk).join(',')}]`
    const o = x as Record<string, unknown>
    const keys = Object.keys(o).filter((k) => o[k] !== undefined)
    if (sortKeys) keys.sort()
    return `{${keys.map((k) => `${goString(k)}:${walk(o[k])}`).join(',')}}`
  }
  return walk(v)
}
