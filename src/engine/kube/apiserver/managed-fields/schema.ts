// The shape of a kind as server-side apply needs it: which objects are structs (fields named by
// the schema) and which are maps (any key), and how each list merges — atomic (owned and
// replaced whole), a set of scalars, or a map keyed by some of its items' fields. Built from the
// built-in type table (types.ts) and from a custom resource's OpenAPI v3 schema.
import type {ResourceDef} from '../../api/registry.js'
import {typeKeyOfDef} from '../../api/schemas.js'
import {types} from '../../api/types.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export type Shape =
  | {kind: 'scalar'}
  /** `field(name)` is undefined for a name the schema does not declare. */
  | {kind: 'struct'; field(name: string): Shape | undefined}
  | {kind: 'map'; elem: Shape}
  | {kind: 'list'; relation: 'atomic' | 'set' | 'map'; keys: string[]; elem: Shape}
  /** Free-form: objects are granular, lists atomic, nothing declared. */
  | {kind: 'untyped'}

const scalar: Shape = {kind: 'scalar'}
const untyped: Shape = {kind: 'untyped'}
const scalarNames = new Set(['string', 'integer', 'boolean', 'number', 'date-time', 'int-or-string', 'quantity'])

/**
 * The list-map keys where Kubernetes' schema names more than the patch merge key (a container
 * port is keyed by port and protocol), by the type key of the item.
 */
const listMapKeys: Record<string, string[]> = {
  'core.ContainerPort': ['containerPort', 'protocol'],
  'core.ServicePort': ['port', 'protocol'],
}

const metaShape: Shape = {
  kind: 'struct',
  field(name) {
    switch (name) {
      case 'labels':
      case 'annotations':
        return {kind: 'map', elem: scalar}
      case 'finalizers':
        return {kind: 'list', relation: 'set', keys: [], elem: scalar}
      case 'ownerReferences':
        return {kind: 'list', relation: 'map', keys: ['uid'], elem: untypedStruct}
      case 'managedFields':
        return {kind: 'list', relation: 'atomic', keys: [], elem: untyped}
      default:
        return ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'].includes(name) ? scalar : undefined
    }
  },
}

/** An object whose fields the table does not spell out: treated as a struct of free-form fields. */
const untypedStruct: Shape = {kind: 'struct', field: () => untyped}

const cache = new Map<string, Shape>()

function typeShape(key: string): Shape {
  if (key === 'meta.ObjectMeta') return metaShape
  const hit = cache.get(key)
  if (hit) return hit
  const def = types[key]
  if (!def) return untypedStruct
  const fields = new Map<string, string>()
  for (const [name, spec] of Object.entries(def[1])) fields.set(name.replace(/^!/, ''), spec.split('|')[0].trim())
  const memo = new Map<string, Shape>()
  const shape: Shape = {
    kind: 'struct',
    field(name) {
      const spec = fields.get(name)
      if (spec === undefined) return undefined
      let s = memo.get(name)
      if (!s) memo.set(name, (s = specShape(spec)))
      return s
    },
  }
  cache.set(key, shape)
  return shape
}

function elementShape(t: string): Shape {
  if (scalarNames.has(t)) return scalar
  if (t === 'object') return untypedStruct
  if (t === 'map') return {kind: 'map', elem: scalar}
  if (t.startsWith('map<')) return {kind: 'map', elem: elementShape(t.slice(4, -1))}
  return typeShape(t)
}

/** A field's notation from types.ts (`[]core.Container key=name`, `map`, `core.PodSpec`, ...). */
function specShape(spec: string): Shape {
  const [type, ...flags] = spec.split(/\s+/)
  if (!type.startsWith('[]')) return elementShape(type)
  const item = type.slice(2)
  const elem = elementShape(item)
  const key = flags.find((f) => f.startsWith('key='))
  if (key) return {kind: 'list', relation: 'map', keys: listMapKeys[item] ?? [key.slice(4)], elem}
  if (flags.includes('set')) return {kind: 'list', relation: 'set', keys: [], elem}
  return {kind: 'list', relation: 'atomic', keys: [], elem}
}

/** A custom resource's structural schema. */
function schemaShape(schema: unknown): Shape {
  if (!isObj(schema)) return untyped
  if (schema.type === 'array') {
    const elem = schemaShape(schema.items)
    const type = schema['x-kubernetes-list-type']
    if (type === 'set') return {kind: 'list', relation: 'set', keys: [], elem}
    if (type === 'map') return {kind: 'list', relation: 'map', keys: (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [], elem}
    return {kind: 'list', relation: 'atomic', keys: [], elem}
  }
  if (schema.type === 'object' || isObj(schema.properties) || isObj(schema.additionalProperties)) {
    if (schema['x-kubernetes-map-type'] === 'atomic') return {kind: 'list', relation: 'atomic', keys: [], elem: untyped}
    if (isObj(schema.properties)) {
      const props = schema.properties
      const open = schema['x-kubernetes-preserve-unknown-fields'] === true
      return {kind: 'struct', field: (name) => (name in props ? schemaShape(props[name]) : open ? untyped : undefined)}
    }
    if (isObj(schema.additionalProperties)) return {kind: 'map', elem: schemaShape(schema.additionalProperties)}
    return untyped
  }
  return schema.type === undefined ? untyped : scalar
}


/** The shape of a whole object of `def`'s kind. */
export function shapeOf(def: ResourceDef): Shape {
  if (def.custom) {
    const root = schemaShape(def.custom.schema)
    const inner = root.kind === 'struct' ? root : untypedStruct
    if (inner.kind !== 'struct') return untypedStruct
    return {kind: 'struct', field: (name) => (name === 'metadata' ? metaShape : name === 'apiVersion' || name === 'kind' ? scalar : inner.field(name) ?? untyped)}
  }
  const key = typeKeyOfDef(def)
  return types[key] ? typeShape(key) : {kind: 'struct', field: (name) => (name === 'metadata' ? metaShape : untyped)}
}

/** The shape of one field or item below `shape`, free-form when the schema says nothing. */
export function childShape(shape: Shape, name: string): Shape {
  if (shape.kind === 'struct') return shape.field(name) ?? untyped
  if (shape.kind === 'map') return shape.elem
  return untyped
}

/** Whether `name` is a field `shape` declares (a struct's) rather than a map key. */
export function declares(shape: Shape, name: string): boolean {
  return shape.kind === 'untyped' || (shape.kind === 'struct' && shape.field(name) !== undefined)
}
