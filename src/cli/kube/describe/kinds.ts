// kubectl's describers for deployments, services, namespaces, config maps, nodes, and the
// generic one for every other kind.
import type {KubeClient, KubeList} from '../../../client/kube/client.js'
import type {DiscoveryData} from '../../../client/kube/discovery.js'
import {resolveResource} from '../../../client/kube/discovery.js'
import {describeTemplate, describeTolerations} from './pod.js'
import {annotations, rfc1123z, type Any, type DescribeWriter} from './writer.js'

function selectorText(sel: Any | undefined): string {
  if (sel === undefined || sel === null) return '<none>'
  const parts: string[] = []
  for (const k of Object.keys(sel['matchLabels'] ?? {}).sort()) parts.push(`${k}=${sel['matchLabels'][k]}`)
  for (const e of (sel['matchExpressions'] as Any[] | undefined) ?? []) {
    const op = String(e['operator']).toLowerCase()
    if (op === 'exists') parts.push(e['key'])
    else if (op === 'doesnotexist') parts.push(`!${e['key']}`)
    else parts.push(`${e['key']} ${op === 'notin' ? 'notin' : 'in'} (${(e['values'] ?? []).join(',')})`)
  }
  return parts.length === 0 ? '<none>' : parts.join(',')
}

export function describeDeployment(w: DescribeWriter, d: Any): void {
  const m = d['metadata'] ?? {}
  const spec = d['spec'] ?? {}
  const st = d['status'] ?? {}
  w.line(0, 'Name:', m['name'] ?? '')
  w.line(0, 'Namespace:', m['namespace'] ?? '')
  w.line(0, 'CreationTimestamp:', rfc1123z(m['creationTimestamp']))
  w.map(0, 'Labels', m['labels'])
  annotations(w, 0, d)
  w.line(0, 'Selector:', selectorText(spec['selector']))
  w.line(
    0,
    'Replicas:',
    `${spec['replicas'] ?? 1} desired | ${st['updatedReplicas'] ?? 0} updated | ${st['replicas'] ?? 0} total | ${st['availableReplicas'] ?? 0} available | ${st['unavailableReplicas'] ?? 0} unavailable`,
  )
  const strategy = spec['strategy'] ?? {}
  w.line(0, 'StrategyType:', strategy['type'] ?? '')
  w.line(0, 'MinReadySeconds:', String(spec['minReadySeconds'] ?? 0))
  if (strategy['rollingUpdate']) {
    const ru = strategy['rollingUpdate']
    w.line(0, 'RollingUpdateStrategy:', `${ru['maxUnavailable'] ?? '25%'} max unavailable, ${ru['maxSurge'] ?? '25%'} max surge`)
  }
  describeTemplate(w, spec['template'])
  const conditions = (st['conditions'] as Any[] | undefined) ?? []
  if (conditions.length > 0) {
    w.line(0, 'Conditions:')
    w.line(1, 'Type', 'Status', 'Reason')
    w.line(1, '----', '------', '------')
    for (const c of conditions) w.line(1, c['type'], c['status'], c['reason'] ?? '')
  }
}

export async function describeService(w: DescribeWriter, s: Any, client: KubeClient, data: DiscoveryData): Promise<void> {
  const m = s['metadata'] ?? {}
  const spec = s['spec'] ?? {}
  w.line(0, 'Name:', m['name'] ?? '')
  w.line(0, 'Namespace:', m['namespace'] ?? '')
  w.map(0, 'Labels', m['labels'])
  annotations(w, 0, s)
  const sel = spec['selector'] as Record<string, string> | undefined
  const selKeys = Object.keys(sel ?? {}).sort()
  w.line(0, 'Selector:', selKeys.length === 0 ? '<none>' : selKeys.map((k) => `${k}=${sel![k]}`).join(','))
  w.line(0, 'Type:', spec['type'] ?? '')
  if (spec['ipFamilyPolicy']) w.line(0, 'IP Family Policy:', spec['ipFamilyPolicy'])
  if ((spec['ipFamilies'] ?? []).length > 0) w.line(0, 'IP Families:', spec['ipFamilies'].join(','))
  w.line(0, 'IP:', spec['clusterIP'] ?? '')
  if ((spec['clusterIPs'] ?? []).length > 0) w.line(0, 'IPs:', spec['clusterIPs'].join(','))
  if ((spec['externalIPs'] ?? []).length > 0) w.line(0, 'External IPs:', spec['externalIPs'].join(','))
  if (spec['externalName']) w.line(0, 'External Name:', spec['externalName'])
  let endpoints: Any | undefined
  const epResource = resolveResource(data, 'endpoints')
  if (epResource !== undefined) {
    try {
      endpoints = await client.get(epResource, m['namespace'], m['name'])
    } catch {
      endpoints = undefined
    }
  }
  for (const p of (spec['ports'] as Any[] | undefined) ?? []) {
    const name = p['name'] || '<unset>'
    w.line(0, 'Port:', `${name}  ${p['port']}/${p['protocol'] ?? 'TCP'}`)
    const target = p['targetPort']
    w.line(0, 'TargetPort:', typeof target === 'string' ? `${target}/${p['protocol'] ?? 'TCP'}` : `${target ?? p['port']}/${p['protocol'] ?? 'TCP'}`)
    if (p['nodePort']) w.line(0, 'NodePort:', `${name}  ${p['nodePort']}/${p['protocol'] ?? 'TCP'}`)
    w.line(0, 'Endpoints:', endpointsFor(endpoints, p))
  }
  w.line(0, 'Session Affinity:', spec['sessionAffinity'] ?? 'None')
  if (spec['externalTrafficPolicy']) w.line(0, 'External Traffic Policy:', spec['externalTrafficPolicy'])
  if (spec['internalTrafficPolicy']) w.line(0, 'Internal Traffic Policy:', spec['internalTrafficPolicy'])
}

function endpointsFor(ep: Any | undefined, port: Any): string {
  const out: string[] = []
  for (const subset of (ep?.['subsets'] as Any[] | undefined) ?? []) {
    const match = ((subset['ports'] as Any[] | undefined) ?? []).find((p) => (p['name'] ?? '') === (port['name'] ?? ''))
    if (match === undefined) continue
    for (const a of (subset['addresses'] as Any[] | undefined) ?? []) out.push(`${a['ip']}:${match['port']}`)
  }
  if (out.length === 0) return '<none>'
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',')
}

export async function describeNamespace(w: DescribeWriter, ns: Any, client: KubeClient, data: DiscoveryData): Promise<void> {
  const m = ns['metadata'] ?? {}
  w.line(0, 'Name:', m['name'] ?? '')
  w.map(0, 'Labels', m['labels'])
  annotations(w, 0, ns)
  w.line(0, 'Status:', ns['status']?.['phase'] ?? '')
  const quotas = await listIn(client, data, 'resourcequotas', m['name'])
  if (quotas.length === 0) w.raw('\nNo resource quota.\n')
  else {
    w.raw('\nResource Quotas\n')
    for (const q of quotas) {
      w.line(1, 'Name:', q['metadata']?.['name'] ?? '')
      w.line(1, 'Resource', 'Used', 'Hard')
      w.line(1, '--------', '---', '---')
      const hard = q['status']?.['hard'] ?? q['spec']?.['hard'] ?? {}
      for (const k of Object.keys(hard).sort()) w.line(1, k, String(q['status']?.['used']?.[k] ?? '0'), String(hard[k]))
    }
  }
  const limits = await listIn(client, data, 'limitranges', m['name'])
  if (limits.length === 0) w.raw('\nNo LimitRange resource.\n')
  else {
    w.raw('\nResource Limits\n')
    for (const l of limits) {
      w.line(1, 'Type', 'Resource', 'Min', 'Max', 'Default Request', 'Default Limit', 'Max Limit/Request Ratio')
      w.line(1, '----', '--------', '---', '---', '---------------', '-------------', '-----------------------')
      for (const item of (l['spec']?.['limits'] as Any[] | undefined) ?? []) {
        const res = new Set([...Object.keys(item['min'] ?? {}), ...Object.keys(item['max'] ?? {}), ...Object.keys(item['default'] ?? {}), ...Object.keys(item['defaultRequest'] ?? {})])
        for (const r of [...res].sort()) {
          const v = (k: string) => String(item[k]?.[r] ?? '-')
          w.line(1, item['type'] ?? '', r, v('min'), v('max'), v('defaultRequest'), v('default'), v('maxLimitRequestRatio'))
        }
      }
    }
  }
}

async function listIn(client: KubeClient, data: DiscoveryData, word: string, ns: string): Promise<Any[]> {
  const r = resolveResource(data, word)
  if (r === undefined) return []
  try {
    return (await client.list<KubeList<Any>>(r, ns)).items
  } catch {
    return []
  }
}

export function describeConfigMap(w: DescribeWriter, cm: Any): void {
  const m = cm['metadata'] ?? {}
  w.line(0, 'Name:', m['name'] ?? '')
  w.line(0, 'Namespace:', m['namespace'] ?? '')
  w.map(0, 'Labels', m['labels'])
  annotations(w, 0, cm)
  w.raw('\nData\n====\n')
  const d = (cm['data'] as Record<string, string> | undefined) ?? {}
  for (const k of Object.keys(d).sort()) w.raw(`${k}:\n----\n${d[k]}\n\n`)
  w.raw('\nBinaryData\n====\n')
  const b = (cm['binaryData'] as Record<string, string> | undefined) ?? {}
  for (const k of Object.keys(b).sort()) w.raw(`${k}: ${Buffer.from(b[k]!, 'base64').length} bytes\n`)
  w.raw('\n')
}

/** Every other kind: its metadata, then its fields as nested `Key:  value` lines. */
export function describeGeneric(w: DescribeWriter, o: Any): void {
  const m = o['metadata'] ?? {}
  w.line(0, 'Name:', m['name'] ?? '')
  if (m['namespace']) w.line(0, 'Namespace:', m['namespace'])
  w.map(0, 'Labels', m['labels'])
  annotations(w, 0, o)
  w.line(0, 'API Version:', o['apiVersion'] ?? '')
  w.line(0, 'Kind:', o['kind'] ?? '')
  const title = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase())
  const walk = (v: unknown, level: number, key: string) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      w.line(level, `${title(key)}:`)
      for (const k of Object.keys(v as Any).sort()) walk((v as Any)[k], level + 1, k)
    } else if (Array.isArray(v)) {
      w.line(level, `${title(key)}:`)
      for (const item of v) {
        if (item !== null && typeof item === 'object') for (const k of Object.keys(item).sort()) walk(item[k], level + 1, k)
        else w.line(level + 1, String(item))
      }
    } else w.line(level, `${title(key)}:`, String(v))
  }
  const meta = {...m}
  for (const k of ['name', 'namespace', 'labels', 'annotations', 'managedFields']) delete meta[k]
  walk(meta, 0, 'metadata')
  for (const k of Object.keys(o).sort()) if (!['apiVersion', 'kind', 'metadata'].includes(k)) walk(o[k], 0, k)
}

export {describeTolerations}
