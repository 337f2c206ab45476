// OpenAPI v3 documents generated from the resource table and the type schemas (schemas.ts):
// the /openapi/v3 index and one document per group version, with the extensions kubectl reads
// (x-kubernetes-group-version-kind to find a kind, patch merge keys and strategies for apply,
// and the fieldValidation parameter that makes it leave validation to the server).
import {createHash} from 'node:crypto'
import {apiVersionOf, type ResourceDef, type ResourceRegistry} from './registry.js'
import {schemaComponents, schemaNameOf} from './schemas.js'

type Obj = Record<string, unknown>

const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`)

export function openApiV3Index(registry: ResourceRegistry): Obj {
  const paths: Obj = {}
  for (const {group, versions} of registry.groupVersions()) {
    for (const version of versions) {
      const doc = JSON.stringify(openApiV3Document(registry, gvPath(group, version)))
      const hash = createHash('sha512').update(doc).digest('hex').slice(0, 128).toUpperCase()
      paths[gvPath(group, version)] = {serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}`}
    }
  }
  return {paths}
}

const queryParam = (name: string, description: string, type = 'string') => ({name, in: 'query', description, schema: {type, uniqueItems: true}})

const writeParams = [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  queryParam('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.'),
]

function operations(def: ResourceDef, schemaName: string): Obj {
  const gvk = {group: def.group, version: def.version, kind: def.kind}
  const ref = {$ref: `#/components/schemas/${schemaName}`}
  const ok = {description: 'OK', content: {'application/json': {schema: ref}}}
  const nsParam = def.namespaced ? [{name: 'namespace', in: 'path', required: true, schema: {type: 'string'}}] : []
  const nameParam = [{name: 'name', in: 'path', required: true, schema: {type: 'string'}}]
  const base = def.namespaced ? `/${gvPath(def.group, def.version)}/namespaces/{namespace}/${def.plural}` : `/${gvPath(def.group, def.version)}/${def.plural}`
  const op = (action: string, params: Obj[], extra: Obj = {}) => ({
    operationId: `${action}${def.kind}`,
    tags: [def.group || 'core'],
    parameters: params,
    responses: {'200': ok},
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  })
  const paths: Obj = {
    [base]: {
      parameters: nsParam,
      get: op('list', [queryParam('labelSelector', 'A selector to restrict the list of returned objects by their labels.'), queryParam('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'), queryParam('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'), queryParam('continue', 'The continue option should be set when retrieving more results from the server.'), queryParam('watch', 'Watch for changes to the described resources.', 'boolean')]),
      post: op('post', writeParams, {requestBody: {content: {'application/json': {schema: ref}}}}),
      delete: op('deletecollection', []),
    },
    [`${base}/{name}`]: {
      parameters: [...nsParam, ...nameParam],
      get: op('get', []),
      put: op('put', writeParams, {requestBody: {content: {'application/json': {schema: ref}}}}),
      patch: op('patch', [...writeParams, queryParam('force', 'Force is going to "force" Apply requests.', 'boolean')], {
        // Custom resources take no strategic merge patch: kubectl reads this to choose its patch.
        requestBody: {content: Object.fromEntries(patchTypes.filter((t) => !def.custom || !t.includes('strategic')).map((t) => [t, {schema: {type: 'object'}}]))},
      }),
      delete: op('delete', [queryParam('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'), queryParam('propagationPolicy', 'Whether and how garbage collection will be performed.')]),
    },
  }
  for (const sub of def.subresources.filter((x) => x === 'status' || x === 'scale')) {
    paths[`${base}/{name}/${sub}`] = {parameters: [...nsParam, ...nameParam], get: op('get', []), put: op('put', writeParams), patch: op('patch', writeParams)}
  }
  return paths
}

/** The document of one group version (`api/v1`, `apis/apps/v1`); undefined if not served. */
export function openApiV3Document(registry: ResourceRegistry, path: string): Obj | undefined {
  const segs = path.split('/')
  let group: string
  let version: string
  if (segs[0] === 'api' && segs.length === 2) [group, version] = ['', segs[1]]
  else if (segs[0] === 'apis' && segs.length === 3) [group, version] = [segs[1], segs[2]]
  else return undefined
  const defs = registry.all().filter((r) => r.group === group && r.version === version)
  if (defs.length === 0) return undefined
  const paths: Obj = {}
  for (const def of defs) {
    if (!def.verbs.includes('get')) continue
    Object.assign(paths, operations(def, schemaNameOf(def)))
  }
  return {
    openapi: '3.0.0',
    info: {title: 'Kubernetes', version: 'v1.32.0'},
    paths,
    components: {schemas: schemaComponents(defs)},
    'x-ectl-group-version': apiVersionOf({group, version}),
  }
}
