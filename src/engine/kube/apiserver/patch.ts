// PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386), and Kubernetes' strategic
// merge patch, whose lists of objects merge by key (containers by name, container ports by
// containerPort, ...) with the $patch, $retainKeys, $setElementOrder and
// $deleteFromPrimitiveList directives kubectl sends.
import fastJsonPatch from 'fast-json-patch'
import {Status} from '../api/status.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export const patchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch
  const out: Obj = isObj(target) ? {...target} : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = mergePatch(out[key], value)
  }
  return out
}

export function jsonPatch(target: Obj, patch: unknown): Obj {
  if (!Array.isArray(patch)) throw Status.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  try {
    const result = fastJsonPatch.applyPatch(structuredClone(target), patch as fastJsonPatch.Operation[], true, false)
    return result.newDocument as Obj
  } catch (error) {
    const e = error as Error & {name?: string}
    if (e.name === 'TEST_OPERATION_FAILED') throw Status.invalidPatch('testing value failed')
    throw Status.invalidPatch(e.message.split('\n')[0])
  }
}

/** How a list field merges: by a key (lists of objects), as a set (primitives), or replaced. */
export interface ListStrategy {
  mergeKey?: string
  primitiveMerge?: boolean
}

/** Kubernetes' patch strategies for the built-in types, by field name and where it sits. */
export function builtinListStrategy(path: string[]): ListStrategy | undefined {
  const field = path[path.length - 1]
  const inContainer = path.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers')
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return {mergeKey: 'name'}
    case 'env':
      return inContainer ? {mergeKey: 'name'} : undefined
    case 'volumeMounts':
      return {mergeKey: 'mountPath'}
    case 'volumeDevices':
      return {mergeKey: 'devicePath'}
    case 'ports':
      if (inContainer) return {mergeKey: 'containerPort'}
      if (path.length === 2 && path[0] === 'spec') return {mergeKey: 'port'}
      return undefined
    case 'hostAliases':
      return {mergeKey: 'ip'}
    case 'conditions':
      return {mergeKey: 'type'}
    case 'ownerReferences':
      return {mergeKey: 'uid'}
    case 'finalizers':
      return path.length === 2 && path[0] === 'metadata' ? {primitiveMerge: true} : undefined
    case 'addresses':
      return path[0] === 'status' && path.length === 2 ? {mergeKey: 'type'} : undefined
    case 'topologySpreadConstraints':
      return {mergeKey: 'topologyKey'}
    case 'secrets':
      return path.length === 1 ? {mergeKey: 'name'} : undefined
    default:
      return undefined
  }
}

const directivePrefixes = ['$setElementOrder/', '$deleteFromPrimitiveList/', '$retainKeys', '$patch']

function sameKey(a: unknown, b: unknown, key: string): boolean {
  return isObj(a) && isObj(b) && a[key] !== undefined && String(a[key]) === String(b[key])
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isObj(x) && x.$patch === 'delete')).map(stripDirectives)
  if (!isObj(v)) return v
  const out: Obj = {}
  for (const [k, val] of Object.entries(v)) {
    if (directivePrefixes.some((p) => k.startsWith(p))) continue
    if (val === null) continue
    out[k] = stripDirectives(val)
  }
  return out
}

function orderBy(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const pos = (x: unknown) => order.findIndex((o) => (key ? sameKey(o, x, key) : o === x))
  const inOrder = list.filter((x) => pos(x) >= 0).sort((a, b) => pos(a) - pos(b))
  const rest = list.filter((x) => pos(x) < 0)
  return [...inOrder, ...rest]
}

function mergeList(target: unknown, patch: unknown[], path: string[], strategy: ListStrategy | undefined, order: unknown[] | undefined): unknown[] {
  const current = Array.isArray(target) ? target : []
  if (!strategy) return stripDirectives(patch) as unknown[]
  if (patch.some((x) => isObj(x) && x.$patch === 'replace')) return stripDirectives(patch.filter((x) => !(isObj(x) && x.$patch === 'replace'))) as unknown[]
  if (strategy.primitiveMerge) {
    const out = [...current]
    for (const v of patch) if (!out.includes(v)) out.push(v)
    return order ? orderBy(out, order, undefined) : out
  }
  const key = strategy.mergeKey!
  const out = [...current]
  for (const item of patch) {
    if (!isObj(item)) {
      out.push(item)
      continue
    }
    const i = out.findIndex((x) => sameKey(x, item, key))
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1)
      continue
    }
    if (i >= 0) out[i] = strategicMerge(out[i], item, path)
    else out.push(strategicMerge({}, item, path))
  }
  return order ? orderBy(out, order, key) : out
}

/**
 * Applies a strategic merge patch to `target` (not modified). `strategy` names each list field's
 * merge strategy from its path of field names (array positions left out).
 */
export function strategicMerge(target: unknown, patch: unknown, path: string[] = [], strategy = builtinListStrategy): unknown {
  if (!isObj(patch)) return patch
  if (patch.$patch === 'delete') return undefined
  if (patch.$patch === 'replace') return stripDirectives(patch)
  let out: Obj = isObj(target) ? {...target} : {}
  const retain = patch.$retainKeys
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String))
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)))
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue
    if (key.startsWith('$setElementOrder/')) continue
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length)
      if (Array.isArray(out[field]) && Array.isArray(value)) out[field] = (out[field] as unknown[]).filter((x) => !value.includes(x))
      continue
    }
    const childPath = [...path, key]
    if (value === null) {
      delete out[key]
    } else if (Array.isArray(value)) {
      const order = patch[`$setElementOrder/${key}`]
      out[key] = mergeList(out[key], value, childPath, strategy(childPath), Array.isArray(order) ? order : undefined)
    } else if (isObj(value)) {
      const merged = strategicMerge(out[key], value, childPath, strategy)
      if (merged === undefined) delete out[key]
      else out[key] = merged
    } else {
      out[key] = value
    }
  }
  // An order given for a list the patch did not touch still reorders it.
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$setElementOrder/') || !Array.isArray(value)) continue
    const field = key.slice('$setElementOrder/'.length)
    if (field in patch || !Array.isArray(out[field])) continue
    out[field] = orderBy(out[field] as unknown[], value, strategy([...path, field])?.mergeKey)
  }
  return out
}
