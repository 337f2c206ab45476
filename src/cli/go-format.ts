// The few Go formatting and parsing rules etcdctl's output and errors depend on, so ours read
// byte for byte the same: strconv.Quote (`%q`), hex escapes, strconv.ParseInt/ParseBool.

/** Decodes one UTF-8 sequence at `i` as Go's utf8.DecodeRune does: -1 when invalid. */
function decodeRune(b: Uint8Array, i: number): {rune: number; size: number} {
  const b0 = b[i]!
  if (b0 < 0x80) return {rune: b0, size: 1}
  const invalid = {rune: -1, size: 1}
  const cont = (j: number): number => (i + j < b.length && (b[i + j]! & 0xc0) === 0x80 ? b[i + j]! & 0x3f : -1)
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1)
    return c1 < 0 ? invalid : {rune: ((b0 & 0x1f) << 6) | c1, size: 2}
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1)
    const c2 = cont(2)
    if (c1 < 0 || c2 < 0) return invalid
    const r = ((b0 & 0x0f) << 12) | (c1 << 6) | c2
    // overlong forms and UTF-16 surrogates are invalid in Go too
    return r < 0x800 || (r >= 0xd800 && r <= 0xdfff) ? invalid : {rune: r, size: 3}
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1)
    const c2 = cont(2)
    const c3 = cont(3)
    if (c1 < 0 || c2 < 0 || c3 < 0) return invalid
    const r = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
    return r < 0x10000 || r > 0x10ffff ? invalid : {rune: r, size: 4}
  }
  return invalid
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
// Made on first use: V8 builds a Unicode property class when the literal is evaluated (~0.7 ms),
// and most runs that load this module (every `kctl get`) quote nothing.
let printableRe: RegExp | undefined
/** Go's unicode.IsPrint for one character other than the ASCII space. */
export const printable = (c: string): boolean => (printableRe ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u).test(c)

const hex2 = (n: number): string => n.toString(16).padStart(2, '0')

const shortEscapes: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
}

/** Go's strconv.Quote of the bytes (what `%q` prints for a string holding them). */
export function goQuote(input: Uint8Array | string): string {
  const b = typeof input === 'string' ? Buffer.from(input, 'utf8') : input
  let out = '"'
  for (let i = 0; i < b.length; ) {
    const {rune, size} = decodeRune(b, i)
    if (rune < 0) {
      out += '\\x' + hex2(b[i]!)
    } else if (rune === 0x22 || rune === 0x5c) {
      out += '\\' + String.fromCodePoint(rune)
    } else if (rune === 0x20 || printable(String.fromCodePoint(rune))) {
      out += String.fromCodePoint(rune)
    } else if (shortEscapes[rune] !== undefined) {
      out += shortEscapes[rune]
    } else if (rune < 0x80) {
      out += '\\x' + hex2(rune)
    } else if (rune < 0x10000) {
      out += '\\u' + rune.toString(16).padStart(4, '0')
    } else {
      out += '\\U' + rune.toString(16).padStart(8, '0')
    }
    i += size
  }
  return out + '"'
}

/** etcdctl's --hex form of a byte string: every byte as `\xNN`. */
export function hexEscape(b: Uint8Array): string {
  let out = ''
  for (const byte of b) out += '\\x' + hex2(byte)
  return out
}

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

/**
 * Go's strconv.ParseInt(s, base, 64) for base 10 or 16; throws with Go's wording
 * (`strconv.ParseInt: parsing "x": invalid syntax`) so callers can embed it as etcdctl does.
 */
export function goParseInt(s: string, base: 10 | 16): bigint {
  const digits = base === 10 ? /^[+-]?[0-9]+$/ : /^[+-]?[0-9a-fA-F]+$/
  if (!digits.test(s)) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`)
  const negative = s.startsWith('-')
  const body = s.replace(/^[+-]/, '')
  let v = base === 10 ? BigInt(body) : BigInt('0x' + body)
  if (negative) v = -v
  if (v < INT64_MIN || v > INT64_MAX) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`)
  return v
}

/** Go's strconv.ParseBool: the spellings pflag accepts for `--flag=value`. */
export function goParseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false
  throw new Error(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`)
}
