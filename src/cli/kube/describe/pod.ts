// kubectl's describers for pods and pod templates (containers, volumes, tolerations, QoS).
import type {KubeObject} from '../../../client/kube/client.js'
import {annotations, rfc1123z, type Any, type DescribeWriter} from './writer.js'

function ports(c: Any, host: boolean): string {
  const list = (c['ports'] as Any[] | undefined) ?? []
  if (list.length === 0) return '<none>'
  return list.map((p) => `${host ? (p['hostPort'] ?? 0) : p['containerPort']}/${p['protocol'] ?? 'TCP'}`).join(', ')
}

function envValue(e: Any, pod: KubeObject | undefined): string {
  if (e['value'] !== undefined) return String(e['value'])
  const from = e['valueFrom'] as Any | undefined
  if (from?.['fieldRef']) {
    const path = from['fieldRef']['fieldPath'] as string
    const apiVersion = from['fieldRef']['apiVersion'] ?? 'v1'
    const value = pod === undefined ? '' : fieldValue(pod, path)
    return `${value} (${apiVersion}:${path})`
  }
  if (from?.['configMapKeyRef']) {
    const r = from['configMapKeyRef']
    return `<set to the key '${r['key']}' of config map '${r['name']}'>\tOptional: ${r['optional'] === true}`
  }
  if (from?.['secretKeyRef']) {
    const r = from['secretKeyRef']
    return `<set to the key '${r['key']}' in secret '${r['name']}'>\tOptional: ${r['optional'] === true}`
  }
  if (from?.['resourceFieldRef']) {
    const r = from['resourceFieldRef']
    return `${r['resource']} (${r['containerName'] ?? ''})`
  }
  return ''
}

function fieldValue(pod: KubeObject, path: string): string {
  const m = pod.metadata ?? {}
  switch (path) {
    case 'metadata.name':
      return m.name ?? ''
    case 'metadata.namespace':
      return m.namespace ?? ''
    case 'metadata.uid':
      return m.uid ?? ''
    case 'spec.nodeName':
      return ((pod['spec'] as Any)?.['nodeName'] as string) ?? ''
    case 'spec.serviceAccountName':
      return ((pod['spec'] as Any)?.['serviceAccountName'] as string) ?? ''
    case 'status.podIP':
      return ((pod['status'] as Any)?.['podIP'] as string) ?? ''
    case 'status.hostIP':
      return ((pod['status'] as Any)?.['hostIP'] as string) ?? ''
    default:
      return ''
  }
}

function state(w: DescribeWriter, level: number, title: string, s: Any | undefined): void {
  if (s === undefined || Object.keys(s).length === 0) {
    w.line(level, `${title}:`, 'Waiting')
    return
  }
  if (s['running']) {
    w.line(level, `${title}:`, 'Running')
    w.line(level + 1, 'Started:', rfc1123z(s['running']['startedAt']))
  } else if (s['waiting']) {
    w.line(level, `${title}:`, 'Waiting')
    if (s['waiting']['reason']) w.line(level + 1, 'Reason:', s['waiting']['reason'])
  } else if (s['terminated']) {
    const t = s['terminated']
    w.line(level, `${title}:`, 'Terminated')
    if (t['reason']) w.line(level + 1, 'Reason:', t['reason'])
    if (t['message']) w.line(level + 1, 'Message:', t['message'])
    w.line(level + 1, 'Exit Code:', String(t['exitCode'] ?? 0))
    if (t['signal']) w.line(level + 1, 'Signal:', String(t['signal']))
    w.line(level + 1, 'Started:', rfc1123z(t['startedAt']))
    w.line(level + 1, 'Finished:', rfc1123z(t['finishedAt']))
  }
}

function resources(w: DescribeWriter, level: number, title: string, r: Record<string, string> | undefined): void {
  const keys = Object.keys(r ?? {}).sort()
  if (keys.length === 0) return
  w.line(level, `${title}:`)
  for (const k of keys) w.line(level + 1, `${k}:`, String(r![k]))
}

/** One container; `nameLevel` and `level` differ between pods and templates, as in kubectl. */
export function describeContainer(w: DescribeWriter, c: Any, status: Any | undefined, pod: KubeObject | undefined, namePrefix: string, level: number): void {
  w.raw(`${namePrefix}${c['name']}:\n`)
  if (status?.['containerID']) w.line(level, 'Container ID:', status['containerID'])
  w.line(level, 'Image:', c['image'] ?? '')
  if (status !== undefined) w.line(level, 'Image ID:', status['imageID'] ?? '')
  const n = ((c['ports'] as Any[] | undefined) ?? []).length
  w.line(level, n > 1 ? 'Ports:' : 'Port:', ports(c, false))
  w.line(level, n > 1 ? 'Host Ports:' : 'Host Port:', ports(c, true))
  for (const [key, title] of [
    ['command', 'Command'],
    ['args', 'Args'],
  ] as const) {
    const list = (c[key] as string[] | undefined) ?? []
    if (list.length === 0) continue
    w.line(level, `${title}:`)
    for (const part of list) for (const line of String(part).split('\n')) w.line(level + 1, line)
  }
  if (status !== undefined) {
    state(w, level, 'State', status['state'])
    if (status['lastState'] && Object.keys(status['lastState']).length > 0) state(w, level, 'Last State', status['lastState'])
    w.line(level, 'Ready:', status['ready'] ? 'True' : 'False')
    w.line(level, 'Restart Count:', String(status['restartCount'] ?? 0))
  }
  resources(w, level, 'Limits', c['resources']?.['limits'])
  resources(w, level, 'Requests', c['resources']?.['requests'])
  for (const [key, title] of [
    ['livenessProbe', 'Liveness'],
    ['readinessProbe', 'Readiness'],
    ['startupProbe', 'Startup'],
  ] as const) {
    const p = c[key] as Any | undefined
    if (p !== undefined) w.line(level, `${title}:`, probe(p))
  }
  const envFrom = (c['envFrom'] as Any[] | undefined) ?? []
  if (envFrom.length > 0) {
    w.line(level, 'Environment Variables from:')
    for (const e of envFrom) {
      const ref = e['configMapRef'] ?? e['secretRef']
      const kind = e['configMapRef'] ? 'ConfigMap' : 'Secret'
      w.line(level + 1, ref?.['name'] ?? '', `${kind}`, `Optional: ${ref?.['optional'] === true}`)
    }
  }
  const env = (c['env'] as Any[] | undefined) ?? []
  if (env.length === 0) w.line(level, 'Environment:', '<none>')
  else {
    w.line(level, 'Environment:')
    for (const e of env) w.line(level + 1, `${e['name']}:`, envValue(e, pod))
  }
  const mounts = (c['volumeMounts'] as Any[] | undefined) ?? []
  if (mounts.length === 0) w.line(level, 'Mounts:', '<none>')
  else {
    w.line(level, 'Mounts:')
    for (const m of [...mounts].sort((a, b) => String(a['mountPath']).localeCompare(String(b['mountPath'])))) {
      const flags = [m['readOnly'] ? 'ro' : 'rw']
      if (m['subPath']) flags.push(`path="${m['subPath']}"`)
      w.line(level + 1, `${m['mountPath']} from ${m['name']} (${flags.join(',')})`)
    }
  }
}

function probe(p: Any): string {
  const attrs = `delay=${p['initialDelaySeconds'] ?? 0}s timeout=${p['timeoutSeconds'] ?? 1}s period=${p['periodSeconds'] ?? 10}s #success=${p['successThreshold'] ?? 1} #failure=${p['failureThreshold'] ?? 3}`
  if (p['exec']) return `exec [${(p['exec']['command'] ?? []).join(' ')}] ${attrs}`
  if (p['httpGet']) {
    const h = p['httpGet']
    return `http-get ${(h['scheme'] ?? 'HTTP').toLowerCase()}://${h['host'] ?? ''}:${h['port']}${h['path'] ?? ''} ${attrs}`
  }
  if (p['tcpSocket']) return `tcp-socket ${p['tcpSocket']['host'] ?? ''}:${p['tcpSocket']['port']} ${attrs}`
  if (p['grpc']) return `grpc <pod>:${p['grpc']['port']} ${p['grpc']['service'] ?? ''} ${attrs}`
  return `unknown ${attrs}`
}

export function describeVolumes(w: DescribeWriter, volumes: Any[] | undefined, level: number): void {
  const list = volumes ?? []
  if (list.length === 0) {
    w.line(level, 'Volumes:', '<none>')
    return
  }
  w.line(level, 'Volumes:')
  for (const v of list) {
    w.line(level + 1, `${v['name']}:`)
    const l = level + 2
    if (v['emptyDir']) {
      w.line(l, 'Type:', "EmptyDir (a temporary directory that shares a pod's lifetime)")
      w.line(l, 'Medium:', v['emptyDir']['medium'] ?? '')
      w.line(l, 'SizeLimit:', v['emptyDir']['sizeLimit'] ?? '<unset>')
    } else if (v['configMap']) {
      w.line(l, 'Type:', 'ConfigMap (a volume populated by a ConfigMap)')
      w.line(l, 'Name:', v['configMap']['name'] ?? '')
      w.line(l, 'Optional:', String(v['configMap']['optional'] === true))
    } else if (v['secret']) {
      w.line(l, 'Type:', 'Secret (a volume populated by a Secret)')
      w.line(l, 'SecretName:', v['secret']['secretName'] ?? '')
      w.line(l, 'Optional:', String(v['secret']['optional'] === true))
    } else if (v['hostPath']) {
      w.line(l, 'Type:', 'HostPath (bare host directory volume)')
      w.line(l, 'Path:', v['hostPath']['path'] ?? '')
      w.line(l, 'HostPathType:', v['hostPath']['type'] ?? '')
    } else if (v['persistentVolumeClaim']) {
      w.line(l, 'Type:', 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)')
      w.line(l, 'ClaimName:', v['persistentVolumeClaim']['claimName'] ?? '')
      w.line(l, 'ReadOnly:', String(v['persistentVolumeClaim']['readOnly'] === true))
    } else if (v['projected']) {
      w.line(l, 'Type:', 'Projected (a volume that contains injected data from multiple sources)')
    } else {
      w.line(l, '<unknown>')
    }
  }
}

function toleration(t: Any): string {
  let s = t['key'] ?? ''
  if (t['value']) s += `=${t['value']}`
  if (t['effect']) s += `:${t['effect']}`
  if (t['operator'] === 'Exists' && !t['value']) s += ' op=Exists'
  if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null) s += ` for ${t['tolerationSeconds']}s`
  return s.trim()
}

export function describeTolerations(w: DescribeWriter, list: Any[] | undefined, level: number, title = 'Tolerations'): void {
  const items = list ?? []
  if (items.length === 0) {
    w.line(level, `${title}:`, '<none>')
    return
  }
  items.forEach((t, i) => w.line(level, i === 0 ? `${title}:` : '', toleration(t)))
}

function qosClass(pod: Any): string {
  if (pod['status']?.['qosClass']) return pod['status']['qosClass']
  const containers = (pod['spec']?.['containers'] as Any[] | undefined) ?? []
  let any = false
  let guaranteed = containers.length > 0
  for (const c of containers) {
    const req = c['resources']?.['requests'] ?? {}
    const lim = c['resources']?.['limits'] ?? {}
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

export function describePod(w: DescribeWriter, pod: Any): void {
  const m = pod['metadata'] ?? {}
  const spec = pod['spec'] ?? {}
  const status = pod['status'] ?? {}
  w.line(0, 'Name:', m['name'] ?? '')
  w.line(0, 'Namespace:', m['namespace'] ?? '')
  if (spec['priority'] !== undefined) w.line(0, 'Priority:', String(spec['priority']))
  if (spec['priorityClassName']) w.line(0, 'Priority Class Name:', spec['priorityClassName'])
  if (spec['runtimeClassName']) w.line(0, 'Runtime Class Name:', spec['runtimeClassName'])
  w.line(0, 'Service Account:', spec['serviceAccountName'] ?? '')
  w.line(0, 'Node:', spec['nodeName'] ? `${spec['nodeName']}/${status['hostIP'] ?? ''}` : '<none>')
  if (status['startTime']) w.line(0, 'Start Time:', rfc1123z(status['startTime']))
  w.map(0, 'Labels', m['labels'])
  annotations(w, 0, pod)
  if (m['deletionTimestamp']) {
    w.line(0, 'Status:', `Terminating (lasts ${Math.max(0, Math.floor((Date.now() - Date.parse(m['deletionTimestamp'])) / 1000))}s)`)
    w.line(0, 'Termination Grace Period:', `${m['deletionGracePeriodSeconds'] ?? 30}s`)
  } else w.line(0, 'Status:', status['phase'] ?? '')
  if (status['reason']) w.line(0, 'Reason:', status['reason'])
  if (status['message']) w.line(0, 'Message:', status['message'])
  w.line(0, 'IP:', status['podIP'] ?? '')
  const ips = (status['podIPs'] as Any[] | undefined) ?? []
  if (ips.length === 0) w.line(0, 'IPs:', '<none>')
  else {
    w.line(0, 'IPs:')
    for (const ip of ips) w.line(1, 'IP:', ip['ip'])
  }
  const owner = ((m['ownerReferences'] as Any[] | undefined) ?? []).find((o) => o['controller'] === true)
  if (owner) w.line(0, 'Controlled By:', `${owner['kind']}/${owner['name']}`)
  const statuses = (list: string) => new Map(((status[list] as Any[] | undefined) ?? []).map((s) => [s['name'], s]))
  const init = (spec['initContainers'] as Any[] | undefined) ?? []
  if (init.length > 0) {
    w.line(0, 'Init Containers:')
    const st = statuses('initContainerStatuses')
    for (const c of init) describeContainer(w, c, st.get(c['name']), pod, '  ', 2)
  }
  w.line(0, 'Containers:')
  const st = statuses('containerStatuses')
  for (const c of (spec['containers'] as Any[] | undefined) ?? []) describeContainer(w, c, st.get(c['name']), pod, '  ', 2)
  const conditions = (status['conditions'] as Any[] | undefined) ?? []
  if (conditions.length > 0) {
    w.line(0, 'Conditions:')
    w.line(1, 'Type', 'Status')
    for (const c of conditions) w.line(1, c['type'], `${c['status']} `)
  }
  describeVolumes(w, spec['volumes'], 0)
  w.line(0, 'QoS Class:', qosClass(pod))
  w.map(0, 'Node-Selectors', spec['nodeSelector'])
  describeTolerations(w, spec['tolerations'], 0)
}

export function describeTemplate(w: DescribeWriter, template: Any | undefined): void {
  const t = template ?? {}
  w.line(0, 'Pod Template:')
  w.map(1, 'Labels', t['metadata']?.['labels'])
  const ann = t['metadata']?.['annotations']
  if (ann && Object.keys(ann).length > 0) w.map(1, 'Annotations', ann, ': ')
  const spec = t['spec'] ?? {}
  if (spec['serviceAccountName']) w.line(1, 'Service Account:', spec['serviceAccountName'])
  const init = (spec['initContainers'] as Any[] | undefined) ?? []
  if (init.length > 0) {
    w.line(1, 'Init Containers:')
    for (const c of init) describeContainer(w, c, undefined, undefined, '   ', 2)
  }
  w.line(1, 'Containers:')
  for (const c of (spec['containers'] as Any[] | undefined) ?? []) describeContainer(w, c, undefined, undefined, '   ', 2)
  describeVolumes(w, spec['volumes'], 1)
  w.map(1, 'Node-Selectors', spec['nodeSelector'])
  describeTolerations(w, spec['tolerations'], 1)
}
