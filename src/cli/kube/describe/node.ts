// kubectl's node describer: identity, taints, the node's lease, conditions, addresses,
// capacity, system info, then the pods on the node with their requests and limits as shares of
// what the node can allocate, and the totals.
import type {KubeClient, KubeList} from '../../../client/kube/client.js'
import type {DiscoveryData} from '../../../client/kube/discovery.js'
import {resolveResource} from '../../../client/kube/discovery.js'
import {KubeApiError} from '../../../client/kube/errors.js'
import {parseQuantity} from '../../../engine/kube/api/quantity.js'
import {humanDuration} from '../table.js'
import {annotations, rfc1123z, type Any, type DescribeWriter} from './writer.js'

/** Go's int64() of a float on amd64: NaN and infinities become the smallest int64. */
function goInt64(f: number): string {
  return Number.isFinite(f) ? String(Math.trunc(f)) : '-9223372036854775808'
}

/** A sum of quantities as resource.Quantity prints it, for the forms pods use. */
function quantityText(values: string[], cpu: boolean): string {
  const nonZero = values.filter((v) => (parseQuantity(v) ?? 0) !== 0)
  if (nonZero.length === 0) return '0'
  if (nonZero.length === 1) return nonZero[0]!
  const total = nonZero.reduce((s, v) => s + (parseQuantity(v) ?? 0), 0)
  if (cpu) {
    const milli = Math.round(total * 1000)
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`
  }
  for (const [suffix, size] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (total >= size && total % size === 0) return `${total / size}${suffix}`
  }
  return String(total)
}

function podResources(p: Any, kind: 'requests' | 'limits', name: string): string[] {
  return ((p['spec']?.['containers'] as Any[] | undefined) ?? []).map((c) => c['resources']?.[kind]?.[name]).filter((v): v is string => typeof v === 'string')
}

async function describeLease(w: DescribeWriter, client: KubeClient, data: DiscoveryData, name: string): Promise<void> {
  const leases = resolveResource(data, 'leases.coordination.k8s.io')
  if (leases === undefined) return
  let lease: Any
  try {
    lease = (await client.get(leases, 'kube-node-lease', name)) as Any
  } catch (err) {
    if (err instanceof KubeApiError) {
      w.line(0, 'Lease:', `Failed to get lease: ${err.message}`)
      return
    }
    throw err
  }
  const spec = lease['spec'] ?? {}
  w.line(0, 'Lease:')
  w.line(1, 'HolderIdentity:', spec['holderIdentity'] ?? '<unset>')
  w.line(1, 'AcquireTime:', spec['acquireTime'] ? rfc1123z(spec['acquireTime']) : '<unset>')
  w.line(1, 'RenewTime:', spec['renewTime'] ? rfc1123z(spec['renewTime']) : '<unset>')
}

export async function describeNode(w: DescribeWriter, n: Any, client: KubeClient, data: DiscoveryData): Promise<void> {
  const m = n['metadata'] ?? {}
  const spec = n['spec'] ?? {}
  const st = n['status'] ?? {}
  w.line(0, 'Name:', m['name'] ?? '')
  const roles = Object.keys(m['labels'] ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
  w.line(0, 'Roles:', roles.length === 0 ? '<none>' : roles.sort().join(','))
  w.map(0, 'Labels', m['labels'])
  annotations(w, 0, n)
  w.line(0, 'CreationTimestamp:', rfc1123z(m['creationTimestamp']))
  const taints = (spec['taints'] as Any[] | undefined) ?? []
  if (taints.length === 0) w.line(0, 'Taints:', '<none>')
  else taints.forEach((t, i) => w.line(0, i === 0 ? 'Taints:' : '', `${t['key']}${t['value'] ? `=${t['value']}` : ''}:${t['effect']}`))
  w.line(0, 'Unschedulable:', String(spec['unschedulable'] === true))
  await describeLease(w, client, data, m['name'] ?? '')
  const conditions = (st['conditions'] as Any[] | undefined) ?? []
  if (conditions.length > 0) {
    w.line(0, 'Conditions:')
    w.line(1, 'Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message')
    w.line(1, '----', '------', '-----------------', '------------------', '------', '-------')
    // kubectl puts a space before each tab of a condition row
    for (const c of conditions) w.line(1, `${c['type']} `, `${c['status']} `, `${rfc1123z(c['lastHeartbeatTime'])} `, `${rfc1123z(c['lastTransitionTime'])} `, `${c['reason'] ?? ''} `, c['message'] ?? '')
  }
  w.line(0, 'Addresses:')
  for (const a of (st['addresses'] as Any[] | undefined) ?? []) w.line(1, `${a['type']}:`, a['address'])
  for (const [key, title] of [
    ['capacity', 'Capacity'],
    ['allocatable', 'Allocatable'],
  ] as const) {
    const r = st[key] as Record<string, string> | undefined
    if (r === undefined || Object.keys(r).length === 0) continue
    w.line(0, `${title}:`)
    for (const k of Object.keys(r).sort()) w.line(1, `${k}:`, String(r[k]))
  }
  const info = (st['nodeInfo'] as Record<string, string> | undefined) ?? {}
  w.line(0, 'System Info:')
  for (const [k, title] of [
    ['machineID', 'Machine ID'],
    ['systemUUID', 'System UUID'],
    ['bootID', 'Boot ID'],
    ['kernelVersion', 'Kernel Version'],
    ['osImage', 'OS Image'],
    ['operatingSystem', 'Operating System'],
    ['architecture', 'Architecture'],
    ['containerRuntimeVersion', 'Container Runtime Version'],
    ['kubeletVersion', 'Kubelet Version'],
    ['kubeProxyVersion', 'Kube-Proxy Version'],
  ] as const) {
    w.line(1, `${title}:`, info[k] ?? '')
  }
  if (spec['podCIDR']) w.line(0, 'PodCIDR:', spec['podCIDR'])
  if ((spec['podCIDRs'] ?? []).length > 0) w.line(0, 'PodCIDRs:', spec['podCIDRs'].join(','))
  if (spec['providerID']) w.line(0, 'ProviderID:', spec['providerID'])
  await describeNodePods(w, n, client, data)
}

async function describeNodePods(w: DescribeWriter, n: Any, client: KubeClient, data: DiscoveryData): Promise<void> {
  const pods = resolveResource(data, 'pods')
  let running: Any[] = []
  if (pods !== undefined) {
    const name = n['metadata']?.['name'] ?? ''
    running = (await client.list<KubeList<Any>>(pods, undefined, {fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed`})).items
  }
  const st = n['status'] ?? {}
  const allocatable: Record<string, string> = Object.keys(st['allocatable'] ?? {}).length > 0 ? st['allocatable'] : (st['capacity'] ?? {})
  const alloc = (r: string) => parseQuantity(allocatable[r]) ?? 0
  // an empty column after the name, as kubectl's header has
  w.line(0, `Non-terminated Pods:`, `(${running.length} in total)`)
  w.line(1, 'Namespace', 'Name', '', 'CPU Requests', 'CPU Limits', 'Memory Requests', 'Memory Limits', 'Age')
  w.line(1, '---------', '----', '', '------------', '----------', '---------------', '-------------', '---')
  const now = Date.now()
  const share = (values: string[], r: string) => goInt64((values.reduce((s, v) => s + (parseQuantity(v) ?? 0), 0) / alloc(r)) * 100)
  for (const p of running) {
    const cell = (kind: 'requests' | 'limits', r: string) => {
      const values = podResources(p, kind, r)
      return `${quantityText(values, r === 'cpu')} (${share(values, r)}%)`
    }
    const created = p['metadata']?.['creationTimestamp']
    w.line(1, p['metadata']?.['namespace'] ?? '', p['metadata']?.['name'] ?? '', '', cell('requests', 'cpu'), cell('limits', 'cpu'), cell('requests', 'memory'), cell('limits', 'memory'), created ? humanDuration(now - Date.parse(created)) : '<unknown>')
  }
  w.line(0, 'Allocated resources:')
  w.line(1, '(Total limits may be over 100 percent, i.e., overcommitted.)')
  w.line(1, 'Resource', 'Requests', 'Limits')
  w.line(1, '--------', '--------', '------')
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const cell = (kind: 'requests' | 'limits') => {
      const values = running.flatMap((p) => podResources(p, kind, r))
      // the totals guard against a node that reports nothing allocatable
      const pct = alloc(r) === 0 ? '0' : goInt64((values.reduce((s, v) => s + (parseQuantity(v) ?? 0), 0) / alloc(r)) * 100)
      return `${quantityText(values, r === 'cpu')} (${pct}%)`
    }
    w.line(1, r, cell('requests'), cell('limits'))
  }
}
