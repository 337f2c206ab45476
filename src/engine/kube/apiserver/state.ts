// The server's state and its background duties: storage, the watch cache, the resource table
// kept in step with CustomResourceDefinitions, the built-in namespaces, service IP allocation,
// the scale subresource, and emptying namespaces being deleted.
import {randomInt} from 'node:crypto'
import type {EtcdClient, EtcdWatchLeaseClient} from '../../../client/etcd/client.js'
import {type PrinterColumn, type ResourceDef, type ResourceRegistry, virtualKinds, allVerbs} from '../api/registry.js'
import {parseLabelSelectorObject, selectorString} from '../api/selectors.js'
import {Status, StatusError} from '../api/status.js'
import type {Authorizer, Caller} from './authz.js'
import type {Writer} from './managed-fields/manager.js'
import {rfc3339} from './metadata.js'
import {bootstrapPolicy} from './rbac.js'
import {applyLimitRanges, checkQuotas} from './admission.js'
import {qosClass} from '../api/defaults.js'
import {ServiceAccountTokens} from './sa-tokens.js'
import {Objects} from './objects.js'
import {collectionPrefix, decode, ObjectStorage, type Obj} from './storage.js'
import {WatchCache} from './watch-cache.js'

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const o = (v: unknown): Obj => (isObj(v) ? v : {})

export const builtinNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

/** The service network (kube-apiserver's default --service-cluster-ip-range) and node ports. */
const serviceNetBase = (10 << 24) | (96 << 16)
const serviceNetSize = 1 << 20
export const kubernetesServiceIP = '10.96.0.1'
const nodePortMin = 30000
const nodePortMax = 32767

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0
}
function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** The value at a dot-separated path. */
function at(obj: Obj, path: string): unknown {
  let cur: unknown = obj
  for (const p of path.split('.')) cur = isObj(cur) ? cur[p] : undefined
  return cur
}
function setAt(obj: Obj, path: string, value: unknown): void {
  const parts = path.split('.')
  let cur = obj
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {}
    cur = cur[p] as Obj
  }
  cur[parts[parts.length - 1]] = value
}

export class ApiState {
  readonly storage: ObjectStorage
  readonly objects: Objects
  readonly cache: WatchCache
  readonly saTokens: ServiceAccountTokens
  private allocating: Promise<unknown> = Promise.resolve()
  private namespaceTimer: ReturnType<typeof setInterval> | undefined
  private compactTimer: ReturnType<typeof setInterval> | undefined
  /** kube-apiserver's --etcd-compaction-interval default. */
  compactIntervalMs = 5 * 60_000
  private sweeping: Promise<void> | undefined
  private closed = false
  private crdSub: {cancel(): void} | undefined
  private readonly followers: {cancel(): void}[] = []

  constructor(
    private readonly etcd: EtcdClient & EtcdWatchLeaseClient,
    readonly registry: ResourceRegistry,
    readonly now: () => number,
    serviceAccountKey?: string | Buffer,
  ) {
    this.saTokens = new ServiceAccountTokens(serviceAccountKey)
    this.storage = new ObjectStorage(etcd)
    this.objects = new Objects(this.storage, now, () => this.def('', 'Namespace'))
    this.cache = new WatchCache(etcd)
    this.objects.hooks = {
      beforeCreate: (def, obj) => this.beforeCreate(def, obj),
      afterWrite: (def, obj, name) => this.afterWrite(def, obj, name),
    }
  }

  def(group: string, kind: string): ResourceDef {
    const def = this.registry.byKind(group, kind)
    if (!def) throw new Error(`no resource for kind ${kind}`)
    return def
  }

  async start(): Promise<void> {
    await this.cache.start()
    const crds = this.def('apiextensions.k8s.io', 'CustomResourceDefinition')
    const page = await this.storage.list(crds, undefined, {limit: 0})
    for (const crd of page.items) this.registerCrd(crd)
    // CRDs written by other API servers on the same store reach this one through the cache.
    this.crdSub = this.cache.subscribe(
      collectionPrefix(crds),
      page.revision,
      (e) => {
        if (e.value) this.registerCrd(decode({key: Buffer.alloc(0), value: e.value, modRevision: e.revision, createRevision: 0n, version: 0n, lease: 0n}))
        else this.registry.setCustom(e.key.slice(collectionPrefix(crds).length), [])
      },
      () => undefined,
    )
    await this.bootstrap()
    await this.bootstrapPolicy()
    this.namespaceTimer = setInterval(() => this.sweepNamespaces(), 1000)
    this.namespaceTimer.unref()
    // kube-apiserver's compactor: each interval, compact to the revision seen one interval ago.
    let previous = this.cache.revision
    this.compactTimer = setInterval(() => {
      const target = previous
      previous = this.cache.revision
      if (target > 1n) void this.compact(target).catch(() => undefined)
    }, this.compactIntervalMs)
    this.compactTimer.unref()
  }

  /** Compacts the store's history to `revision` and the watch cache with it. */
  async compact(revision: bigint): Promise<void> {
    try {
      await this.etcd.compact({revision})
    } catch (error) {
      // Already compacted that far (another server's compactor): the cache follows all the same.
      if (!(error as Error).message.includes('compacted')) throw error
    }
    this.cache.compacted(revision)
  }

  close(): void {
    this.closed = true
    if (this.namespaceTimer) clearInterval(this.namespaceTimer)
    if (this.compactTimer) clearInterval(this.compactTimer)
    this.crdSub?.cancel()
    for (const f of this.followers) f.cancel()
    this.cache.close()
  }

  /** The namespaces every cluster has, and the `kubernetes` service, created when missing. */
  private async bootstrap(): Promise<void> {
    const nsDef = this.def('', 'Namespace')
    for (const name of builtinNamespaces) {
      if (await this.storage.get(nsDef, undefined, name)) continue
      await this.objects.create(nsDef, undefined, {metadata: {name}}).catch((e) => {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e
      })
    }
    const svcDef = this.def('', 'Service')
    if (!(await this.storage.get(svcDef, 'default', 'kubernetes'))) {
      await this.objects
        .create(svcDef, 'default', {
          metadata: {name: 'kubernetes', labels: {component: 'apiserver', provider: 'kubernetes'}},
          spec: {clusterIP: kubernetesServiceIP, ports: [{name: 'https', port: 443, protocol: 'TCP', targetPort: 6443}]},
        })
        .catch((e) => {
          if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e
        })
    }
  }

  /** The default cluster roles and bindings, created when missing (never overwritten). */
  private async bootstrapPolicy(): Promise<void> {
    const policy = bootstrapPolicy()
    const create = async (def: ResourceDef, obj: Obj) => {
      if (await this.storage.get(def, undefined, String(o(obj.metadata).name))) return
      await this.objects.create(def, undefined, obj).catch((e) => {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e
      })
    }
    for (const role of policy.clusterRoles) await create(this.def('rbac.authorization.k8s.io', 'ClusterRole'), role)
    for (const binding of policy.clusterRoleBindings) await create(this.def('rbac.authorization.k8s.io', 'ClusterRoleBinding'), binding)
  }

  /** Lists a kind, then follows its changes through the watch cache (for the authorizer). */
  async follow(group: string, kind: string, onChange: (key: string, obj: Obj | undefined) => void): Promise<void> {
    const def = this.def(group, kind)
    const page = await this.storage.list(def, undefined, {limit: 0})
    const prefix = collectionPrefix(def)
    for (const item of page.items) {
      const meta = o(item.metadata)
      onChange(`${prefix}${def.namespaced ? `${String(meta.namespace)}/` : ''}${String(meta.name)}`, item)
    }
    const sub = this.cache.subscribe(
      prefix,
      page.revision,
      (e) => onChange(e.key, e.value ? decode({key: Buffer.alloc(0), value: e.value, modRevision: e.revision, createRevision: 0n, version: 0n, lease: 0n}) : undefined),
      () => undefined,
    )
    this.followers.push(sub)
  }

  private async beforeCreate(def: ResourceDef, obj: Obj): Promise<void> {
    if (def.kind === 'Service' && !def.custom) await this.serialized(() => this.allocateService(obj))
    if (def.kind === 'Pod' && !def.custom) {
      // ServiceAccount admission: a pod runs as its namespace's `default` account unless told.
      const spec = o(obj.spec)
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default'
      spec.serviceAccount = spec.serviceAccountName
    }
    if (def.kind === 'CustomResourceDefinition') this.crdStatus(obj)
    const namespace = o(obj.metadata).namespace
    if (def.namespaced && typeof namespace === 'string' && namespace) {
      if (def.kind === 'Pod' && def.group === '') {
        const ranges = await this.storage.list(this.def('', 'LimitRange'), namespace, {limit: 0})
        applyLimitRanges(obj, ranges.items)
        // The QoS class follows the resources admission settled on.
        if (isObj(obj.status)) obj.status.qosClass = qosClass(o(obj.spec))
      }
      const quotas = await this.storage.list(this.def('', 'ResourceQuota'), namespace, {limit: 0})
      // Quota checks are serialized so two creates cannot both take the last unit; without quotas there is nothing to wait for.
      if (quotas.items.length > 0) await this.serialized(() => checkQuotas(def, obj, quotas.items, this.storage, this.registry))
    }
  }

  private async afterWrite(def: ResourceDef, obj: Obj | undefined, name: string): Promise<void> {
    if (def.kind === 'CustomResourceDefinition' && def.group === 'apiextensions.k8s.io') {
      if (obj) this.registerCrd(obj)
      else this.registry.setCustom(name, [])
    }
    if (def.kind === 'Namespace' && obj && o(obj.metadata).deletionTimestamp) void this.sweepNamespaces()
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.allocating.then(fn, fn)
    this.allocating = run.catch(() => undefined)
    return run
  }

  private async allocateService(svc: Obj): Promise<void> {
    const spec = o(svc.spec)
    svc.spec = spec
    const type = spec.type ?? 'ClusterIP'
    if (type === 'ExternalName') return
    const services = await this.storage.list(this.def('', 'Service'), undefined, {limit: 0})
    const usedIps = new Set(services.items.map((s) => String(o(s.spec).clusterIP ?? '')))
    const usedPorts = new Set(services.items.flatMap((s) => ((o(s.spec).ports as Obj[] | undefined) ?? []).map((p) => Number(p.nodePort ?? 0))))
    if (spec.clusterIP === 'None') spec.clusterIPs = ['None']
    else if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') {
      const n = ipToInt(spec.clusterIP)
      const inRange = n !== undefined && n >= serviceNetBase && n < serviceNetBase + serviceNetSize
      if (!inRange || usedIps.has(spec.clusterIP)) {
        const why = inRange ? 'provided IP is already allocated' : 'the provided IP (' + spec.clusterIP + ') is not in the valid range. The range of valid IPs is 10.96.0.0/12'
        throw Status.invalid('Service', '', String(o(svc.metadata).name), [{type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [spec.clusterIP], detail: `failed to allocate IP ${spec.clusterIP}: ${why}`}])
      }
      spec.clusterIPs = [spec.clusterIP]
    } else {
      let ip = ''
      for (let tries = 0; tries < 1000 && !ip; tries++) {
        const candidate = intToIp(serviceNetBase + 2 + randomInt(serviceNetSize - 3))
        if (!usedIps.has(candidate) && candidate !== '10.96.0.10') ip = candidate
      }
      if (!ip) throw Status.internal('failed to allocate a serviceIP: range is full')
      spec.clusterIP = ip
      spec.clusterIPs = [ip]
    }
    if (type === 'NodePort' || type === 'LoadBalancer') {
      for (const p of (spec.ports as Obj[] | undefined) ?? []) {
        if (p.nodePort) continue
        let port = 0
        for (let tries = 0; tries < 5000 && !port; tries++) {
          const candidate = nodePortMin + randomInt(nodePortMax - nodePortMin + 1)
          if (!usedPorts.has(candidate)) port = candidate
        }
        p.nodePort = port
        usedPorts.add(port)
      }
    }
  }

  private crdStatus(crd: Obj): void {
    const spec = o(crd.spec)
    const now = rfc3339(this.now())
    const storage = ((spec.versions as Obj[] | undefined) ?? []).find((v) => v.storage) ?? ((spec.versions as Obj[] | undefined) ?? [])[0]
    crd.status = {
      conditions: [
        {type: 'NamesAccepted', status: 'True', lastTransitionTime: now, reason: 'NoConflicts', message: 'no conflicts found'},
        {type: 'Established', status: 'True', lastTransitionTime: now, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted'},
      ],
      acceptedNames: spec.names ?? {},
      storedVersions: storage ? [storage.name] : [],
    }
  }

  private registerCrd(crd: Obj): void {
    const spec = o(crd.spec)
    const names = o(spec.names)
    const group = String(spec.group ?? '')
    const plural = String(names.plural ?? '')
    if (!group || !plural || o(crd.metadata).deletionTimestamp) {
      if (group && plural) this.registry.setCustom(`${plural}.${group}`, [])
      return
    }
    const defs: ResourceDef[] = []
    for (const v of (spec.versions as Obj[] | undefined) ?? []) {
      if (v.served === false) continue
      const subs = o(v.subresources)
      const scale = isObj(subs.scale) ? subs.scale : undefined
      defs.push({
        group,
        version: String(v.name),
        kind: String(names.kind ?? ''),
        plural,
        singular: String(names.singular ?? String(names.kind ?? '').toLowerCase()),
        shortNames: (names.shortNames as string[] | undefined) ?? [],
        categories: (names.categories as string[] | undefined) ?? [],
        namespaced: spec.scope !== 'Cluster',
        subresources: [...(isObj(subs.status) ? ['status' as const] : []), ...(scale ? ['scale' as const] : [])],
        storagePrefix: `${group}/${plural}`,
        scale: scale
          ? {
              specReplicasPath: String(scale.specReplicasPath ?? '.spec.replicas').replace(/^\./, ''),
              statusReplicasPath: String(scale.statusReplicasPath ?? '.status.replicas').replace(/^\./, ''),
              labelSelectorPath: scale.labelSelectorPath ? String(scale.labelSelectorPath).replace(/^\./, '') : undefined,
            }
          : undefined,
        custom: {printerColumns: (v.additionalPrinterColumns as PrinterColumn[] | undefined) ?? [], schema: o(v.schema).openAPIV3Schema},
        verbs: allVerbs,
      })
    }
    this.registry.setCustom(`${plural}.${group}`, defs)
  }

  /** The autoscaling/v1 Scale of an object with a scale subresource. */
  scaleOf(def: ResourceDef, obj: Obj): Obj {
    const paths = def.scale!
    const meta = o(obj.metadata)
    let selector = paths.labelSelectorPath ? at(obj, paths.labelSelectorPath) : undefined
    if (selector === undefined && !def.custom) {
      try {
        selector = selectorString(parseLabelSelectorObject(o(obj.spec).selector))
      } catch {
        selector = undefined
      }
    }
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp},
      spec: {replicas: Number(at(obj, paths.specReplicasPath) ?? 0)},
      status: {replicas: Number(at(obj, paths.statusReplicasPath) ?? 0), ...(selector ? {selector} : {})},
    }
  }

  async updateScale(def: ResourceDef, ns: string | undefined, name: string, mutate: (scale: Obj) => Obj, dryRun: boolean, writer?: Writer): Promise<Obj> {
    let result: Obj | undefined
    const updated = await this.objects.update(
      def,
      ns,
      name,
      (current) => {
        const scale = mutate(this.scaleOf(def, current))
        const replicas = o(scale.spec).replicas
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
          throw Status.invalid('Scale', 'autoscaling', name, [{type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0'}])
        }
        const rv = o(scale.metadata).resourceVersion
        setAt(current, def.scale!.specReplicasPath, replicas)
        const meta = o(current.metadata)
        if (rv !== undefined && rv !== '') meta.resourceVersion = rv
        result = current
        return current
      },
      // recorded as kube-apiserver records a scale: the writer owns spec.replicas, subresource scale
      {dryRun, writer},
    )
    void result
    return this.scaleOf(def, updated)
  }

  /** Creates that are answered and not stored: bindings, evictions, access reviews. */
  async virtualCreate(def: ResourceDef, ns: string | undefined, name: string | undefined, sub: string | undefined, body: Obj, caller: Caller, authorizer?: Authorizer): Promise<Obj> {
    const podDef = this.def('', 'Pod')
    if ((def.kind === 'Pod' && sub === 'binding') || def.kind === 'Binding') {
      const podName = sub === 'binding' ? name! : String(o(body.metadata).name ?? '')
      const node = String(o(body.target).name ?? '')
      if (!node) throw Status.invalid('Binding', '', podName, [{type: 'FieldValueRequired', field: 'target.name', detail: ''}])
      await this.objects.update(podDef, ns, podName, (pod) => {
        const spec = o(pod.spec)
        if (o(pod.metadata).deletionTimestamp) throw Status.conflict({group: '', resource: 'pods'}, podName, 'pod is being deleted, cannot be assigned to a host')
        if (spec.nodeName) throw Status.conflict({group: '', resource: 'pods'}, podName, `pod ${podName} is already assigned to node "${String(spec.nodeName)}"`)
        spec.nodeName = node
        pod.spec = spec
        const status = o(pod.status)
        const conds = ((status.conditions as Obj[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled')
        conds.push({type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.now())})
        status.conditions = conds
        pod.status = status
        return pod
      }, {subresource: undefined})
      return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201}
    }
    if (def.kind === 'Pod' && sub === 'eviction') {
      await this.objects.remove(podDef, ns, name!, {gracePeriodSeconds: (o(body.deleteOptions).gracePeriodSeconds as number | undefined) ?? undefined})
      return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201}
    }
    if (def.kind === 'SelfSubjectAccessReview' || def.kind === 'SubjectAccessReview') {
      const spec = o(body.spec)
      const ra = o(spec.resourceAttributes)
      const nra = o(spec.nonResourceAttributes)
      const who: Caller = def.kind === 'SelfSubjectAccessReview' ? caller : {user: String(spec.user ?? ''), groups: (spec.groups as string[] | undefined) ?? []}
      let verdict = {allowed: true, reason: ''}
      if (authorizer) {
        verdict = isObj(spec.nonResourceAttributes)
          ? authorizer.allowed(who, {verb: String(nra.verb ?? ''), group: '', resource: '', name: String(nra.path ?? '')})
          : authorizer.allowed(who, {verb: String(ra.verb ?? ''), group: String(ra.group ?? ''), resource: String(ra.resource ?? ''), namespace: ra.namespace as string | undefined, name: ra.name as string | undefined, subresource: ra.subresource as string | undefined})
      }
      return {kind: def.kind, apiVersion: 'authorization.k8s.io/v1', metadata: {creationTimestamp: null}, spec, status: {allowed: verdict.allowed, ...(verdict.reason ? {reason: verdict.reason} : {})}}
    }
    if (def.kind === 'ServiceAccount' && sub === 'token') {
      const sa = await this.storage.mustGet(def, ns, name!)
      const spec = o(body.spec)
      const asked = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600
      if (asked < 600) {
        throw Status.invalid('TokenRequest', 'authentication.k8s.io', name!, [{type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: asked, detail: 'may not specify a duration less than 10 minutes'}])
      }
      const seconds = Math.min(asked, 48 * 3600)
      const issued = this.saTokens.issue({namespace: ns!, name: name!, uid: String(o(sa.metadata).uid)}, {nowMs: this.now(), expirationSeconds: seconds, audiences: spec.audiences as string[] | undefined})
      return {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: {name, namespace: ns, creationTimestamp: null},
        spec: {audiences: (spec.audiences as string[] | undefined)?.length ? spec.audiences : ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: seconds, boundObjectRef: spec.boundObjectRef ?? null},
        status: {token: issued.token, expirationTimestamp: rfc3339(issued.expiresAtMs)},
      }
    }
    if (def.kind === 'SelfSubjectReview') {
      return {kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: {creationTimestamp: null}, status: {userInfo: {username: caller.user, ...(caller.uid ? {uid: caller.uid} : {}), groups: caller.groups}}}
    }
    throw Status.methodNotAllowed()
  }

  /** Deletes what is left in namespaces being deleted, then the namespaces themselves. */
  sweepNamespaces(): Promise<void> {
    if (this.sweeping || this.closed) return this.sweeping ?? Promise.resolve()
    this.sweeping = this.sweep()
      .catch(() => undefined)
      .finally(() => (this.sweeping = undefined))
    return this.sweeping
  }

  private async sweep(): Promise<void> {
    const nsDef = this.def('', 'Namespace')
    const namespaces = await this.storage.list(nsDef, undefined, {limit: 0, filter: (ns) => Boolean(o(ns.metadata).deletionTimestamp)})
    for (const ns of namespaces.items) {
      const name = String(o(ns.metadata).name)
      let remaining = 0
      for (const def of this.registry.all()) {
        if (!def.namespaced || virtualKinds.has(def.kind)) continue
        // Several served versions share one store: sweep each store once.
        if (this.registry.all().find((d) => d.storagePrefix === def.storagePrefix) !== def) continue
        const page = await this.storage.list(def, name, {limit: 0})
        for (const item of page.items) {
          remaining++
          const meta = o(item.metadata)
          if (meta.deletionTimestamp) continue
          await this.objects.remove(def, name, String(meta.name), {}).catch(() => undefined)
        }
      }
      if (remaining > 0) continue
      const current = await this.storage.get(nsDef, undefined, name)
      if (!current) continue
      const finalizers = (o(current.metadata).finalizers as string[] | undefined) ?? []
      if (finalizers.length) continue
      await this.storage.delete(nsDef, undefined, name, BigInt(String(o(current.metadata).resourceVersion))).catch(() => undefined)
    }
    // Namespaced objects that were swept on an earlier pass may be gone now: check again soon.
  }
}
