// kubectl apply's client-side three-way merge: from the last applied configuration (original),
// the new manifest (modified) and the live object (current), the patch that makes current take
// every change of modified and drops what original had and modified no longer has — leaving
// fields that others set alone. Built-in kinds get a strategic merge patch (lists of objects
// merged by their merge key, `$setElementOrder` and `$patch: delete` directives, as
// apimachinery's CreateThreeWayMergePatch writes them); other kinds a JSON merge patch (lists
// replaced whole).

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    return ka.every((k) => k in b && deepEqual(a[k], b[k]))
  }
  return false
}

/**
 * The merge key of a list field of a built-in type (its patchMergeKey), by the field's name and
 * its parent's; undefined for lists replaced whole.
 */
export function mergeKeyFor(parentPath: string[], field: string): string | undefined {
  const parent = parentPath[parentPath.length - 1]
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'readinessGates':
      return field === 'readinessGates' ? 'conditionType' : 'name'
    case 'volumeMounts':
      return 'mountPath'
    case 'volumeDevices':
      return 'devicePath'
    case 'ports':
      // a container's ports merge by containerPort, a service's by port
      return parent === 'containers' || parent === 'initContainers' || parent === 'ephemeralContainers' ? 'containerPort' : 'port'
    case 'hostAliases':
      return 'ip'
    case 'ownerReferences':
      return 'uid'
    case 'conditions':
      return 'type'
    case 'topologySpreadConstraints':
      return 'topologyKey'
    case 'resourceClaims':
      return 'name'
    default:
      return undefined
  }
}

export interface PatchOptions {
  /** strategic (built-in kinds) or JSON merge patch (lists atomic) */
  strategic: boolean
}

/** The three-way patch; `{}` when current already matches modified and nothing was removed. */
export function threeWayPatch(original: Obj | undefined, modified: Obj, current: Obj, o: PatchOptions): Obj {
  return diffMaps(original, modified, current, [], o)
}

function diffMaps(original: Obj | undefined, modified: Obj, current: Obj | undefined, path: string[], o: PatchOptions): Obj {
  const patch: Obj = {}
  for (const [k, m] of Object.entries(modified)) {
    const c = current?.[k]
    const orig = original?.[k]
    if (c === undefined) {
      if (m !== undefined) patch[k] = m
      continue
    }
    if (isObj(m) && isObj(c)) {
      const sub = diffMaps(isObj(orig) ? orig : undefined, m, c, [...path, k], o)
      if (Object.keys(sub).length > 0) patch[k] = sub
      continue
    }
    if (Array.isArray(m) && Array.isArray(c) && o.strategic) {
      const key = mergeKeyFor(path, k)
      if (key !== undefined && m.every((e) => isObj(e) && key in e) && c.every((e) => isObj(e))) {
        const list = diffKeyedList(Array.isArray(orig) ? (orig as Obj[]) : undefined, m as Obj[], c as Obj[], key, [...path, k], o)
        if (list.length > 0) {
          patch[`$setElementOrder/${k}`] = (m as Obj[]).map((e) => ({[key]: e[key]}))
          patch[k] = list
        }
        continue
      }
    }
    if (!deepEqual(m, c)) patch[k] = m
  }
  // what the last apply set and this one does not: removed
  if (original !== undefined) {
    for (const k of Object.keys(original)) {
      if (!(k in modified) && !k.startsWith('$')) patch[k] = null
    }
  }
  return patch
}

function diffKeyedList(original: Obj[] | undefined, modified: Obj[], current: Obj[], key: string, path: string[], o: PatchOptions): Obj[] {
  const byKey = (list: Obj[] | undefined) => new Map((list ?? []).map((e) => [JSON.stringify(e[key]), e]))
  const cur = byKey(current)
  const orig = byKey(original)
  const mod = byKey(modified)
  const out: Obj[] = []
  for (const m of modified) {
    const id = JSON.stringify(m[key])
    const c = cur.get(id)
    if (c === undefined) {
      out.push(m)
      continue
    }
    const sub = diffMaps(orig.get(id), m, c, path, o)
    if (Object.keys(sub).length > 0) out.push({[key]: m[key], ...sub})
  }
  for (const [id, e] of orig) {
    if (!mod.has(id) && cur.has(id)) out.push({$patch: 'delete', [key]: e[key]})
  }
  return out
}

/** A two-way patch (kubectl edit, label, annotate): current → modified. */
export function twoWayPatch(current: Obj, modified: Obj, o: PatchOptions): Obj {
  const patch = diffMaps(current, modified, current, [], o)
  return patch
}
