// Server-side printing: meta.k8s.io/v1 Table responses with the columns kube-apiserver's
// printers define for each kind (names, types, priority 1 = only with `-o wide`).
import type {PrinterColumn, ResourceDef} from '../api/registry.js'
import {parseLabelSelectorObject, selectorString} from '../api/selectors.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const o = (v: unknown): Obj => (isObj(v) ? v : {})
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : [])

export interface ColumnDefinition {
  name: string
  type: string
  format: string
  description: string
  priority: number
}

const col = (name: string, type = 'string', priority = 0, format = '', description = ''): ColumnDefinition => ({name, type, format, description, priority})
const nameCol = col('Name', 'string', 0, 'name', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names')
const ageCol = col('Age', 'string', 0, '', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata')
const createdAtCol = col('Created At', 'date', 0, '', 'CreationTimestamp is a timestamp representing the server time when this object was created.')

/** Go's duration.HumanDuration, which kubectl's AGE column shows. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    const d = Math.floor(hours / 24)
    return h === 0 ? `${d}d` : `${d}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const y = Math.floor(hours / 24 / 365)
    const d = Math.floor(hours / 24) % 365
    return d === 0 ? `${y}y` : `${y}y${d}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}

function since(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || !ts) return '<unknown>'
  return humanDuration(now - Date.parse(ts))
}
const age = (obj: Obj, now: number) => since(o(obj.metadata).creationTimestamp, now)
const none = '<none>'
const orNone = (v: unknown) => (v === undefined || v === null || v === '' ? none : String(v))

function containersAndImages(podSpec: Obj): [string, string] {
  const cs = arr(podSpec.containers)
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')]
}

function selectorOf(sel: unknown): string {
  try {
    const s = selectorString(parseLabelSelectorObject(sel))
    return s || none
  } catch {
    return none
  }
}

function mapSelector(sel: unknown): string {
  const entries = Object.entries(o(sel))
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : none
}

function podStatusReason(pod: Obj): string {
  const status = o(pod.status)
  const meta = o(pod.metadata)
  let reason = String(status.reason || status.phase || '')
  const inits = arr(status.initContainerStatuses)
  let initializing = false
  inits.forEach((c, i) => {
    const state = o(c.state)
    if (isObj(state.terminated) && state.terminated.exitCode === 0) return
    if (initializing) return
    if (isObj(state.terminated)) {
      reason = state.terminated.reason ? `Init:${state.terminated.reason}` : state.terminated.signal ? `Init:Signal:${state.terminated.signal}` : `Init:ExitCode:${state.terminated.exitCode}`
    } else if (isObj(state.waiting) && state.waiting.reason && state.waiting.reason !== 'PodInitializing') reason = `Init:${state.waiting.reason}`
    else reason = `Init:${i}/${arr(o(pod.spec).initContainers).length}`
    initializing = true
  })
  if (!initializing) {
    let hasRunning = false
    for (const c of [...arr(status.containerStatuses)].reverse()) {
      const state = o(c.state)
      if (isObj(state.waiting) && state.waiting.reason) reason = String(state.waiting.reason)
      else if (isObj(state.terminated) && state.terminated.reason) reason = String(state.terminated.reason)
      else if (isObj(state.terminated)) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`
      else if (c.ready && isObj(state.running)) hasRunning = true
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = arr(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True')
      reason = ready ? 'Running' : 'NotReady'
    }
  }
  if (meta.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown'
  else if (meta.deletionTimestamp) reason = 'Terminating'
  return reason
}

function podRestarts(pod: Obj, now: number): string {
  let restarts = 0
  let last = 0
  for (const c of arr(o(pod.status).containerStatuses)) {
    restarts += Number(c.restartCount ?? 0)
    const term = o(o(c.lastState).terminated)
    if (typeof term.finishedAt === 'string') last = Math.max(last, Date.parse(term.finishedAt))
  }
  return last > 0 && restarts > 0 ? `${restarts} (${humanDuration(now - last)} ago)` : String(restarts)
}

interface Printer {
  columns: ColumnDefinition[]
  cells(obj: Obj, now: number): unknown[]
}

const printers: Record<string, Printer> = {
  Pod: {
    columns: [nameCol, col('Ready', 'string', 0, '', 'The aggregate readiness state of this pod for accepting traffic.'), col('Status', 'string', 0, '', 'The aggregate status of the containers in this pod.'), col('Restarts', 'string', 0, '', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'), ageCol, col('IP', 'string', 1, '', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'), col('Node', 'string', 1, '', 'NodeName is a request to schedule this pod onto a specific node.'), col('Nominated Node', 'string', 1, '', 'nominatedNodeName is set only when this pod preempts other pods on the node.'), col('Readiness Gates', 'string', 1, '', 'If specified, all readiness gates will be evaluated for pod readiness.')],
    cells(pod, now) {
      const spec = o(pod.spec)
      const status = o(pod.status)
      const total = arr(spec.containers).length
      const ready = arr(status.containerStatuses).filter((c) => c.ready).length
      const gates = arr(spec.readinessGates)
      let gateCell = none
      if (gates.length) {
        const conds = arr(status.conditions)
        const ok = gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length
        gateCell = `${ok}/${gates.length}`
      }
      return [o(pod.metadata).name, `${ready}/${total}`, podStatusReason(pod), podRestarts(pod, now), age(pod, now), orNone(status.podIP), orNone(spec.nodeName), orNone(status.nominatedNodeName), gateCell]
    },
  },
  Namespace: {
    columns: [nameCol, col('Status', 'string', 0, '', 'The status of the namespace'), ageCol],
    cells: (ns, now) => [o(ns.metadata).name, String(o(ns.status).phase ?? ''), age(ns, now)],
  },
  Node: {
    columns: [nameCol, col('Status', 'string', 0, '', 'The status of the node'), col('Roles', 'string', 0, '', 'The roles of the node'), ageCol, col('Version', 'string', 0, '', 'Kubelet Version reported by the node.'), col('Internal-IP', 'string', 1, '', 'List of addresses reachable to the node. Queried from cloud provider, if available.'), col('External-IP', 'string', 1, '', 'List of addresses reachable to the node. Queried from cloud provider, if available.'), col('OS-Image', 'string', 1, '', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'), col('Kernel-Version', 'string', 1, '', 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).'), col('Container-Runtime', 'string', 1, '', 'Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).')],
    cells(node, now) {
      const status = o(node.status)
      const spec = o(node.spec)
      const ready = arr(status.conditions).find((c) => c.type === 'Ready')
      const states = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown']
      if (spec.unschedulable) states.push('SchedulingDisabled')
      const labels = o(o(node.metadata).labels) as Record<string, string>
      const roles = Object.keys(labels)
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length))
        .filter(Boolean)
      if (labels['kubernetes.io/role']) roles.push(labels['kubernetes.io/role'])
      const info = o(status.nodeInfo)
      const addr = (t: string) => arr(status.addresses).find((a) => a.type === t)?.address
      return [o(node.metadata).name, states.join(','), roles.length ? roles.sort().join(',') : none, age(node, now), String(info.kubeletVersion ?? ''), orNone(addr('InternalIP')), orNone(addr('ExternalIP')), String(info.osImage ?? '<unknown>'), String(info.kernelVersion ?? '<unknown>'), String(info.containerRuntimeVersion ?? '<unknown>')]
    },
  },
  Service: {
    columns: [nameCol, col('Type', 'string', 0, '', 'type determines how the Service is exposed.'), col('Cluster-IP', 'string', 0, '', 'clusterIP is the IP address of the service and is usually assigned randomly.'), col('External-IP', 'string', 0, '', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'), col('Port(s)', 'string', 0, '', 'The list of ports that are exposed by this service.'), ageCol, col('Selector', 'string', 1, '', 'Route service traffic to pods with label keys and values matching this selector.')],
    cells(svc, now) {
      const spec = o(svc.spec)
      const type = String(spec.type ?? 'ClusterIP')
      let external = none
      const ingress = arr(o(o(svc.status).loadBalancer).ingress).map((i) => i.ip || i.hostname)
      const externalIPs = (Array.isArray(spec.externalIPs) ? spec.externalIPs : []) as string[]
      if (type === 'ExternalName') external = String(spec.externalName ?? none)
      else if (type === 'LoadBalancer') external = [...ingress, ...externalIPs].join(',') || '<pending>'
      else if (externalIPs.length) external = externalIPs.join(',')
      const ports = arr(spec.ports).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
      return [o(svc.metadata).name, type, orNone(spec.clusterIP), external, ports.length ? ports.join(',') : none, age(svc, now), mapSelector(spec.selector)]
    },
  },
  Endpoints: {
    columns: [nameCol, col('Endpoints', 'string', 0, '', 'Endpoints of the endpoints.'), ageCol],
    cells(ep, now) {
      const list: string[] = []
      for (const s of arr(ep.subsets)) {
        const ports = arr(s.ports)
        for (const a of arr(s.addresses)) {
          if (ports.length === 0) list.push(String(a.ip))
          for (const p of ports) list.push(`${a.ip}:${p.port}`)
        }
      }
      const shown = list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',')
      return [o(ep.metadata).name, shown || none, age(ep, now)]
    },
  },
  ConfigMap: {
    columns: [nameCol, col('Data', 'integer', 0, '', 'Data contains the configuration data.'), ageCol],
    cells: (cm, now) => [o(cm.metadata).name, Object.keys(o(cm.data)).length + Object.keys(o(cm.binaryData)).length, age(cm, now)],
  },
  Secret: {
    columns: [nameCol, col('Type', 'string', 0, '', 'The type of the secret'), col('Data', 'integer', 0, '', 'Data contains the secret data.'), ageCol],
    cells: (s, now) => [o(s.metadata).name, String(s.type ?? 'Opaque'), Object.keys(o(s.data)).length, age(s, now)],
  },
  ServiceAccount: {
    columns: [nameCol, col('Secrets', 'string', 0, '', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageCol],
    cells: (sa, now) => [o(sa.metadata).name, arr(sa.secrets).length, age(sa, now)],
  },
  Event: {
    columns: [col('Last Seen', 'string', 0, '', 'The time at which the most recent occurrence of this event was recorded.'), col('Type', 'string', 0, '', 'Type of this event (Normal, Warning), new types could be added in the future.'), col('Reason', 'string', 0, '', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'), col('Object', 'string', 0, '', 'The object that this event is about.'), col('Subobject', 'string', 1, '', 'The subobject that this event is about.'), col('Source', 'string', 1, '', 'The component reporting this event.'), col('Message', 'string', 0, '', 'A human-readable description of the status of this operation.'), col('First Seen', 'string', 1, '', 'The time at which the event was first recorded.'), col('Count', 'string', 1, '', 'The number of times this event has occurred.'), col('Name', 'string', 1, 'name', 'The name of the event.')],
    cells(ev, now) {
      const io = o(ev.involvedObject)
      const last = ev.series ? o(ev.series).lastObservedTime : ev.lastTimestamp || ev.eventTime || o(ev.metadata).creationTimestamp
      const first = ev.firstTimestamp || ev.eventTime || o(ev.metadata).creationTimestamp
      const count = ev.series ? Number(o(ev.series).count ?? 1) : Number(ev.count ?? 1)
      const src = o(ev.source)
      const source = src.component ? `${src.component}${src.host ? `, ${src.host}` : ''}` : String(ev.reportingComponent ?? '')
      return [since(last, now), String(ev.type ?? ''), String(ev.reason ?? ''), `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, String(io.fieldPath ?? ''), source, String(ev.message ?? '').trim(), since(first, now), String(count), o(ev.metadata).name]
    },
  },
  Deployment: {
    columns: [nameCol, col('Ready', 'string', 0, '', 'Number of the pod with ready state'), col('Up-to-date', 'string', 0, '', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'), col('Available', 'string', 0, '', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'), ageCol, col('Containers', 'string', 1, '', 'Names of each container in the template.'), col('Images', 'string', 1, '', 'Images referenced by each container in the template.'), col('Selector', 'string', 1, '', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.')],
    cells(d, now) {
      const spec = o(d.spec)
      const status = o(d.status)
      const [cs, images] = containersAndImages(o(o(spec.template).spec))
      return [o(d.metadata).name, `${status.readyReplicas ?? 0}/${spec.replicas ?? 0}`, Number(status.updatedReplicas ?? 0), Number(status.availableReplicas ?? 0), age(d, now), cs, images, selectorOf(spec.selector)]
    },
  },
  ReplicaSet: {
    columns: [nameCol, col('Desired', 'integer', 0, '', 'Number of desired pods.'), col('Current', 'integer', 0, '', 'Number of actual running pods.'), col('Ready', 'integer', 0, '', 'Number of ready pods.'), ageCol, col('Containers', 'string', 1, '', 'Names of each container in the template.'), col('Images', 'string', 1, '', 'Images referenced by each container in the template.'), col('Selector', 'string', 1, '', 'Label query over pods that should match the replica count.')],
    cells(rs, now) {
      const spec = o(rs.spec)
      const status = o(rs.status)
      const [cs, images] = containersAndImages(o(o(spec.template).spec))
      return [o(rs.metadata).name, Number(spec.replicas ?? 0), Number(status.replicas ?? 0), Number(status.readyReplicas ?? 0), age(rs, now), cs, images, selectorOf(spec.selector)]
    },
  },
  StatefulSet: {
    columns: [nameCol, col('Ready', 'string', 0, '', 'Number of the pod with ready state'), ageCol, col('Containers', 'string', 1, '', 'Names of each container in the template.'), col('Images', 'string', 1, '', 'Images referenced by each container in the template.')],
    cells(s, now) {
      const spec = o(s.spec)
      const [cs, images] = containersAndImages(o(o(spec.template).spec))
      return [o(s.metadata).name, `${o(s.status).readyReplicas ?? 0}/${spec.replicas ?? 0}`, age(s, now), cs, images]
    },
  },
  DaemonSet: {
    columns: [nameCol, col('Desired', 'integer', 0, '', 'The total number of nodes that should be running the daemon pod.'), col('Current', 'integer', 0, '', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'), col('Ready', 'integer', 0, '', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'), col('Up-to-date', 'integer', 0, '', 'The total number of nodes that are running updated daemon pod'), col('Available', 'integer', 0, '', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'), col('Node Selector', 'string', 0, '', 'NodeSelector is a selector which must be true for the pod to fit on a node.'), ageCol, col('Containers', 'string', 1, '', 'Names of each container in the template.'), col('Images', 'string', 1, '', 'Images referenced by each container in the template.'), col('Selector', 'string', 1, '', 'A label query over pods that are managed by the daemon set.')],
    cells(ds, now) {
      const spec = o(ds.spec)
      const status = o(ds.status)
      const [cs, images] = containersAndImages(o(o(spec.template).spec))
      return [o(ds.metadata).name, Number(status.desiredNumberScheduled ?? 0), Number(status.currentNumberScheduled ?? 0), Number(status.numberReady ?? 0), Number(status.updatedNumberScheduled ?? 0), Number(status.numberAvailable ?? 0), mapSelector(o(o(spec.template).spec).nodeSelector), age(ds, now), cs, images, selectorOf(spec.selector)]
    },
  },
  Job: {
    columns: [nameCol, col('Status', 'string', 0, '', 'Status of the job.'), col('Completions', 'string', 0, '', 'The desired number of successfully finished pods the job should be run with.'), col('Duration', 'string', 0, '', 'Time required to complete the job.'), ageCol, col('Containers', 'string', 1, '', 'Names of each container in the template.'), col('Images', 'string', 1, '', 'Images referenced by each container in the template.'), col('Selector', 'string', 1, '', 'A label query over pods that should match the pod count.')],
    cells(job, now) {
      const spec = o(job.spec)
      const status = o(job.status)
      const conds = arr(status.conditions)
      const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True')
      const state = has('Complete') ? 'Complete' : has('Failed') ? 'Failed' : has('FailureTarget') ? 'FailureTarget' : has('SuccessCriteriaMet') ? 'SuccessCriteriaMet' : spec.suspend ? 'Suspended' : 'Running'
      const completions = spec.completions !== undefined && spec.completions !== null ? `${status.succeeded ?? 0}/${spec.completions}` : `${status.succeeded ?? 0}/1 of ${spec.parallelism ?? 1}`
      let duration = ''
      if (typeof status.startTime === 'string') {
        const end = typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : now
        duration = humanDuration(end - Date.parse(status.startTime))
      }
      const [cs, images] = containersAndImages(o(o(spec.template).spec))
      return [o(job.metadata).name, state, completions, duration, age(job, now), cs, images, selectorOf(spec.selector)]
    },
  },
  CronJob: {
    columns: [nameCol, col('Schedule', 'string', 0, '', 'The schedule in Cron format'), col('Timezone', 'string', 0, '', 'The time zone name for the given schedule'), col('Suspend', 'boolean', 0, '', 'This flag tells the controller to suspend subsequent executions.'), col('Active', 'integer', 0, '', 'A list of pointers to currently running jobs.'), col('Last Schedule', 'string', 0, '', 'Information when was the last time the job was successfully scheduled.'), ageCol, col('Containers', 'string', 1, '', 'Names of each container in the template.'), col('Images', 'string', 1, '', 'Images referenced by each container in the template.'), col('Selector', 'string', 1, '', 'A label query over pods that should match the pod count.')],
    cells(cj, now) {
      const spec = o(cj.spec)
      const status = o(cj.status)
      const jspec = o(o(spec.jobTemplate).spec)
      const [cs, images] = containersAndImages(o(o(jspec.template).spec))
      return [o(cj.metadata).name, String(spec.schedule ?? ''), orNone(spec.timeZone), spec.suspend ? 'True' : 'False', arr(status.active).length, typeof status.lastScheduleTime === 'string' ? since(status.lastScheduleTime, now) : none, age(cj, now), cs, images, selectorOf(jspec.selector)]
    },
  },
  PersistentVolume: {
    columns: [nameCol, col('Capacity'), col('Access Modes'), col('Reclaim Policy'), col('Status'), col('Claim'), col('StorageClass'), col('VolumeAttributesClass'), col('Reason'), ageCol, col('VolumeMode', 'string', 1)],
    cells(pv, now) {
      const spec = o(pv.spec)
      const ref = o(spec.claimRef)
      return [o(pv.metadata).name, String(o(spec.capacity).storage ?? ''), accessModes(spec.accessModes), String(spec.persistentVolumeReclaimPolicy ?? ''), String(o(pv.status).phase ?? ''), ref.name ? `${ref.namespace}/${ref.name}` : '', String(spec.storageClassName ?? ''), orNone(spec.volumeAttributesClassName), String(o(pv.status).reason ?? ''), age(pv, now), String(spec.volumeMode ?? '')]
    },
  },
  PersistentVolumeClaim: {
    columns: [nameCol, col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), col('VolumeAttributesClass'), ageCol, col('VolumeMode', 'string', 1)],
    cells(pvc, now) {
      const spec = o(pvc.spec)
      const status = o(pvc.status)
      const bound = Boolean(spec.volumeName)
      return [o(pvc.metadata).name, String(status.phase ?? ''), String(spec.volumeName ?? ''), bound ? String(o(status.capacity).storage ?? '') : '', bound ? accessModes(status.accessModes) : '', String(spec.storageClassName ?? ''), orNone(spec.volumeAttributesClassName), age(pvc, now), String(spec.volumeMode ?? '')]
    },
  },
  LimitRange: {columns: [nameCol, createdAtCol], cells: (x) => [o(x.metadata).name, o(x.metadata).creationTimestamp]},
  ResourceQuota: {
    columns: [nameCol, ageCol, col('Request', 'string', 0, '', 'Request represents a minimum amount of cpu/memory that a container may consume.'), col('Limit', 'string', 0, '', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.')],
    cells(q, now) {
      const hard = o(o(q.status).hard)
      const used = o(o(q.status).used)
      const req: string[] = []
      const lim: string[] = []
      for (const k of Object.keys(hard).sort()) {
        const entry = `${k}: ${used[k] ?? '0'}/${hard[k]}`
        if (k.startsWith('limits.')) lim.push(entry)
        else req.push(entry)
      }
      return [o(q.metadata).name, age(q, now), req.join(', '), lim.join(', ')]
    },
  },
  Lease: {
    columns: [nameCol, col('Holder', 'string', 0, '', 'The holder of the lease'), ageCol],
    cells: (l, now) => [o(l.metadata).name, String(o(l.spec).holderIdentity ?? ''), age(l, now)],
  },
  EndpointSlice: {
    columns: [nameCol, col('AddressType', 'string', 0, '', 'The IP protocol for this slice'), col('Ports', 'string', 0, '', 'The ports defined for this slice'), col('Endpoints', 'string', 0, '', 'The endpoints of this slice'), ageCol],
    cells(s, now) {
      const ports = arr(s.ports).map((p) => String(p.port ?? ''))
      const addrs = arr(s.endpoints).flatMap((e) => (Array.isArray(e.addresses) ? (e.addresses as string[]) : []))
      const shown = addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',')
      return [o(s.metadata).name, String(s.addressType ?? ''), ports.length ? ports.join(',') : '<unset>', shown || '<unset>', age(s, now)]
    },
  },
  Role: {columns: [nameCol, createdAtCol], cells: (x) => [o(x.metadata).name, o(x.metadata).creationTimestamp]},
  ClusterRole: {columns: [nameCol, createdAtCol], cells: (x) => [o(x.metadata).name, o(x.metadata).creationTimestamp]},
  RoleBinding: {
    columns: [nameCol, col('Role', 'string', 0, '', 'RoleRef to the role being bound.'), ageCol, col('Users', 'string', 1, '', 'Users in the roleBinding'), col('Groups', 'string', 1, '', 'Groups in the roleBinding'), col('ServiceAccounts', 'string', 1, '', 'ServiceAccounts in the roleBinding')],
    cells: (b, now) => bindingCells(b, now),
  },
  ClusterRoleBinding: {
    columns: [nameCol, col('Role', 'string', 0, '', 'RoleRef to the role being bound.'), ageCol, col('Users', 'string', 1, '', 'Users in the roleBinding'), col('Groups', 'string', 1, '', 'Groups in the roleBinding'), col('ServiceAccounts', 'string', 1, '', 'ServiceAccounts in the roleBinding')],
    cells: (b, now) => bindingCells(b, now),
  },
  PodDisruptionBudget: {
    columns: [nameCol, col('Min Available', 'string', 0, '', 'The minimum number of pods that must be available simultaneously'), col('Max Unavailable', 'string', 0, '', 'The maximum number of pods that may be unavailable simultaneously'), col('Allowed Disruptions', 'integer', 0, '', 'Calculated number of pods that may be disrupted at this time'), ageCol],
    cells(p, now) {
      const spec = o(p.spec)
      return [o(p.metadata).name, spec.minAvailable !== undefined ? String(spec.minAvailable) : 'N/A', spec.maxUnavailable !== undefined ? String(spec.maxUnavailable) : 'N/A', Number(o(p.status).disruptionsAllowed ?? 0), age(p, now)]
    },
  },
  ControllerRevision: {
    columns: [nameCol, col('Controller', 'string', 0, '', 'Controller of the object'), col('Revision', 'integer', 0, '', 'Revision of the ControllerRevision'), ageCol],
    cells(r, now) {
      const owner = arr(o(r.metadata).ownerReferences).find((x) => x.controller)
      const controller = owner ? `${String(owner.kind).toLowerCase()}.${String(owner.apiVersion).split('/')[0] === owner.apiVersion ? '' : String(owner.apiVersion).split('/')[0]}/${owner.name}`.replace('./', '/') : none
      return [o(r.metadata).name, controller, Number(r.revision ?? 0), age(r, now)]
    },
  },
}

function accessModes(modes: unknown): string {
  const short: Record<string, string> = {ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP'}
  return ((Array.isArray(modes) ? modes : []) as string[]).map((m) => short[m] ?? m).join(',')
}

function bindingCells(b: Obj, now: number): unknown[] {
  const ref = o(b.roleRef)
  const subjects = arr(b.subjects)
  const users = subjects.filter((s) => s.kind === 'User').map((s) => s.name)
  const groups = subjects.filter((s) => s.kind === 'Group').map((s) => s.name)
  const sas = subjects.filter((s) => s.kind === 'ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name}`)
  return [o(b.metadata).name, `${ref.kind}/${ref.name}`, age(b, now), users.join(', '), groups.join(', '), sas.join(', ')]
}

/** A JSONPath of a CRD printer column (the simple `.a.b[0].c` form CRDs use). */
function jsonPathValue(obj: unknown, path: string): unknown {
  let cur: unknown = obj
  const parts = path.replace(/^\./, '').split('.').filter(Boolean)
  for (const part of parts) {
    const m = part.match(/^([^[]+)((\[\d+\])*)$/)
    if (!m) return undefined
    cur = isObj(cur) ? cur[m[1]] : undefined
    for (const idx of m[2].match(/\d+/g) ?? []) cur = Array.isArray(cur) ? cur[Number(idx)] : undefined
  }
  return cur
}

function customPrinter(columns: PrinterColumn[]): Printer {
  const defs = columns.map((c) => col(c.name, c.type === 'date' ? 'date' : c.type, c.priority ?? 0, c.format ?? '', c.description ?? ''))
  const hasAge = columns.some((c) => c.jsonPath === '.metadata.creationTimestamp')
  return {
    columns: [nameCol, ...defs, ...(hasAge ? [] : [ageCol])],
    cells(obj, now) {
      const cells = columns.map((c) => {
        const v = jsonPathValue(obj, c.jsonPath)
        if (c.type === 'date' && typeof v === 'string') return since(v, now)
        if (v === undefined || v === null) return null
        return typeof v === 'object' ? JSON.stringify(v) : v
      })
      return [o(obj.metadata).name, ...cells, ...(hasAge ? [] : [age(obj, now)])]
    },
  }
}

const defaultPrinter: Printer = {columns: [nameCol, createdAtCol], cells: (x) => [o(x.metadata).name, o(x.metadata).creationTimestamp]}

export function printerFor(def: ResourceDef): Printer {
  if (def.custom) return def.custom.printerColumns.length ? customPrinter(def.custom.printerColumns) : {columns: [nameCol, ageCol], cells: (x, now) => [o(x.metadata).name, age(x, now)]}
  return printers[def.kind] ?? defaultPrinter
}

export type IncludeObject = 'None' | 'Metadata' | 'Object'

function partialMetadata(obj: Obj): Obj {
  return {kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata}
}

/** A Table of `objects` (a list's items, or one object, or one watch event's). */
export function toTable(def: ResourceDef, objects: Obj[], opts: {include: IncludeObject; listMeta?: Obj; withColumns?: boolean; now?: number}): Obj {
  const printer = printerFor(def)
  const now = opts.now ?? Date.now()
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    ...(opts.withColumns === false ? {} : {columnDefinitions: printer.columns}),
    rows: objects.map((obj) => ({
      cells: printer.cells(obj, now),
      ...(opts.include === 'None' ? {} : {object: opts.include === 'Object' ? obj : partialMetadata(obj)}),
    })),
  }
}
