// Structural schemas of the served kinds, as OpenAPI v3 components named as Kubernetes names
// them (io.k8s.api.core.v1.Pod, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...).
import type {ResourceDef} from './registry.js'
import {types} from './types.js'

type Obj = Record<string, unknown>

const groupPackage: Record<string, string> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  'coordination.k8s.io': 'coordination',
  'discovery.k8s.io': 'discovery',
  'rbac.authorization.k8s.io': 'rbac',
  policy: 'policy',
  'authorization.k8s.io': 'authorization',
  'authentication.k8s.io': 'authentication',
}

export const metaPrefix = 'io.k8s.apimachinery.pkg.apis.meta.v1.'

export function schemaNameOf(def: ResourceDef): string {
  if (def.custom) return `${def.group.split('.').reverse().join('.')}.${def.version}.${def.kind}`
  if (def.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${def.version}.${def.kind}`
  return `io.k8s.api.${groupPackage[def.group] ?? def.group}.${def.version}.${def.kind}`
}

const objectMeta: Obj = {
  description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  type: 'object',
  properties: {
    name: {type: 'string', description: 'Name must be unique within a namespace.'},
    generateName: {type: 'string', description: 'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'},
    namespace: {type: 'string', description: 'Namespace defines the space within which each name must be unique.'},
    uid: {type: 'string', description: 'UID is the unique in time and space value for this object.'},
    resourceVersion: {type: 'string', description: 'An opaque value that represents the internal version of this object.'},
    generation: {type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.'},
    creationTimestamp: {type: 'string', format: 'date-time', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.'},
    deletionTimestamp: {type: 'string', format: 'date-time', description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'},
    deletionGracePeriodSeconds: {type: 'integer', format: 'int64', description: 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.'},
    labels: {type: 'object', additionalProperties: {type: 'string', default: ''}, description: 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.'},
    annotations: {type: 'object', additionalProperties: {type: 'string', default: ''}, description: 'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'},
    ownerReferences: {type: 'array', items: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true}, 'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge', description: 'List of objects depended by this object.'},
    finalizers: {type: 'array', items: {type: 'string', default: ''}, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set', description: 'Must be empty before the object is deleted from the registry.'},
    managedFields: {type: 'array', items: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true}, description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.'},
  },
}

const packagePrefix: Record<string, string> = {
  meta: metaPrefix,
  apiextensions: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.',
}
const versionOfPackage: Record<string, string> = {}

/** The component name of a type key (`core.PodSpec` -> io.k8s.api.core.v1.PodSpec). */
function componentName(key: string): string {
  const dot = key.indexOf('.')
  const pkg = key.slice(0, dot)
  const name = key.slice(dot + 1)
  return `${packagePrefix[pkg] ?? `io.k8s.api.${pkg}.${versionOfPackage[pkg] ?? 'v1'}.`}${name}`
}

const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'
const quantity = 'io.k8s.apimachinery.pkg.api.resource.Quantity'
const ref = (name: string) => ({allOf: [{$ref: `#/components/schemas/${name}`}]})

const scalars: Record<string, () => Obj> = {
  string: () => ({type: 'string'}),
  integer: () => ({type: 'integer', format: 'int32'}),
  boolean: () => ({type: 'boolean'}),
  number: () => ({type: 'number', format: 'double'}),
  'date-time': () => ({type: 'string', format: 'date-time'}),
  'int-or-string': () => ref(intOrString),
  quantity: () => ref(quantity),
  object: () => ({type: 'object', 'x-kubernetes-preserve-unknown-fields': true}),
  map: () => ({type: 'object', additionalProperties: {type: 'string', default: ''}}),
}

/** One field's schema from its notation, collecting the types it refers to. */
function fieldSchema(spec: string, refs: Set<string>): Obj {
  const [typeAndFlags, ...descParts] = spec.split('|')
  const description = descParts.join('|')
  const [type, ...flags] = typeAndFlags.trim().split(/\s+/)
  const element = (t: string): Obj => {
    if (scalars[t]) return scalars[t]()
    if (t.startsWith('map<')) return {type: 'object', additionalProperties: element(t.slice(4, -1))}
    refs.add(t)
    return ref(componentName(t))
  }
  let schema: Obj
  if (type.startsWith('[]')) {
    schema = {type: 'array', items: element(type.slice(2))}
    for (const flag of flags) {
      if (flag.startsWith('key=')) {
        const key = flag.slice(4)
        Object.assign(schema, {'x-kubernetes-list-map-keys': [key], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge'})
      } else if (flag === 'set') Object.assign(schema, {'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge'})
      else if (flag === 'atomic') schema['x-kubernetes-list-type'] = 'atomic'
    }
  } else {
    schema = element(type)
    if ('allOf' in schema && !scalars[type]) schema.default = {}
  }
  if (description) schema.description = description
  return schema
}

function typeSchema(key: string, refs: Set<string>): Obj {
  const [description, fields] = types[key]
  const properties: Obj = {}
  const required: string[] = []
  for (const [rawName, spec] of Object.entries(fields)) {
    const name = rawName.replace(/^!/, '')
    if (rawName.startsWith('!')) required.push(name)
    properties[name] = name === 'metadata' && spec.startsWith('meta.ObjectMeta') ? {...ref(`${metaPrefix}ObjectMeta`), default: {}, description: spec.split('|')[1]} : fieldSchema(spec, refs)
  }
  return {description, type: 'object', ...(required.length ? {required} : {}), properties}
}

/** A kind's key in the type table (types.ts): its group's package and its kind, e.g. `apps.Deployment`. */
export const typeKeyOfDef = (def: ResourceDef): string => `${def.group === 'apiextensions.k8s.io' ? 'apiextensions' : groupPackage[def.group] ?? def.group}.${def.kind}`

function kindSchema(def: ResourceDef, refs: Set<string>): Obj {
  const gvk = {'x-kubernetes-group-version-kind': [{group: def.group, version: def.version, kind: def.kind}]}
  if (def.custom?.schema && typeof def.custom.schema === 'object') {
    const s = structuredClone(def.custom.schema) as Obj
    const props = (s.properties ?? {}) as Obj
    props.metadata = {...ref(`${metaPrefix}ObjectMeta`), default: {}}
    s.properties = props
    return {...s, ...gvk}
  }
  const key = typeKeyOfDef(def)
  if (types[key]) return {...typeSchema(key, refs), ...gvk}
  return {
    description: `${def.kind} of ${def.group || 'core'}/${def.version}.`,
    type: 'object',
    properties: {
      apiVersion: {type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.'},
      kind: {type: 'string', description: 'Kind is a string value representing the REST resource this object represents.'},
      metadata: {...ref(`${metaPrefix}ObjectMeta`), default: {}, description: 'Standard object\'s metadata.'},
    },
    'x-kubernetes-preserve-unknown-fields': true,
    ...gvk,
  }
}

/** The components of one group version's document: its kinds and every type they use. */
export function schemaComponents(defs: ResourceDef[]): Obj {
  const out: Obj = {
    [`${metaPrefix}ObjectMeta`]: objectMeta,
    [intOrString]: {type: 'string', format: 'int-or-string', description: 'IntOrString is a type that can hold an int32 or a string.'},
    [quantity]: {type: 'string', description: 'Quantity is a fixed-point representation of a number.'},
  }
  const refs = new Set<string>()
  for (const def of defs) if (def.verbs.includes('get')) out[schemaNameOf(def)] = kindSchema(def, refs)
  const done = new Set<string>()
  while (refs.size > done.size) {
    for (const key of [...refs]) {
      if (done.has(key)) continue
      done.add(key)
      if (types[key]) out[componentName(key)] = typeSchema(key, refs)
    }
  }
  return out
}
