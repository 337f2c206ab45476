// Go quoted strings as etcdctl's txn grammar reads them (fmt's %q verb): "double quoted" with
// Go escapes, or `raw`. Text here is a byte string: one char per byte (latin1), because keys
// and values are bytes and a \xNN escape can produce any of them.

const simpleEscapes: Record<string, number> = {a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34}

const utf8Chars = (codePoint: number): string => Buffer.from(String.fromCodePoint(codePoint), 'utf8').toString('latin1')

/**
 * Reads one quoted string at `pos` of `s`. Returns the unquoted byte string and the index after
 * the closing quote, or undefined when there is no well-formed quoted string there.
 */
export function readQuoted(s: string, pos: number): {value: string; end: number} | undefined {
  const open = s[pos]
  if (open === '`') {
    const close = s.indexOf('`', pos + 1)
    return close < 0 ? undefined : {value: s.slice(pos + 1, close), end: close + 1}
  }
  if (open !== '"') return undefined
  let out = ''
  for (let i = pos + 1; i < s.length; ) {
    const c = s[i]!
    if (c === '"') return {value: out, end: i + 1}
    if (c === '\n') return undefined
    if (c !== '\\') {
      out += c
      i++
      continue
    }
    const e = s[i + 1]
    if (e === undefined) return undefined
    if (simpleEscapes[e] !== undefined) {
      out += String.fromCharCode(simpleEscapes[e])
      i += 2
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16))
      i += 4
    } else if (/^[0-7]{3}$/.test(s.slice(i + 1, i + 4)) && parseInt(s.slice(i + 1, i + 4), 8) <= 0xff) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 4), 8))
      i += 4
    } else if ((e === 'u' || e === 'U') && new RegExp(`^[0-9a-fA-F]{${e === 'u' ? 4 : 8}}$`).test(s.slice(i + 2, i + (e === 'u' ? 6 : 10)))) {
      const width = e === 'u' ? 4 : 8
      const cp = parseInt(s.slice(i + 2, i + 2 + width), 16)
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined
      out += utf8Chars(cp)
      i += 2 + width
    } else {
      return undefined
    }
  }
  return undefined
}

/** strconv.Unquote of a whole token (for etcdctl's Argify); undefined when malformed. */
export function unquote(token: string): string | undefined {
  const r = readQuoted(token, 0)
  return r !== undefined && r.end === token.length ? r.value : undefined
}
