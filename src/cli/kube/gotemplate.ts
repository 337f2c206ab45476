// kubectl's go-template printer (-o go-template=..., go-template-file, template, templatefile):
// Go's text/template over the object as JSON decodes it, with kubectl's two extra functions
// (`base64decode`, `exists`), `<no value>` for missing keys unless
// --allow-missing-template-keys=false, and kubectl's failure report: the output so far and a
// debugging dump on stdout, `error executing template "...": ...` on stderr.
import {compileTemplate, type CompiledTemplate, type TemplateFunc} from '../gotemplate/exec.js'
import {TemplateParseError} from '../gotemplate/parse.js'
import {GoInt, goPrint, isMap, type Value} from '../gotemplate/values.js'
import {goQuote} from '../go-format.js'
import {KctlError} from './errors.js'
import {goJsonCompact} from './gojson.js'

function base64decode(v: Value): Value {
  const s = String(v)
  // Go's StdEncoding is strict: padding required, no other characters
  const bad = /[^A-Za-z0-9+/=]/.exec(s)
  if (bad) throw new Error(`base64 decode failed: illegal base64 data at input byte ${bad.index}`)
  // a missing or misplaced `=`: Go names the start of the broken quantum
  if (s.length % 4 !== 0 || /=[^=]/.test(s)) throw new Error(`base64 decode failed: illegal base64 data at input byte ${s.length - (s.length % 4)}`)
  return Buffer.from(s, 'base64').toString('utf8')
}

/** kubectl's `exists ITEM INDEX...`: whether the path leads to a non-nil value. */
function exists(item: Value, ...indices: Value[]): Value {
  let v = item
  for (const i of indices) {
    if (v === null) return false
    if (Array.isArray(v) || typeof v === 'string') {
      if (!(i instanceof GoInt) || i.value < 0 || i.value >= v.length) return false
      v = Array.isArray(v) ? v[i.value] : new GoInt(v.charCodeAt(i.value))
    } else if (isMap(v)) {
      if (typeof i !== 'string' && i !== null && i !== undefined) return false
      v = v[typeof i === 'string' ? i : ''] ?? null
    } else return false
  }
  return v !== null
}

const funcs: Record<string, TemplateFunc> = {base64decode, exists}

/** The object as kubectl's decoder hands it over: integral numbers as int64. */
function decoded(v: unknown): Value {
  if (typeof v === 'number') return Number.isInteger(v) ? new GoInt(v, 'int64') : v
  if (Array.isArray(v)) return v.map(decoded)
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decoded(x)]))
  return v as Value
}

export interface GoTemplate {
  source: string
  compiled: CompiledTemplate
}

export function parseGoTemplate(source: string, allowMissingKeys = true): GoTemplate {
  try {
    return {source, compiled: compileTemplate('output', source, funcs, {base64decode: [0]}, {missingKeyError: !allowMissingKeys})}
  } catch (err) {
    if (err instanceof TemplateParseError) throw new KctlError(`error parsing template ${source}, ${err.message}`)
    throw err
  }
}

/**
 * The template's output for one object (or a List); a failure as kubectl reports it. The
 * debugging dump shows the object as JSON: keys sorted for objects from the server, in field
 * order (`sortKeys` false) for one kubectl decoded into a typed struct.
 */
export function executeGoTemplate(t: GoTemplate, obj: unknown, sortKeys = true): string {
  const raw = goJsonCompact(obj, sortKeys)
  const data = decoded(JSON.parse(raw))
  let out = ''
  try {
    t.compiled.execute(data, (s) => (out += s))
    return out
  } catch (err) {
    const message = (err as Error).message
    const dump =
      `Error executing template: ${message}. Printing more information for debugging the template:\n` +
      `\ttemplate was:\n\t\t${t.source}\n\traw data was:\n\t\t${raw}\n\tobject given to template engine was:\n\t\t${goPrint(data)}\n\n`
    throw new KctlError(`error executing template ${goQuote(t.source)}: ${message}`, undefined, out + dump)
  }
}
