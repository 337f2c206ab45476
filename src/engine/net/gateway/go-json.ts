// JSON as etcd's gateway reads and writes it (Go's encoding/json): numbers are kept as their
// text (an int64 lease id must not pass through a double), a syntax error is worded as Go words
// it, and strings are written with Go's HTML-safe escapes.

/** A number as written in the input; the schema decides what it may be. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A parsed value. Objects keep the last of duplicate keys, as Go's map does. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject
export type JsonObject = Map<string, JsonValue>

/** A syntax error in Go's words (`invalid character 'x' looking for beginning of value`). */
export class JsonSyntaxError extends Error {}

/** What one call of parseOne found. */
export type ParseResult = {kind: 'value'; value: JsonValue; end: number} | {kind: 'eof'}

/** Nesting deeper than this is refused (Go's limit is 10000; ours keeps the stack safe). */
const maxDepth = 1000

function quoteChar(c: string): string {
  if (c === "'") return "'\\''"
  if (c === '"') return '\'"\''
  const code = c.codePointAt(0)!
  if (code >= 0x20 && code < 0x7f) return `'${c}'`
  return `'${JSON.stringify(c).slice(1, -1)}'`
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r'

/**
 * Reads the first JSON value of `text` from `start`, as Go's json.Decoder.Decode does: only
 * blank input is 'eof'; input that ends inside a value throws `unexpected EOF`.
 */
export function parseOne(text: string, start = 0): ParseResult {
  let pos = start
  const eof = () => new JsonSyntaxError('unexpected EOF')
  const invalid = (context: string) => new JsonSyntaxError(`invalid character ${quoteChar(String.fromCodePoint(text.codePointAt(pos)!))} ${context}`)
  const skipSpace = () => {
    while (isSpace(text[pos])) pos++
  }

  const literal = (word: string, value: JsonValue): JsonValue => {
    for (let i = 1; i < word.length; i++) {
      pos++
      if (pos >= text.length) throw eof()
      if (text[pos] !== word[i]) throw invalid(`in literal ${word} (expecting ${quoteChar(word[i]!)})`)
    }
    pos++
    return value
  }

  const string = (): string => {
    // text[pos] is the opening quote
    pos++
    let out = ''
    let from = pos
    while (true) {
      if (pos >= text.length) throw eof()
      const c = text[pos]!
      if (c === '"') {
        out += text.slice(from, pos)
        pos++
        return out
      }
      if (c.charCodeAt(0) < 0x20) throw invalid('in string literal')
      if (c === '\\') {
        out += text.slice(from, pos)
        pos++
        if (pos >= text.length) throw eof()
        const e = text[pos]!
        const simple: Record<string, string> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}
        if (e in simple) {
          out += simple[e]
          pos++
        } else if (e === 'u') {
          let hex = ''
          for (let i = 0; i < 4; i++) {
            pos++
            if (pos >= text.length) throw eof()
            if (!/[0-9a-fA-F]/.test(text[pos]!)) throw invalid('in \\u hexadecimal character escape')
            hex += text[pos]
          }
          pos++
          out += String.fromCharCode(parseInt(hex, 16))
        } else throw invalid('in string escape code')
        from = pos
        continue
      }
      pos++
    }
  }

  const number = (): JsonNumber => {
    const from = pos
    if (text[pos] === '-') {
      pos++
      if (pos >= text.length) throw eof()
      if (!/[0-9]/.test(text[pos]!)) throw invalid('in numeric literal')
    }
    if (text[pos] === '0') pos++
    else while (/[0-9]/.test(text[pos] ?? '')) pos++
    if (text[pos] === '.') {
      pos++
      if (pos >= text.length) throw eof()
      if (!/[0-9]/.test(text[pos]!)) throw invalid('after decimal point in numeric literal')
      while (/[0-9]/.test(text[pos] ?? '')) pos++
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      pos++
      if (text[pos] === '+' || text[pos] === '-') pos++
      if (pos >= text.length) throw eof()
      if (!/[0-9]/.test(text[pos]!)) throw invalid('in exponent of numeric literal')
      while (/[0-9]/.test(text[pos] ?? '')) pos++
    }
    return new JsonNumber(text.slice(from, pos))
  }

  const value = (depth: number): JsonValue => {
    skipSpace()
    if (pos >= text.length) throw eof()
    if (depth > maxDepth) throw new JsonSyntaxError('exceeded max depth')
    const c = text[pos]!
    if (c === '{') {
      pos++
      const object: JsonObject = new Map()
      skipSpace()
      if (pos >= text.length) throw eof()
      if (text[pos] === '}') {
        pos++
        return object
      }
      while (true) {
        skipSpace()
        if (pos >= text.length) throw eof()
        if (text[pos] !== '"') throw invalid('looking for beginning of object key string')
        const key = string()
        skipSpace()
        if (pos >= text.length) throw eof()
        if (text[pos] !== ':') throw invalid('after object key')
        pos++
        object.set(key, value(depth + 1))
        skipSpace()
        if (pos >= text.length) throw eof()
        if (text[pos] === ',') {
          pos++
          continue
        }
        if (text[pos] === '}') {
          pos++
          return object
        }
        throw invalid('after object key:value pair')
      }
    }
    if (c === '[') {
      pos++
      const array: JsonValue[] = []
      skipSpace()
      if (pos >= text.length) throw eof()
      if (text[pos] === ']') {
        pos++
        return array
      }
      while (true) {
        array.push(value(depth + 1))
        skipSpace()
        if (pos >= text.length) throw eof()
        if (text[pos] === ',') {
          pos++
          continue
        }
        if (text[pos] === ']') {
          pos++
          return array
        }
        throw invalid('after array element')
      }
    }
    if (c === '"') return string()
    if (c === '-' || (c >= '0' && c <= '9')) return number()
    if (c === 't') return literal('true', true)
    if (c === 'f') return literal('false', false)
    if (c === 'n') return literal('null', null)
    throw invalid('looking for beginning of value')
  }

  skipSpace()
  if (pos >= text.length) return {kind: 'eof'}
  const parsed = value(0)
  return {kind: 'value', value: parsed, end: pos}
}

/** How Go's JSON errors name a value's kind (`cannot unmarshal number into ...`). */
export function kindOf(value: JsonValue): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'string') return 'string'
  if (value instanceof JsonNumber) return 'number'
  if (Array.isArray(value)) return 'array'
  return 'object'
}

const htmlUnsafe = /[<>&\u2028\u2029]/g

/** A JSON string as Go's encoder writes it (HTML-safe: <, >, & and U+2028/9 escaped). */
export function goQuote(text: string): string {
  return JSON.stringify(text).replace(htmlUnsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
