// Admission for what a namespace allows: LimitRanger (container defaults from LimitRange
// objects, and their min/max) and ResourceQuota (object counts and compute totals under the
// namespace's quotas), worded as kube-apiserver's plugins word their refusals.
import {parseQuantity} from '../api/quantity.js'
import type {ResourceDef, ResourceRegistry} from '../api/registry.js'
import {Status} from '../api/status.js'
import type {ObjectStorage, Obj} from './storage.js'

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const o = (v: unknown): Obj => (isObj(v) ? v : {})
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : [])

function containers(pod: Obj): Obj[] {
  const spec = o(pod.spec)
  return [...arr(spec.containers), ...arr(spec.initContainers)]
}

/** LimitRanger: fills container requests and limits from `type: Container` defaults, then checks min and max. */
export function applyLimitRanges(pod: Obj, ranges: Obj[]): void {
  const name = String(o(pod.metadata).name ?? '')
  for (const range of ranges) {
    for (const item of arr(o(range.spec).limits)) {
      if (item.type !== 'Container') continue
      for (const c of containers(pod)) {
        const res = o(c.resources)
        c.resources = res
        const limits = o(res.limits)
        const requests = o(res.requests)
        // LimitRangeItem defaulting: max stands in for default, default and min for defaultRequest.
        const defaults = {...o(item.max), ...o(item.default)}
        const defaultRequests = {...o(item.min), ...defaults, ...o(item.defaultRequest)}
        // Pod defaulting: a container with a limit and no request asks for its limit.
        for (const [r, v] of Object.entries(limits)) if (requests[r] === undefined) requests[r] = v
        for (const [r, v] of Object.entries(defaultRequests)) if (requests[r] === undefined) requests[r] = v
        for (const [r, v] of Object.entries(defaults)) if (limits[r] === undefined) limits[r] = v
        if (Object.keys(limits).length) res.limits = limits
        if (Object.keys(requests).length) res.requests = requests
        for (const [r, max] of Object.entries(o(item.max))) {
          const limit = limits[r]
          if (limit === undefined) throw Status.forbidden({group: '', resource: 'pods'}, name, `maximum ${r} usage per Container is ${max}.  No limit is specified`)
          if ((parseQuantity(limit) ?? 0) > (parseQuantity(max) ?? Infinity)) throw Status.forbidden({group: '', resource: 'pods'}, name, `maximum ${r} usage per Container is ${max}, but limit is ${limit}`)
        }
        for (const [r, min] of Object.entries(o(item.min))) {
          const request = requests[r]
          if (request === undefined) throw Status.forbidden({group: '', resource: 'pods'}, name, `minimum ${r} usage per Container is ${min}.  No request is specified`)
          if ((parseQuantity(request) ?? 0) < (parseQuantity(min) ?? 0)) throw Status.forbidden({group: '', resource: 'pods'}, name, `minimum ${r} usage per Container is ${min}, but request is ${request}`)
        }
      }
    }
  }
}

/** The quota resource names an object of `def` counts against. */
function countNames(def: ResourceDef): string[] {
  const names = [`count/${def.group ? `${def.plural}.${def.group}` : def.plural}`]
  if (def.group === '' && ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'].includes(def.plural)) names.push(def.plural)
  return names
}

function podCompute(pod: Obj, key: string): number {
  const [kind, resource] = key.split('.') as ['requests' | 'limits', string]
  return containers(pod).reduce((sum, c) => sum + (parseQuantity(o(o(c.resources)[kind])[resource]) ?? 0), 0)
}

const computeKeys = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory']
const normalise = (k: string) => (k === 'cpu' || k === 'memory' ? `requests.${k}` : k)

function format(key: string, value: number): string {
  if (key.endsWith('cpu')) return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`
  if (key.endsWith('memory')) return Number.isInteger(value / 2 ** 20) ? `${value / 2 ** 20}Mi` : String(value)
  return String(value)
}

/** ResourceQuota: refuses a create that would take the namespace past a quota's hard limits. */
export async function checkQuotas(def: ResourceDef, obj: Obj, quotas: Obj[], storage: ObjectStorage, registry: ResourceRegistry): Promise<void> {
  if (quotas.length === 0) return
  const namespace = String(o(obj.metadata).namespace)
  const name = String(o(obj.metadata).name ?? '')
  const counted = countNames(def)
  for (const quota of quotas) {
    const hard = o(o(quota.spec).hard)
    const exceeded: {key: string; requested: string; used: string; limited: string}[] = []
    for (const [key, limit] of Object.entries(hard)) {
      const max = parseQuantity(limit)
      if (max === undefined) continue
      if (counted.includes(key)) {
        const used = (await storage.list(def, namespace, {limit: 0})).items.length
        if (used + 1 > max) exceeded.push({key, requested: '1', used: String(used), limited: String(limit)})
      } else if (def.kind === 'Pod' && def.group === '' && computeKeys.includes(key)) {
        const requested = podCompute(obj, normalise(key))
        if (requested === 0) continue
        const pods = (await storage.list(registry.byKind('', 'Pod')!, namespace, {limit: 0})).items
        const used = pods.filter((p) => !['Succeeded', 'Failed'].includes(String(o(p.status).phase))).reduce((sum, p) => sum + podCompute(p, normalise(key)), 0)
        if (used + requested > max) exceeded.push({key, requested: format(key, requested), used: format(key, used), limited: String(limit)})
      }
    }
    if (exceeded.length) {
      const list = (f: 'requested' | 'used' | 'limited') => exceeded.map((e) => `${e.key}=${e[f]}`).join(',')
      throw Status.forbidden({group: def.group, resource: def.plural}, name, `exceeded quota: ${String(o(quota.metadata).name)}, requested: ${list('requested')}, used: ${list('used')}, limited: ${list('limited')}`)
    }
  }
}
