// The OpenAPI v2 (Swagger 2.0) document of every served group version, derived from the v3
// documents (openapi.ts) so both come from the same type definitions: the same paths and
// operations with their x-kubernetes-* extensions, parameters in v2's form, request and
// response schemas as body parameters and `schema`, and the components as `definitions`
// (v3's single-element allOf wrappers become v2's plain $ref with a description beside it).
import type {ResourceRegistry} from './registry.js'
import {openApiV3Document} from './openapi.js'

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

const v3Prefix = '#/components/schemas/'
const v2Prefix = '#/definitions/'

/** One schema in v2's form. */
export function toV2Schema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV2Schema)
  if (!isObj(s)) return s
  const allOf = s['allOf']
  // `{allOf: [{$ref}], description, default}` is v3's way to put siblings beside a $ref
  if (Array.isArray(allOf) && allOf.length === 1 && isObj(allOf[0]) && typeof allOf[0]['$ref'] === 'string' && s['properties'] === undefined) {
    const out: Obj = {}
    if (s['description'] !== undefined) out['description'] = s['description']
    out['$ref'] = String(allOf[0]['$ref']).replace(v3Prefix, v2Prefix)
    for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) out[k] = v
    return out
  }
  const out: Obj = {}
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace(v3Prefix, v2Prefix)
    // v2 has no `default` beside a structure the client fills in anyway
    else if (k === 'default' && isObj(v) && Object.keys(v).length === 0) continue
    else if (k === 'properties' && isObj(v)) out[k] = Object.fromEntries(Object.entries(v).map(([name, p]) => [name, toV2Schema(p)]))
    else if (k === 'items' || k === 'additionalProperties' || k === 'allOf') out[k] = toV2Schema(v)
    else out[k] = v
  }
  return out
}

const produces = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']

function toV2Parameter(p: Obj): Obj {
  const schema = isObj(p['schema']) ? p['schema'] : {}
  const out: Obj = {}
  if (p['description'] !== undefined) out['description'] = p['description']
  out['in'] = p['in']
  out['name'] = p['name']
  if (p['required'] === true) out['required'] = true
  if (schema['type'] !== undefined) out['type'] = schema['type']
  out['uniqueItems'] = true
  return out
}

function toV2Operation(op: Obj): Obj {
  const out: Obj = {}
  const body = isObj(op['requestBody']) && isObj(op['requestBody']['content']) ? op['requestBody']['content'] : undefined
  out['consumes'] = body ? Object.keys(body) : ['*/*']
  if (op['description'] !== undefined) out['description'] = op['description']
  out['operationId'] = op['operationId']
  const params = Array.isArray(op['parameters']) ? op['parameters'].filter(isObj).map(toV2Parameter) : []
  if (body) {
    const first = Object.values(body).find(isObj)
    params.unshift({in: 'body', name: 'body', required: true, schema: toV2Schema(first?.['schema'] ?? {type: 'object'})})
  }
  if (params.length > 0) out['parameters'] = params
  out['produces'] = produces
  const responses: Obj = {}
  for (const [code, r] of Object.entries(isObj(op['responses']) ? op['responses'] : {})) {
    if (!isObj(r)) continue
    const content = isObj(r['content']) ? Object.values(r['content']).find(isObj) : undefined
    responses[code] = {description: r['description'], ...(content?.['schema'] !== undefined ? {schema: toV2Schema(content['schema'])} : {})}
  }
  out['responses'] = responses
  out['schemes'] = ['https']
  out['tags'] = op['tags']
  for (const [k, v] of Object.entries(op)) if (k.startsWith('x-')) out[k] = v
  return out
}

/** The /openapi/v2 document: every group version's paths and definitions in one. */
export function openApiV2Document(registry: ResourceRegistry): Obj {
  const paths: Obj = {}
  const definitions: Obj = {}
  for (const {group, versions} of registry.groupVersions()) {
    for (const version of versions) {
      const doc = openApiV3Document(registry, group ? `apis/${group}/${version}` : `api/${version}`)
      if (!doc) continue
      for (const [path, item] of Object.entries(doc['paths'] as Obj)) {
        if (!isObj(item)) continue
        const out: Obj = {}
        for (const [method, op] of Object.entries(item)) {
          if (method === 'parameters' && Array.isArray(op)) out['parameters'] = op.filter(isObj).map(toV2Parameter)
          else if (isObj(op)) out[method] = toV2Operation(op)
        }
        paths[path] = out
      }
      const components = (doc['components'] as {schemas: Obj}).schemas
      for (const [name, schema] of Object.entries(components)) definitions[name] ??= toV2Schema(schema)
    }
  }
  const sorted = (o: Obj) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]))
  return {swagger: '2.0', info: {title: 'Kubernetes', version: 'v1.32.0'}, paths: sorted(paths), definitions: sorted(definitions)}
}
