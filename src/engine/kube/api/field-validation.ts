// Unknown fields, as kube-apiserver's decoder finds them: a field the kind's schema does not
// define is reported (fieldValidation=Strict refuses the request, Warn returns a warning, Ignore
// says nothing) and dropped before the object is stored, as decoding into Go structs drops it.
import type {ResourceDef} from './registry.js'
import {typeKeyOfDef} from './schemas.js'
import {types} from './types.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

const metaFields = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
])


/** Each type's fields and their types, worked out once: every write walks these. */
const fieldTypesCache = new Map<string, Map<string, string>>()

function fieldTypes(key: string): Map<string, string> | undefined {
  const hit = fieldTypesCache.get(key)
  if (hit) return hit
  const def = types[key]
  if (!def) return undefined
  const fields = new Map(Object.entries(def[1]).map(([name, spec]) => [name.replace(/^!/, ''), spec.split('|')[0].trim().split(/\s+/)[0]]))
  fieldTypesCache.set(key, fields)
  return fields
}

/** Walks `value` against a type key; unknown fields are reported (dotted paths) and removed. */
function walkType(key: string, value: unknown, path: string, unknown: string[]): void {
  if (key === 'meta.ObjectMeta') {
    if (!isObj(value)) return
    for (const k of Object.keys(value)) {
      if (!metaFields.has(k)) {
        unknown.push(`${path}${k}`)
        delete value[k]
      }
    }
    return
  }
  const fields = fieldTypes(key)
  if (!fields || !isObj(value)) return
  for (const [k, v] of Object.entries(value)) {
    const type = fields.get(k)
    if (type === undefined) {
      unknown.push(`${path}${k}`)
      delete value[k]
      continue
    }
    walkField(type, v, `${path}${k}`, unknown)
  }
}

function walkField(type: string, value: unknown, path: string, unknown: string[]): void {
  if (type.startsWith('[]')) {
    if (Array.isArray(value)) value.forEach((item, i) => walkField(type.slice(2), item, `${path}[${i}]`, unknown))
    return
  }
  if (type.includes('.')) walkType(type, value, `${path}.`, unknown)
}

/** An OpenAPI v3 structural schema (a CRD's): unknown properties unless it preserves them. */
function walkSchema(schema: unknown, value: unknown, path: string, unknown: string[]): void {
  if (!isObj(schema) || schema['x-kubernetes-preserve-unknown-fields'] === true) return
  if (Array.isArray(value) && isObj(schema.items)) {
    value.forEach((item, i) => walkSchema(schema.items, item, `${path}[${i}]`, unknown))
    return
  }
  if (!isObj(value)) return
  const props = isObj(schema.properties) ? schema.properties : undefined
  if (!props) {
    if (isObj(schema.additionalProperties)) for (const [k, v] of Object.entries(value)) walkSchema(schema.additionalProperties, v, `${path}${k}.`, unknown)
    return
  }
  for (const [k, v] of Object.entries(value)) {
    if (path === '' && (k === 'apiVersion' || k === 'kind')) continue
    if (path === '' && k === 'metadata') {
      walkType('meta.ObjectMeta', v, 'metadata.', unknown)
      continue
    }
    if (!(k in props)) {
      unknown.push(`${path}${k}`)
      delete value[k]
      continue
    }
    const sub = props[k]
    if (Array.isArray(v)) walkSchema(sub, v, `${path}${k}`, unknown)
    else walkSchema(sub, v, `${path}${k}.`, unknown)
  }
}

/** Finds and removes the fields of `obj` its kind does not define; returns their paths. */
export function pruneUnknownFields(def: ResourceDef, obj: Obj): string[] {
  const unknown: string[] = []
  if (def.custom) {
    if (def.custom.schema) walkSchema(def.custom.schema, obj, '', unknown)
    return unknown
  }
  const key = typeKeyOfDef(def)
  if (!types[key]) return unknown
  const fields = fieldTypes(key)!
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue
    const type = fields.get(k)
    if (type === undefined) {
      unknown.push(k)
      delete obj[k]
      continue
    }
    walkField(type, v, k, unknown)
  }
  return unknown
}
