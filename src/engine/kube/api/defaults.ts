// Defaulting, as kube-apiserver's SetDefaults_* functions and create strategies fill a new
// object: what `kubectl get -o yaml` shows that the manifest never said.
type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const child = (o: Obj, key: string): Obj => {
  if (!isObj(o[key])) o[key] = {}
  return o[key] as Obj
}
const setIfAbsent = (o: Obj, key: string, value: unknown) => {
  if (o[key] === undefined || o[key] === null) o[key] = value
}

/** An image pulled `Always` when it has no tag or the tag `latest`, as Kubernetes decides. */
function pullPolicyFor(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent'
  if (image.includes('@')) return 'IfNotPresent'
  const lastSlash = image.lastIndexOf('/')
  const tagAt = image.lastIndexOf(':')
  if (tagAt <= lastSlash) return 'Always'
  return image.slice(tagAt + 1) === 'latest' ? 'Always' : 'IfNotPresent'
}

function defaultContainer(c: Obj): void {
  setIfAbsent(c, 'imagePullPolicy', pullPolicyFor(c.image))
  setIfAbsent(c, 'terminationMessagePath', '/dev/termination-log')
  setIfAbsent(c, 'terminationMessagePolicy', 'File')
  setIfAbsent(c, 'resources', {})
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) setIfAbsent(p, 'protocol', 'TCP')
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const pr = c[probe]
    if (!isObj(pr)) continue
    setIfAbsent(pr, 'timeoutSeconds', 1)
    setIfAbsent(pr, 'periodSeconds', 10)
    setIfAbsent(pr, 'successThreshold', 1)
    setIfAbsent(pr, 'failureThreshold', 3)
    if (isObj(pr.httpGet)) {
      setIfAbsent(pr.httpGet, 'scheme', 'HTTP')
      setIfAbsent(pr.httpGet, 'path', '/')
    }
  }
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      const from = isObj(e) && isObj(e.valueFrom) ? e.valueFrom : undefined
      if (from && isObj(from.fieldRef)) setIfAbsent(from.fieldRef, 'apiVersion', 'v1')
    }
  }
}

export function defaultPodSpec(spec: Obj): void {
  setIfAbsent(spec, 'restartPolicy', 'Always')
  setIfAbsent(spec, 'dnsPolicy', 'ClusterFirst')
  setIfAbsent(spec, 'terminationGracePeriodSeconds', 30)
  setIfAbsent(spec, 'schedulerName', 'default-scheduler')
  setIfAbsent(spec, 'securityContext', {})
  setIfAbsent(spec, 'enableServiceLinks', true)
  for (const list of ['containers', 'initContainers']) {
    if (Array.isArray(spec[list])) for (const c of spec[list] as unknown[]) if (isObj(c)) defaultContainer(c)
  }
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) {
      if (!isObj(v)) continue
      if (isObj(v.secret)) setIfAbsent(v.secret, 'defaultMode', 420)
      if (isObj(v.configMap)) setIfAbsent(v.configMap, 'defaultMode', 420)
      if (isObj(v.hostPath)) setIfAbsent(v.hostPath, 'type', '')
      const known = Object.keys(v).filter((k) => k !== 'name')
      if (known.length === 0) v.emptyDir = {}
    }
  }
}

function defaultTemplate(spec: Obj): void {
  const template = child(spec, 'template')
  const tmeta = child(template, 'metadata')
  void tmeta
  defaultPodSpec(child(template, 'spec'))
}

/** The QoS class kube-apiserver computes for a new pod. */
export function qosClass(spec: Obj): string {
  const containers = [...((spec.containers as Obj[]) ?? []), ...((spec.initContainers as Obj[]) ?? [])]
  let any = false
  let guaranteed = true
  for (const c of containers) {
    const res = isObj(c.resources) ? c.resources : {}
    const req = isObj(res.requests) ? res.requests : {}
    const lim = isObj(res.limits) ? res.limits : {}
    if (Object.keys(req).length || Object.keys(lim).length) any = true
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

type Defaulter = (obj: Obj, ctx: {create: boolean}) => void

const defaulters: Record<string, Defaulter> = {
  Pod(obj, ctx) {
    const spec = child(obj, 'spec')
    defaultPodSpec(spec)
    if (!Array.isArray(spec.tolerations)) spec.tolerations = []
    const tolerations = spec.tolerations as Obj[]
    // DefaultTolerationSeconds admission: five minutes on not-ready and unreachable nodes.
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      if (!tolerations.some((t) => t.key === key)) tolerations.push({key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300})
    }
    setIfAbsent(spec, 'priority', 0)
    setIfAbsent(spec, 'preemptionPolicy', 'PreemptLowerPriority')
    if (ctx.create) {
      const status = child(obj, 'status')
      setIfAbsent(status, 'phase', 'Pending')
      setIfAbsent(status, 'qosClass', qosClass(spec))
    }
  },
  Deployment(obj) {
    const spec = child(obj, 'spec')
    setIfAbsent(spec, 'replicas', 1)
    const strategy = child(spec, 'strategy')
    setIfAbsent(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') {
      const ru = child(strategy, 'rollingUpdate')
      setIfAbsent(ru, 'maxUnavailable', '25%')
      setIfAbsent(ru, 'maxSurge', '25%')
    }
    setIfAbsent(spec, 'revisionHistoryLimit', 10)
    setIfAbsent(spec, 'progressDeadlineSeconds', 600)
    defaultTemplate(spec)
  },
  ReplicaSet(obj) {
    const spec = child(obj, 'spec')
    setIfAbsent(spec, 'replicas', 1)
    defaultTemplate(spec)
  },
  StatefulSet(obj) {
    const spec = child(obj, 'spec')
    setIfAbsent(spec, 'replicas', 1)
    setIfAbsent(spec, 'podManagementPolicy', 'OrderedReady')
    const us = child(spec, 'updateStrategy')
    setIfAbsent(us, 'type', 'RollingUpdate')
    if (us.type === 'RollingUpdate') setIfAbsent(child(us, 'rollingUpdate'), 'partition', 0)
    setIfAbsent(spec, 'revisionHistoryLimit', 10)
    const retention = child(spec, 'persistentVolumeClaimRetentionPolicy')
    setIfAbsent(retention, 'whenDeleted', 'Retain')
    setIfAbsent(retention, 'whenScaled', 'Retain')
    defaultTemplate(spec)
  },
  DaemonSet(obj) {
    const spec = child(obj, 'spec')
    const us = child(spec, 'updateStrategy')
    setIfAbsent(us, 'type', 'RollingUpdate')
    if (us.type === 'RollingUpdate') {
      const ru = child(us, 'rollingUpdate')
      setIfAbsent(ru, 'maxUnavailable', 1)
      setIfAbsent(ru, 'maxSurge', 0)
    }
    setIfAbsent(spec, 'revisionHistoryLimit', 10)
    defaultTemplate(spec)
  },
  Job(obj) {
    const spec = child(obj, 'spec')
    if (spec.completions === undefined && spec.parallelism === undefined) {
      spec.completions = 1
      spec.parallelism = 1
    }
    setIfAbsent(spec, 'parallelism', 1)
    setIfAbsent(spec, 'backoffLimit', 6)
    setIfAbsent(spec, 'completionMode', 'NonIndexed')
    setIfAbsent(spec, 'suspend', false)
    setIfAbsent(spec, 'podReplacementPolicy', 'TerminatingOrFailed')
    setIfAbsent(spec, 'manualSelector', undefined)
    if (spec.manualSelector === undefined) delete spec.manualSelector
    defaultTemplate(spec)
  },
  CronJob(obj) {
    const spec = child(obj, 'spec')
    setIfAbsent(spec, 'concurrencyPolicy', 'Allow')
    setIfAbsent(spec, 'suspend', false)
    setIfAbsent(spec, 'successfulJobsHistoryLimit', 3)
    setIfAbsent(spec, 'failedJobsHistoryLimit', 1)
    const jt = child(spec, 'jobTemplate')
    defaulters.Job(jt, {create: false})
  },
  Service(obj) {
    const spec = child(obj, 'spec')
    setIfAbsent(spec, 'type', 'ClusterIP')
    setIfAbsent(spec, 'sessionAffinity', 'None')
    if (spec.type !== 'ExternalName') {
      setIfAbsent(spec, 'internalTrafficPolicy', 'Cluster')
      setIfAbsent(spec, 'ipFamilies', ['IPv4'])
      setIfAbsent(spec, 'ipFamilyPolicy', 'SingleStack')
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setIfAbsent(spec, 'externalTrafficPolicy', 'Cluster')
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isObj(p)) continue
        setIfAbsent(p, 'protocol', 'TCP')
        setIfAbsent(p, 'targetPort', p.port)
      }
    }
    setIfAbsent(child(obj, 'status'), 'loadBalancer', {})
  },
  Namespace(obj, ctx) {
    const meta = child(obj, 'metadata')
    const labels = child(meta, 'labels')
    if (typeof meta.name === 'string') labels['kubernetes.io/metadata.name'] = meta.name
    if (ctx.create) {
      setIfAbsent(child(obj, 'spec'), 'finalizers', ['kubernetes'])
      child(obj, 'status').phase = 'Active'
    }
  },
  Secret(obj) {
    setIfAbsent(obj, 'type', 'Opaque')
  },
  PersistentVolume(obj, ctx) {
    const spec = child(obj, 'spec')
    setIfAbsent(spec, 'persistentVolumeReclaimPolicy', 'Retain')
    setIfAbsent(spec, 'volumeMode', 'Filesystem')
    if (ctx.create) setIfAbsent(child(obj, 'status'), 'phase', 'Pending')
  },
  PersistentVolumeClaim(obj, ctx) {
    const spec = child(obj, 'spec')
    setIfAbsent(spec, 'volumeMode', 'Filesystem')
    if (ctx.create) setIfAbsent(child(obj, 'status'), 'phase', 'Pending')
  },
  EndpointSlice(obj) {
    if (Array.isArray(obj.ports)) for (const p of obj.ports) if (isObj(p)) setIfAbsent(p, 'protocol', 'TCP')
  },
  Endpoints(obj) {
    if (Array.isArray(obj.subsets)) {
      for (const s of obj.subsets) if (isObj(s) && Array.isArray(s.ports)) for (const p of s.ports) if (isObj(p)) setIfAbsent(p, 'protocol', 'TCP')
    }
  },
}

/** Fills in the defaults of `kind` (in place). Kinds without defaults are left as they are. */
export function applyDefaults(kind: string, obj: Obj, ctx: {create: boolean}): void {
  defaulters[kind]?.(obj, ctx)
}
