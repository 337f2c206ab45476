// The values a Go template works on, as kubectl hands them over: decoded JSON (maps, lists,
// strings, bools, float64 numbers, nil) plus Go ints (template constants, len, range indexes).
// `undefined` stands for Go's invalid reflect.Value: a missing map key, printed `<no value>`.
// And Go's fmt for them: %v, Sprint, Sprintf with the common verbs and Go's `%!verb(type=value)`
// complaints.
import {goQuote} from '../go-format.js'

/**
 * A Go integer: `int` for template constants, len and range indexes; `int64` for the integral
 * numbers of decoded objects (kubectl decodes JSON with apimachinery's json, which keeps them
 * integers; only the others are float64).
 */
export class GoInt {
  constructor(
    readonly value: number,
    readonly type: 'int' | 'int64' = 'int',
  ) {}
}

export type Value = undefined | null | string | boolean | number | GoInt | Value[] | {[k: string]: Value}

export const isMap = (v: Value): v is {[k: string]: Value} => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt)

/** Go's type name of a value, as %T and error messages print it. */
export function goTypeName(v: Value): string {
  if (v === undefined || v === null) return '<nil>'
  if (typeof v === 'string') return 'string'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return 'float64'
  if (v instanceof GoInt) return v.type
  if (Array.isArray(v)) return '[]interface {}'
  return 'map[string]interface {}'
}

/** strconv.FormatFloat(f, 'g', -1, 64) with fmt's %v rule: exponent form from 1e+06 or below 1e-04. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN'
  if (f === Infinity) return '+Inf'
  if (f === -Infinity) return '-Inf'
  if (f === 0) return Object.is(f, -0) ? '-0' : '0'
  const [mantissa, expText] = f.toExponential().split('e')
  const exp = Number(expText)
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+'
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  const digits = mantissa!.replace('-', '').replace('.', '')
  const neg = f < 0 ? '-' : ''
  if (exp >= 0) {
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
    const frac = digits.slice(exp + 1)
    return neg + whole + (frac ? `.${frac}` : '')
  }
  return `${neg}0.${'0'.repeat(-exp - 1)}${digits}`
}

/** fmt's %v. */
export function goPrint(v: Value, verb = 'v'): string {
  if (v === undefined || v === null) return '<nil>'
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return String(v)
  if (typeof v === 'number') return goFloat(v)
  if (v instanceof GoInt) return String(v.value)
  if (Array.isArray(v)) return `[${v.map((x) => formatOne(verb, x, {})).join(' ')}]`
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return `map[${keys.map((k) => `${formatOne(verb, k, {})}:${formatOne(verb, v[k], {})}`).join(' ')}]`
}

/** fmt.Sprint: operands joined, with a space between two that are both not strings. */
export function goSprint(args: Value[]): string {
  let out = ''
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' '
    out += goPrint(a)
  })
  return out
}

interface Flags {
  minus?: boolean
  plus?: boolean
  zero?: boolean
  space?: boolean
  sharp?: boolean
  width?: number
  prec?: number
}

function pad(s: string, f: Flags, numeric = false): string {
  if (f.width === undefined || s.length >= f.width) return s
  if (f.minus) return s.padEnd(f.width)
  if (f.zero && numeric) {
    const sign = /^[+-]/.test(s) ? s[0] : ''
    return sign + s.slice(sign.length).padStart(f.width - sign.length, '0')
  }
  return s.padStart(f.width)
}

// a verb that does not fit the value: fmt prints the value with %v and the precision given
const bad = (verb: string, v: Value, f: Flags = {}) => `%!${verb}(${goTypeName(v)}=${f.prec === undefined ? goPrint(v) : formatOne('v', v, {prec: f.prec})})`

/** An integer with a precision has at least that many digits. */
const intDigits = (n: number, f: Flags) => {
  const digits = String(Math.abs(n))
  return (n < 0 ? '-' : '') + (f.prec === undefined ? digits : digits.padStart(f.prec, '0'))
}

/** Go's `%#v` of a decoded value: Go syntax, maps with sorted keys. */
function goSyntax(v: Value, inside = false): string {
  if (v === undefined || v === null) return inside ? 'interface {}(nil)' : '<nil>'
  if (typeof v === 'string') return goQuote(v)
  if (v instanceof GoInt) return String(v.value)
  if (typeof v === 'number') return goFloat(v)
  if (typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goSyntax(x, true)).join(', ')}}`
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSyntax(v[k], true)}`).join(', ')}}`
}

function formatOne(verb: string, v: Value, f: Flags): string {
  if (verb === 'T') return pad(goTypeName(v), f)
  if (verb === 'v' && f.sharp) return pad(goSyntax(v), f)
  // %v of a float with a precision is %g with it
  if (verb === 'v' && typeof v === 'number' && f.prec !== undefined) return formatOne('g', v, f)
  if (verb === 'v' && typeof v === 'string' && f.prec !== undefined) return formatOne('s', v, f)
  if (verb === 'v' && v instanceof GoInt && f.prec !== undefined) return formatOne('d', v, f)
  if (verb === 'v') return pad(goPrint(v), f)
  if (v === undefined || v === null) return verb === 'v' ? '<nil>' : `%!${verb}(<nil>)`
  if (Array.isArray(v) || isMap(v)) {
    if (verb === 's' || verb === 'q' || verb === 'd' || verb === 'x' || verb === 'f' || verb === 'g' || verb === 't') return goPrint(v, verb)
    return bad(verb, v, f)
  }
  switch (verb) {
    case 's':
      if (typeof v === 'string') return pad(f.prec === undefined ? v : [...v].slice(0, f.prec).join(''), f)
      return bad(verb, v, f)
    case 'q':
      if (typeof v === 'string') return pad(goQuote(v), f)
      if (v instanceof GoInt) return pad(`'${String.fromCodePoint(v.value)}'`, f)
      return bad(verb, v, f)
    case 'd':
      if (v instanceof GoInt) return pad((f.plus && v.value >= 0 ? '+' : '') + intDigits(v.value, f), f, f.prec === undefined)
      return bad(verb, v, f)
    case 'x':
    case 'X': {
      let s: string
      if (typeof v === 'string') s = Buffer.from(v).toString('hex')
      else if (v instanceof GoInt) s = (v.value < 0 ? '-' : '') + Math.abs(v.value).toString(16).padStart(f.prec ?? 0, '0')
      else return bad(verb, v, f)
      return pad(verb === 'X' ? s.toUpperCase() : s, f, true)
    }
    case 'c':
      if (v instanceof GoInt) return pad(String.fromCodePoint(v.value), f)
      return bad(verb, v, f)
    case 'o':
    case 'O':
    case 'b': {
      if (!(v instanceof GoInt)) return bad(verb, v, f)
      const digits = Math.abs(v.value).toString(verb === 'b' ? 2 : 8)
      const prefix = verb === 'O' ? '0o' : verb === 'o' && f.sharp ? '0' : verb === 'b' && f.sharp ? '0b' : ''
      return pad(`${v.value < 0 ? '-' : f.plus ? '+' : ''}${prefix}${digits}`, f, true)
    }
    case 'U':
      if (!(v instanceof GoInt)) return bad(verb, v, f)
      return pad(`U+${v.value.toString(16).toUpperCase().padStart(4, '0')}${f.sharp ? ` '${String.fromCodePoint(v.value)}'` : ''}`, f)
    case 't':
      if (typeof v === 'boolean') return pad(String(v), f)
      return bad(verb, v, f)
    case 'f':
    case 'F':
    case 'e':
    case 'g': {
      if (typeof v !== 'number') return bad(verb, v, f)
      let s: string
      if (verb === 'f' || verb === 'F') s = v.toFixed(f.prec ?? 6)
      else if (verb === 'e') s = v.toExponential(f.prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2')
      else s = f.prec === undefined ? goFloat(v) : Number(v.toPrecision(f.prec)).toString()
      if (f.plus && v >= 0) s = `+${s}`
      return pad(s, f, true)
    }
  }
  return `%!${verb}(${goTypeName(v)}=${goPrint(v)})`
}

/**
 * fmt.Sprintf for the verbs templates use: v T s q d x X o O b c U t f e g and %%, with flags,
 * width and precision (`*` takes them from the arguments) and explicit argument indexes (`%[2]d`).
 */
export function goSprintf(format: string, args: Value[]): string {
  let out = ''
  let argi = 0
  let reordered = false
  // `[n]` at j: the next argument is the nth; false when n is out of range
  const argIndex = (j: number): {j: number; ok: boolean} => {
    if (format[j] !== '[') return {j, ok: true}
    reordered = true
    const close = format.indexOf(']', j)
    const n = close < 0 ? NaN : Number(format.slice(j + 1, close))
    if (!Number.isInteger(n) || n < 1 || n > args.length) return {j: close < 0 ? format.length : close + 1, ok: false}
    argi = n - 1
    return {j: close + 1, ok: true}
  }
  const starArg = (): number | undefined => {
    const a = args[argi]
    if (argi >= args.length || !(a instanceof GoInt)) {
      argi++
      return undefined
    }
    argi++
    return a.value
  }
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c !== '%') {
      out += c
      continue
    }
    const flags: Flags = {}
    let j = i + 1
    for (; j < format.length; j++) {
      const fc = format[j]
      if (fc === '-') flags.minus = true
      else if (fc === '+') flags.plus = true
      else if (fc === '0') flags.zero = true
      else if (fc === ' ') flags.space = true
      else if (fc === '#') flags.sharp = true
      else break
    }
    let good = true
    ;({j, ok: good} = argIndex(j))
    if (format[j] === '*') {
      j++
      const w = starArg()
      if (w === undefined) out += '%!(BADWIDTH)'
      else if (w < 0) {
        flags.minus = true
        flags.width = -w
      } else flags.width = w
    } else {
      const width = /^\d+/.exec(format.slice(j))
      if (width) {
        flags.width = Number(width[0])
        j += width[0].length
      }
    }
    if (format[j] === '.') {
      j++
      const r = argIndex(j)
      j = r.j
      good &&= r.ok
      if (format[j] === '*') {
        j++
        const p = starArg()
        if (p === undefined) out += '%!(BADPREC)'
        else if (p >= 0) flags.prec = p
      } else {
        const prec = /^\d*/.exec(format.slice(j))!
        flags.prec = Number(prec[0] || '0')
        j += prec[0].length
      }
    }
    const r = argIndex(j)
    j = r.j
    good &&= r.ok
    const verb = format[j]
    i = j
    if (verb === undefined) {
      out += '%!(NOVERB)'
      break
    }
    if (verb === '%') {
      out += '%'
      continue
    }
    if (!good) {
      out += `%!${verb}(BADINDEX)`
      continue
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`
      continue
    }
    out += formatOne(verb, args[argi++], flags)
  }
  if (!reordered && argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${goTypeName(a)}=${goPrint(a)}`).join(', ')})`
  return out
}
