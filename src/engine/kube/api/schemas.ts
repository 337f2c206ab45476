// Structural schemas of the served kinds, as OpenAPI v3 components named as Kubernetes names
// them (io.k8s.api.core.v1.Pod, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...).
import type {ResourceDef} from './registry.js'

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

function kindSchema(def: ResourceDef): Obj {
  if (def.custom?.schema && typeof def.custom.schema === 'object') {
    const s = structuredClone(def.custom.schema) as Obj
    const props = (s.properties ?? {}) as Obj
    props.metadata = {allOf: [{$ref: `#/components/schemas/${metaPrefix}ObjectMeta`}], default: {}}
    s.properties = props
    return {...s, 'x-kubernetes-group-version-kind': [{group: def.group, version: def.version, kind: def.kind}]}
  }
  return {
    description: `${def.kind} of ${def.group || 'core'}/${def.version}.`,
    type: 'object',
    properties: {
      apiVersion: {type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.'},
      kind: {type: 'string', description: 'Kind is a string value representing the REST resource this object represents.'},
      metadata: {allOf: [{$ref: `#/components/schemas/${metaPrefix}ObjectMeta`}], default: {}, description: 'Standard object\'s metadata.'},
    },
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': [{group: def.group, version: def.version, kind: def.kind}],
  }
}

export function schemaComponents(defs: ResourceDef[]): Obj {
  const out: Obj = {[`${metaPrefix}ObjectMeta`]: objectMeta}
  for (const def of defs) if (def.verbs.includes('get')) out[schemaNameOf(def)] = kindSchema(def)
  return out
}
