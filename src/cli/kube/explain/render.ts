// `kubectl explain` from an OpenAPI v3 document, as kubectl 1.32 renders it by default (its
// "plaintext" view): the kind found through the operations' x-kubernetes-group-version-kind,
// then the field path followed through properties, array items, maps and allOf wrappers, then
// DESCRIPTION and FIELDS (or every field name, indented, with --recursive). Works on any
// server's document, not only ours. The layout rules (blank lines, tabs, wrap widths, where
// the text stops when a field is missing) are kubectl's, byte for byte.
import {wrapString} from './wordwrap.js'

type Schema = Record<string, unknown>

export interface GroupVersionResource {
  group: string
  version: string
  resource: string
}

export interface Rendered {
  /** what kubectl has already written to stdout when it stops */
  stdout: string
  /** the error it stops with, `error: ...` (no newline), if any */
  error?: string
}

/** client-go's GroupVersionResource.String(): `apps/v1, Resource=deployments`, `/v1, Resource=pods`. */
export function gvrString(gvr: GroupVersionResource): string {
  return `${gvr.group}/${gvr.version}, Resource=${gvr.resource}`
}

/** Go template truth: false, 0, nil, and empty strings, lists and maps are false. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') return Object.keys(v).length > 0
  return true
}

const isMap = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)

const indent = (amount: number, s: string) => {
  const pad = ' '.repeat(amount)
  return pad + s.replaceAll('\n', `\n${pad}`)
}

/** Go's sort order of map keys (bytes; the same as code units for the ASCII names here). */
const sortedKeys = (m: Schema) => Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

/** A map-valued additionalProperties (a `true` there says nothing about the values). */
function mapValues(s: Schema): Schema | undefined {
  const ap = s['additionalProperties']
  return truthy(ap) && typeof ap !== 'boolean' && isMap(ap) ? ap : undefined
}

/** `%v` of a decoded JSON value, as the enum and error lines print it. */
function goValue(v: unknown): string {
  if (isMap(v)) return `map[${sortedKeys(v).map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`
  if (v === null || v === undefined) return '<nil>'
  return String(v)
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]))
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  return a === b
}

class ExplainError extends Error {}

class Renderer {
  constructor(
    private readonly doc: Schema,
    private readonly recursive: boolean,
  ) {}

  /** A local `#/components/schemas/X` reference, or undefined (remote and broken ones too). */
  resolveRef(ref: unknown): Schema | undefined {
    if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined
    let cur: unknown = this.doc
    for (const part of ref.slice(1).split('/')) {
      if (part === '') continue
      const next = isMap(cur) ? cur[decodeURIComponent(part)] : undefined
      if (!isMap(next)) return undefined
      cur = next
    }
    return cur as Schema
  }

  private resolved(s: Schema): Schema {
    return this.resolveRef(s['$ref']) ?? s
  }

  /** The short type shown in `<...>`: string, integer, []Container, map[string]string, Object. */
  typeGuess(s: Schema): string {
    const items = s['items']
    if (truthy(items) && isMap(items)) return `[]${this.typeGuess(items)}`
    const values = mapValues(s)
    if (values) return `map[string]${this.typeGuess(values)}`
    const allOf = s['allOf']
    if (Array.isArray(allOf) && allOf.length === 1 && !truthy(s['properties']) && isMap(allOf[0])) return this.typeGuess(allOf[0])
    const ref = s['$ref']
    if (truthy(ref)) {
      const target = this.resolveRef(ref)
      if (!target || !truthy(target['type']) || target['type'] === 'object') {
        const name = String(ref).split('/').pop()!
        return name.split('.').pop() || 'Object'
      }
      return String(target['type'])
    }
    if (s['type'] === 'object') return 'Object'
    return truthy(s['type']) ? String(s['type']) : 'Object'
  }

  /** `ENUM:` lines (one field's long view) or an `enum: a, b, ....` line (a field list). */
  enumText(s: Schema, longView: boolean, limit: number, indentAmount = 0): string {
    const values = s['enum']
    if (!Array.isArray(values) || values.length === 0) return ''
    const max = limit === 0 ? -1 : limit
    let out = longView ? 'ENUM:' : `\n${' '.repeat(indentAmount)}enum: `
    for (const [i, v] of values.entries()) {
      if (max > -1 && i >= max) {
        out += ', ....'
        break
      }
      if (i > 0 && !longView) out += ', '
      else if (longView) out += '\n    '
      out += v === '' ? '""' : goValue(v)
    }
    return out
  }

  /** The description of a schema and of those it wraps (allOf, items, map values), one a line. */
  description(s: Schema): string {
    const r = this.resolved(s)
    let out = truthy(r['description']) ? `${String(r['description'])}\n` : ''
    for (const sub of (r['allOf'] as unknown[] | undefined) ?? []) if (isMap(sub)) out += this.description(sub)
    if (truthy(r['items']) && isMap(r['items'])) out += this.description(r['items'])
    const values = mapValues(r)
    if (values) out += this.description(values)
    return out
  }

  externalDocs(s: Schema, headIndent: number, bodyIndent: number, width: number): string {
    const docs = s['externalDocs']
    if (!truthy(docs) || !isMap(docs)) return ''
    let out = `${indent(headIndent, 'EXTERNAL DOCS:')}\n`
    if (truthy(docs['description'])) out += `${indent(bodyIndent, wrapString(String(docs['description']), width))}\n`
    if (truthy(docs['url'])) out += `${indent(bodyIndent, `URL: ${String(docs['url'])}`)}\n`
    return out
  }

  /** One line of a field list, and unless `short` its wrapped description and a blank line. */
  fieldDetail(parent: Schema, name: string, short: boolean, level: number): string {
    const pad = level * 2
    const field = (parent['properties'] as Schema)[name] as Schema
    const required = parent['required']
    let out = `${indent(pad, name)}\t<${this.typeGuess(field)}>`
    if (Array.isArray(required) && required.includes(name)) out += ' -required-'
    out += this.enumText(field, false, 4, pad) + '\n'
    if (!short) {
      const text = truthy(field['description']) ? String(field['description']) : '<no description>'
      out += `${indent(pad + 2, wrapString(text, 78 - pad))}\n`
      if (truthy(field['externalDocs'])) out += '\n' + this.externalDocs(field, pad + 2, pad + 4, 76 - pad)
      out += '\n'
    }
    return out
  }

  /** The fields of a schema (and of what it wraps); with --recursive, theirs too, indented. */
  fieldList(s: Schema, level: number, history: Set<string>): string {
    const ref = typeof s['$ref'] === 'string' ? s['$ref'] : ''
    // a type met again on the way down is a cycle: stop there
    if (ref !== '' && history.has(ref)) return ''
    const next = new Set(history).add(ref)
    const r = this.resolved(s)
    let out = ''
    const props = r['properties']
    if (isMap(props)) {
      for (const name of sortedKeys(props)) {
        out += this.fieldDetail(r, name, this.recursive, level)
        if (this.recursive && isMap(props[name])) out += this.fieldList(props[name], level + 1, next)
      }
    }
    for (const sub of (r['allOf'] as unknown[] | undefined) ?? []) if (isMap(sub)) out += this.fieldList(sub, level, next)
    if (truthy(r['items']) && isMap(r['items'])) out += this.fieldList(r['items'], level, next)
    const values = mapValues(r)
    if (values) out += this.fieldList(values, level, next)
    return out
  }

  /** Follows the field path; at its end prints FIELD, DESCRIPTION and FIELDS. '' if not found. */
  output(s: Schema, path: string[], history: Set<string>): string {
    const ref = typeof s['$ref'] === 'string' ? s['$ref'] : ''
    const next = new Set(history).add(ref)
    const r = this.resolved(s)
    if (path.length === 0) {
      let out = `DESCRIPTION:\n${indent(4, wrapString(this.description(r) || '<empty>', 76))}\n`
      const docs = this.externalDocs(r, 0, 4, 76)
      if (docs !== '') out += '\n' + docs
      const fields = this.fieldList(r, 1, new Set())
      if (fields !== '') out += `FIELDS:\n${fields}`
      return out
    }
    if (ref !== '' && history.has(ref)) return ''
    const props = r['properties']
    const first = path[0]!
    if (truthy(props) && isMap(props) && Object.hasOwn(props, first) && truthy(props[first]) && isMap(props[first])) {
      const sub = props[first]
      let out = ''
      if (path.length === 1) out += `FIELD: ${first} <${this.typeGuess(sub)}>\n${this.enumText(sub, true, -1)}\n\n`
      return out + this.output(sub, path.slice(1), new Set())
    }
    if (truthy(r['items']) && isMap(r['items'])) return this.output(r['items'], path, next)
    const values = mapValues(r)
    if (values) return this.output(values, path, next)
    for (const sub of (r['allOf'] as unknown[] | undefined) ?? []) {
      if (!isMap(sub)) continue
      const out = this.output(sub, path, next)
      if (out !== '') return out
    }
    return ''
  }

  /** The kind the document's operations on this resource name (the last path that has one wins). */
  kindOf(gvr: GroupVersionResource): Schema | undefined {
    const prefix = gvr.group === '' ? '/api' : `/apis/${gvr.group}`
    const base = `${prefix}/${gvr.version}`
    const candidates = [`${base}/${gvr.resource}`, `${base}/${gvr.resource}/{name}`, `${base}/namespaces/{namespace}/${gvr.resource}`, `${base}/namespaces/{namespace}/${gvr.resource}/{name}`]
    const paths = isMap(this.doc['paths']) ? this.doc['paths'] : {}
    let gvk: unknown
    for (const p of candidates) {
      const item = paths[p]
      if (!truthy(item) || !isMap(item)) continue
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const op = item[method]
        if (!truthy(op) || !isMap(op)) continue
        gvk = op['x-kubernetes-group-version-kind']
        if (truthy(gvk)) break
      }
    }
    return truthy(gvk) && isMap(gvk) ? gvk : undefined
  }

  render(gvr: GroupVersionResource, path: string[]): string {
    const gvk = this.kindOf(gvr)
    if (!gvk) throw new ExplainError(`error: GVR (${gvrString(gvr)}) not found in OpenAPI schema`)
    let head = ''
    if (truthy(gvk['group'])) head += `GROUP:      ${goValue(gvk['group'])}\n`
    head += `KIND:       ${goValue(gvk['kind'])}\nVERSION:    ${goValue(gvk['version'])}\n\n`
    const schemas = isMap(this.doc['components']) && isMap(this.doc['components']['schemas']) ? this.doc['components']['schemas'] : {}
    for (const name of sortedKeys(schemas)) {
      const s = schemas[name]
      if (!isMap(s)) continue
      const kinds = s['x-kubernetes-group-version-kind']
      if (!Array.isArray(kinds) || !kinds.some((k) => deepEqual(k, gvk))) continue
      const body = this.output(s, path, new Set())
      if (body === '') throw new ExplainError(`error: field "${path[path.length - 1]}" does not exist`, {cause: head})
      return head + body + '\n'
    }
    throw new ExplainError(`error: GVK ${goValue(gvk)} not found in OpenAPI schema`, {cause: head})
  }
}

/**
 * Renders the explanation of a resource (and a field path in it) from the OpenAPI v3 document
 * of its group version. On an error, `stdout` holds the header kubectl prints before it.
 */
export function renderExplain(doc: Schema, gvr: GroupVersionResource, fieldPath: string[], recursive: boolean): Rendered {
  try {
    return {stdout: new Renderer(doc, recursive).render(gvr, fieldPath)}
  } catch (err) {
    if (err instanceof ExplainError) return {stdout: typeof err.cause === 'string' ? err.cause : '', error: err.message}
    throw err
  }
}
