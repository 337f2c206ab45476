// `kubectl explain --output=plaintext-openapiv2`: kubectl's older explain view, rendered from the
// server's OpenAPI v2 document the way kubectl reads it — each definition turned into
// kube-openapi's proto model (Kind: an object with properties; Map: an object without, of its
// additionalProperties or of anything; Array; Primitive; Reference; Arbitrary), the resource's
// model found by x-kubernetes-group-version-kind, the field path followed through it, and the
// KIND/VERSION, RESOURCE or FIELD, DESCRIPTION and FIELDS blocks printed with kubectl's own
// word wrapping (wrapLines). Works on any server's document.
import type {Rendered} from './render.js'

type Json = Record<string, unknown>

type Model =
  | {t: 'kind'; description: string; fields: Record<string, Model>; required: string[]}
  | {t: 'array'; description: string; items: Model}
  | {t: 'map'; description: string; values: Model}
  | {t: 'primitive'; description: string; type: string}
  | {t: 'arbitrary'; description: string}
  | {t: 'ref'; description: string; name: string}

export interface GroupVersionKind {
  group: string
  version: string
  kind: string
}

/** client-go's GroupVersionKind.String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
export const gvkString = (gvk: GroupVersionKind) => `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** The proto models of a v2 document's definitions, parsed on first use. */
class Definitions {
  private readonly parsed = new Map<string, Model>()

  constructor(private readonly definitions: Json) {}

  model(name: string): Model {
    let m = this.parsed.get(name)
    if (m === undefined) {
      m = this.parse(this.definitions[name])
      this.parsed.set(name, m)
    }
    return m
  }

  /** The definition whose x-kubernetes-group-version-kind lists the kind, if any. */
  lookup(gvk: GroupVersionKind): string | undefined {
    for (const [name, def] of Object.entries(this.definitions)) {
      const kinds = isObj(def) ? def['x-kubernetes-group-version-kind'] : undefined
      if (!Array.isArray(kinds)) continue
      if (kinds.some((k) => isObj(k) && str(k['group']) === gvk.group && str(k['version']) === gvk.version && str(k['kind']) === gvk.kind)) return name
    }
    return undefined
  }

  // kube-openapi's parseSchema: the shape decides the model
  parse(raw: unknown): Model {
    const s = isObj(raw) ? raw : {}
    const description = str(s['description'])
    const ref = str(s['$ref'])
    if (ref !== '') return {t: 'ref', description, name: ref.replace(/^#\/definitions\//, '')}
    const type = s['type']
    const types = Array.isArray(type) ? type.map(str) : typeof type === 'string' ? [type] : []
    const properties = isObj(s['properties']) ? s['properties'] : undefined
    if (types.length === 0) return properties !== undefined ? this.kind(s, properties) : {t: 'arbitrary', description}
    if (types.length > 1) return {t: 'arbitrary', description}
    if (types[0] === 'object') {
      if (properties !== undefined) return this.kind(s, properties)
      const additional = s['additionalProperties']
      return {t: 'map', description, values: isObj(additional) ? this.parse(additional) : {t: 'arbitrary', description}}
    }
    if (types[0] === 'array') return {t: 'array', description, items: this.parse(s['items'])}
    return {t: 'primitive', description, type: types[0]!}
  }

  private kind(s: Json, properties: Json): Model {
    const fields: Record<string, Model> = {}
    for (const [name, p] of Object.entries(properties)) fields[name] = this.parse(p)
    const required = Array.isArray(s['required']) ? s['required'].map(str) : []
    return {t: 'kind', description: str(s['description']), fields, required}
  }

  resolve(m: Model): Model {
    return m.t === 'ref' ? this.model(m.name) : m
  }
}

/** kubectl's typeName: `Object`, `[]Object`, `map[string]string`, `string`; nothing for an arbitrary value. */
function typeName(defs: Definitions, m: Model): string {
  switch (m.t) {
    case 'kind':
      return 'Object'
    case 'array':
      return `[]${typeName(defs, m.items)}`
    case 'map':
      return `map[string]${typeName(defs, m.values)}`
    case 'primitive':
      return m.type
    case 'ref':
      return typeName(defs, defs.resolve(m))
    case 'arbitrary':
      return ''
  }
}

/** kubectl's explain formatter: lines indented by spaces (blank lines not), wrapped at 80 columns. */
class Formatter {
  text = ''

  write(indent: number, s: string): void {
    this.text += s === '' ? '\n' : `${' '.repeat(indent)}${s}\n`
  }

  writeWrapped(indent: number, s: string): void {
    for (const line of wrapLines(s, 80 - indent)) this.write(indent, line)
  }
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8')
// Go's strings.Fields and TrimSpace split and trim at unicode.IsSpace
const fields = (s: string) => s.split(/\s+/u).filter((w) => w !== '')
const BULLET = /^(\d+\.?|-|\*)[\t\n\f\r ]/

function startsNewLine(lastWord: string, line: string): boolean {
  if (lastWord.endsWith(':')) return true
  if (line.startsWith('    ')) return true
  const trimmed = line.trim()
  return trimmed === '' || BULLET.test(trimmed)
}

/**
 * The older explain's word wrapping (kubectl's explain/formatter.go): a description's lines are
 * joined into paragraphs and filled to `width` bytes, except that code blocks (four leading
 * spaces), list items, lines after one ending in `:` and blank lines (once something was
 * written) start a new line.
 */
export function wrapLines(text: string, width: number): string[] {
  const out: string[] = []
  let words: string[] = []
  let lastWord = ''
  const flush = () => {
    if (words.length === 0) return
    lastWord = ''
    out.push(words.join(' '))
    words = []
  }
  const add = (word: string) => {
    if (words.length === 0 || byteLength([...words, word].join(' ')) <= width) {
      words.push(word)
      return true
    }
    return false
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('    ')) {
      flush()
      out.push(line)
      continue
    }
    if (out.length > 0 && line.trim() === '') {
      flush()
      out.push('')
      continue
    }
    if (startsNewLine(lastWord, line)) flush()
    for (const word of fields(line)) {
      lastWord = word
      if (!add(word)) {
        flush()
        add(word)
      }
    }
  }
  flush()
  return out
}

const FIELD_INDENT = 3
const DESCRIPTION_INDENT = 5
const FIELD_DESCRIPTION_INDENT = 2
const RECURSIVE_INDENT = 3

function printFields(defs: Definitions, f: Formatter, indent: number, m: Model): void {
  switch (m.t) {
    case 'array':
      return printFields(defs, f, indent, m.items)
    case 'map':
      return printFields(defs, f, indent, m.values)
    case 'ref':
      return printFields(defs, f, indent, defs.resolve(m))
    case 'kind':
      for (const key of Object.keys(m.fields).sort()) {
        const v = m.fields[key]!
        f.write(indent, `${key}\t<${typeName(defs, v)}>${m.required.includes(key) ? ' -required-' : ''}`)
        f.writeWrapped(indent + FIELD_DESCRIPTION_INDENT, v.description)
        f.write(0, '')
      }
      return
    default:
      return
  }
}

/** --recursive: every field name and type, nested fields indented, a reference not followed into itself. */
function printFieldsRecursive(defs: Definitions, f: Formatter, indent: number, m: Model, visiting: Set<string>): void {
  switch (m.t) {
    case 'array':
      return printFieldsRecursive(defs, f, indent, m.items, visiting)
    case 'map':
      return printFieldsRecursive(defs, f, indent, m.values, visiting)
    case 'ref':
      if (visiting.has(m.name)) return
      visiting.add(m.name)
      printFieldsRecursive(defs, f, indent, defs.resolve(m), visiting)
      visiting.delete(m.name)
      return
    case 'kind':
      for (const key of Object.keys(m.fields).sort()) {
        const v = m.fields[key]!
        f.write(indent, `${key}\t<${typeName(defs, v)}>`)
        printFieldsRecursive(defs, f, indent + RECURSIVE_INDENT, v, visiting)
      }
      return
    default:
      return
  }
}

/** kubectl's fieldLookup: follows the path; a primitive or arbitrary value ends it early. */
function lookupField(defs: Definitions, m: Model, path: string[]): Model {
  if (path.length === 0 || m.t === 'primitive' || m.t === 'arbitrary') return m
  switch (m.t) {
    case 'array':
      return lookupField(defs, m.items, path)
    case 'map':
      return lookupField(defs, m.values, path)
    case 'ref':
      return lookupField(defs, defs.resolve(m), path)
    case 'kind': {
      const sub = Object.hasOwn(m.fields, path[0]!) ? m.fields[path[0]!] : undefined
      if (sub === undefined) throw new ExplainV2Error(`field "${path[0]}" does not exist`)
      return lookupField(defs, sub, path.slice(1))
    }
  }
}

class ExplainV2Error extends Error {}

/**
 * kubectl's modelPrinter: wrappers (arrays, maps, references) on the way to the model add their
 * descriptions and the first of them names the type; the model prints the header and the rest.
 */
function printModel(defs: Definitions, f: Formatter, name: string, model: Model, gvk: GroupVersionKind, recursive: boolean): void {
  const descriptions: string[] = []
  let type = ''
  const kindAndVersion = () => {
    f.write(0, `KIND:     ${gvk.kind}`)
    f.write(0, `VERSION:  ${gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`}\n`)
  }
  const description = (own: string) => {
    f.write(0, 'DESCRIPTION:')
    let empty = true
    // the blank line goes before every description but the first slot's, filled or not
    ;[...descriptions, own].forEach((d, i) => {
      if (d === '') return
      empty = false
      if (i !== 0) f.write(0, '')
      f.writeWrapped(DESCRIPTION_INDENT, d)
    })
    if (empty) f.writeWrapped(DESCRIPTION_INDENT, '<empty>')
  }
  let m = model
  for (;;) {
    if (m.t === 'array' || m.t === 'map') {
      descriptions.push(m.description)
      if (type === '') type = typeName(defs, m)
      m = m.t === 'array' ? m.items : m.values
    } else if (m.t === 'ref') {
      descriptions.push(m.description)
      m = defs.resolve(m)
    } else break
  }
  kindAndVersion()
  switch (m.t) {
    case 'kind':
      if (type === '') type = 'Object'
      if (name !== '') f.write(0, `RESOURCE: ${name} <${type}>\n`)
      description(m.description)
      f.write(0, '\nFIELDS:')
      if (recursive) printFieldsRecursive(defs, f, FIELD_INDENT, m, new Set())
      else printFields(defs, f, FIELD_INDENT, m)
      return
    case 'primitive':
      if (type === '') type = m.type
      f.write(0, `FIELD:    ${name} <${type}>\n`)
      description(m.description)
      return
    case 'arbitrary':
      description(m.description)
      return
  }
}

/** The whole explain output for the resource of `gvk` and the field path, or kubectl's error. */
export function renderExplainV2(doc: Json, gvk: GroupVersionKind, fieldPath: string[], recursive: boolean): Rendered {
  const defs = new Definitions(isObj(doc['definitions']) ? doc['definitions'] : {})
  const name = defs.lookup(gvk)
  if (name === undefined) return {stdout: '', error: `error: couldn't find resource for ${JSON.stringify(gvkString(gvk))}`}
  let model: Model
  try {
    // the resource's own model, not a reference to it: no description of a reference comes first
    model = lookupField(defs, defs.model(name), fieldPath)
  } catch (err) {
    if (err instanceof ExplainV2Error) return {stdout: '', error: `error: ${err.message}`}
    throw err
  }
  const f = new Formatter()
  printModel(defs, f, fieldPath[fieldPath.length - 1] ?? '', model, gvk, recursive)
  return {stdout: f.text}
}
