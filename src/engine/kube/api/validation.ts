// Validation as Kubernetes' apimachinery does it: the same rules and the same words, so a
// rejected object reads the same here as on a real cluster.
import type {FieldError} from './status.js'

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
const labelValueFmt = `(${qualifiedNameFmt})?`
const configKeyFmt = '[-._a-zA-Z0-9]+'

const dns1123Label = new RegExp(`^${dns1123LabelFmt}$`)
const dns1123Subdomain = new RegExp(`^${dns1123SubdomainFmt}$`)
const qualifiedName = new RegExp(`^${qualifiedNameFmt}$`)
const labelValue = new RegExp(`^${labelValueFmt}$`)
const configKey = new RegExp(`^${configKeyFmt}$`)

/** apimachinery's RegexError: the message, examples joined as Go joins them. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`
  return `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${fmt}')`
}

const maxLenError = (n: number) => `must be no more than ${n} characters`

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push(maxLenError(63))
  if (!dns1123Label.test(value)) {
    errs.push(regexError('a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character', dns1123LabelFmt, 'my-name', '123-abc'))
  }
  return errs
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push(maxLenError(253))
  if (!dns1123Subdomain.test(value)) {
    errs.push(regexError('a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character', dns1123SubdomainFmt, 'example.com'))
  }
  return errs
}

/** A label or annotation key: an optional DNS subdomain prefix and a name part. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = []
  const parts = value.split('/')
  let name: string
  if (parts.length === 1) name = parts[0]
  else if (parts.length === 2) {
    const [prefix] = parts
    name = parts[1]
    if (prefix.length === 0) errs.push('prefix part must be non-empty')
    else errs.push(...isDNS1123Subdomain(prefix).map((e) => `prefix part ${e}`))
  } else {
    return [
      regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFmt, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]
  }
  if (name.length === 0) errs.push('name part must be non-empty')
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`)
  // Go checks the pattern even on an empty name: both errors are reported
  if (!qualifiedName.test(name)) {
    errs.push(`name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`)
  }
  return errs
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push(maxLenError(63))
  if (!labelValue.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", labelValueFmt, 'MyValue', 'my_value', '12345'))
  }
  return errs
}

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push(maxLenError(253))
  if (!configKey.test(value)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configKeyFmt, 'key.name', 'KEY_NAME', 'key-name'))
  if (value === '.') errs.push("must not be '.'")
  else if (value === '..') errs.push("must not be '..'")
  else if (value.startsWith('..')) errs.push("must not start with '..'")
  return errs
}

const invalid = (field: string, value: unknown, detail: string): FieldError => ({type: 'FieldValueInvalid', field, value, detail})
const required = (field: string, detail = ''): FieldError => ({type: 'FieldValueRequired', field, detail})

export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return []
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalid(field, labels, 'must be a map of strings')]
  const errs: FieldError[] = []
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    for (const e of isQualifiedName(key)) errs.push(invalid(field, key, e))
    if (typeof value !== 'string') errs.push(invalid(`${field}`, value, 'must be a string'))
    else for (const e of isValidLabelValue(value)) errs.push(invalid(field, value, e))
  }
  return errs
}

const totalAnnotationSizeLimitBytes = 256 * 1024

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return []
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [invalid(field, annotations, 'must be a map of strings')]
  const errs: FieldError[] = []
  let total = 0
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    for (const e of isQualifiedName(key.toLowerCase())) errs.push(invalid(field, key, e))
    total += key.length + (typeof value === 'string' ? value.length : 0)
  }
  if (total > totalAnnotationSizeLimitBytes) errs.push({type: 'FieldValueTooLong', field, detail: `must have at most ${totalAnnotationSizeLimitBytes} bytes`})
  return errs
}

export type NameRule = 'subdomain' | 'label' | 'path-segment'

/** The metadata rules every object obeys (apimachinery's ValidateObjectMeta). */
export function validateObjectMeta(meta: Record<string, unknown>, opts: {namespaced: boolean; nameRule: NameRule}): FieldError[] {
  const errs: FieldError[] = []
  const name = meta.name
  if (typeof name !== 'string' || name === '') {
    if (!meta.generateName) errs.push(required('metadata.name', 'name or generateName is required'))
  } else {
    const check = opts.nameRule === 'label' ? isDNS1123Label : opts.nameRule === 'subdomain' ? isDNS1123Subdomain : isPathSegment
    for (const e of check(name)) errs.push(invalid('metadata.name', name, e))
  }
  if (opts.namespaced) {
    const ns = meta.namespace
    if (typeof ns !== 'string' || ns === '') errs.push(required('metadata.namespace'))
    else for (const e of isDNS1123Label(ns)) errs.push(invalid('metadata.namespace', ns, e))
  } else if (meta.namespace) {
    errs.push({type: 'FieldValueForbidden', field: 'metadata.namespace', detail: 'not allowed on this type'})
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'))
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'))
  const finalizers = meta.finalizers
  if (finalizers !== undefined && !Array.isArray(finalizers)) errs.push(invalid('metadata.finalizers', finalizers, 'must be a list'))
  else if (Array.isArray(finalizers)) {
    finalizers.forEach((f, i) => {
      if (typeof f !== 'string') errs.push(invalid(`metadata.finalizers[${i}]`, f, 'must be a string'))
      else for (const e of isQualifiedName(f)) errs.push(invalid('metadata.finalizers', f, e))
    })
  }
  const owners = meta.ownerReferences
  if (Array.isArray(owners)) {
    owners.forEach((o, i) => {
      const ref = (o ?? {}) as Record<string, unknown>
      const field = `metadata.ownerReferences[${i}]`
      if (!ref.apiVersion) errs.push(invalid(`${field}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'))
      if (!ref.kind) errs.push(invalid(`${field}.kind`, ref.kind ?? '', 'kind must not be empty'))
      if (!ref.name) errs.push(invalid(`${field}.name`, ref.name ?? '', 'name must not be empty'))
      if (!ref.uid) errs.push(invalid(`${field}.uid`, ref.uid ?? '', 'uid must not be empty'))
    })
    if (owners.filter((o) => (o as Record<string, unknown>)?.controller === true).length > 1) {
      errs.push(invalid('metadata.ownerReferences', owners, 'Only one reference can have Controller set to true'))
    }
  }
  return errs
}

/** Names of kinds that allow any path segment (RBAC roles and bindings, e.g. `system:admin`). */
export function isPathSegment(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`]
  for (const bad of ['/', '%']) if (value.includes(bad)) return [`may not contain '${bad}'`]
  return []
}
