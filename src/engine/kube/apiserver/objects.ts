// The semantics of writing an object, apart from HTTP: create (names, metadata, defaults,
// validation, admission), update (optimistic concurrency, status and spec kept apart,
// generation), delete (graceful deletion of pods, finalizers, namespaces that empty themselves
// first). handler.ts maps requests onto these.
import {isDeepStrictEqual} from 'node:util'
import {applyDefaults} from '../api/defaults.js'
import {nameRuleOf, validateKind, isDNS1035Label} from '../api/kind-validation.js'
import type {ResourceDef} from '../api/registry.js'
import {Status, StatusError, type FieldError} from '../api/status.js'
import {validateObjectMeta} from '../api/validation.js'
import {desiredStateChanged, generatedName, initCreateMeta, keepSystemMeta, rfc3339, sameObject, tracksGeneration} from './metadata.js'
import type {ObjectStorage, Obj} from './storage.js'
import {recordUpdate, type Writer} from './managed-fields/manager.js'

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const metaOf = (o: Obj): Obj => (isObj(o.metadata) ? o.metadata : (o.metadata = {}))

export interface WriteOptions {
  dryRun?: boolean
  subresource?: string
  /** The server's own write: it may set the deletion fields that clients may not. */
  system?: boolean
  /** The field manager whose change this is, recorded in metadata.managedFields. */
  writer?: Writer
  /** A server-side apply: the object already carries its managed fields. */
  applied?: boolean
}

export interface DeleteOptions {
  gracePeriodSeconds?: number
  preconditions?: {uid?: string; resourceVersion?: string}
  propagationPolicy?: string
  dryRun?: boolean
}

/** What a delete did: the object is gone, or it waits (grace period, finalizers). */
export interface DeleteResult {
  obj: Obj
  deleted: boolean
}

/** Hooks run inside writes: admission plugins and side effects of some kinds. */
export interface ObjectHooks {
  /** Mutating admission on create (after defaults are known, before validation). */
  beforeCreate?(def: ResourceDef, obj: Obj): Promise<void>
  afterWrite?(def: ResourceDef, obj: Obj | undefined, name: string): Promise<void>
}

const maxUpdateRetries = 16

export class Objects {
  hooks: ObjectHooks = {}

  constructor(
    readonly storage: ObjectStorage,
    private readonly now: () => number,
    private readonly lookupNamespace: () => ResourceDef,
  ) {}

  private qualified(def: ResourceDef) {
    return {group: def.group, resource: def.plural}
  }

  private validate(def: ResourceDef, obj: Obj, old?: Obj): void {
    const meta = metaOf(obj)
    const rule = nameRuleOf(def.kind)
    let errs: FieldError[]
    if (rule === 'dns1035') {
      errs = validateObjectMeta(meta, {namespaced: def.namespaced, nameRule: 'path-segment'})
      if (typeof meta.name === 'string' && meta.name) {
        errs = errs.filter((e) => e.field !== 'metadata.name')
        for (const e of isDNS1035Label(meta.name)) errs.push({type: 'FieldValueInvalid', field: 'metadata.name', value: meta.name, detail: e})
      }
    } else errs = validateObjectMeta(meta, {namespaced: def.namespaced, nameRule: rule})
    errs.push(...validateKind(def.kind, obj))
    if (old) errs.push(...validateUpdate(def, old, obj))
    if (errs.length) throw Status.invalid(def.kind, def.custom ? def.group : def.group === '' ? '' : def.group, String(meta.name ?? meta.generateName ?? ''), errs)
  }

  async requireNamespace(namespace: string, creating: ResourceDef, name: string): Promise<void> {
    const ns = await this.storage.get(this.lookupNamespace(), undefined, namespace)
    if (!ns) throw Status.notFound({group: '', resource: 'namespaces'}, namespace)
    if (isObj(ns.metadata) && ns.metadata.deletionTimestamp) {
      throw Status.forbidden(this.qualified(creating), name, `unable to create new content in namespace ${namespace} because it is being terminated`)
    }
  }

  async create(def: ResourceDef, namespace: string | undefined, body: Obj, opts: WriteOptions = {}): Promise<Obj> {
    const obj = structuredClone(body)
    obj.kind = def.kind
    obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version
    const meta = metaOf(obj)
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw Status.badRequest('the namespace of the provided object does not match the namespace sent on the request')
      }
      meta.namespace = namespace ?? meta.namespace
    } else delete meta.namespace
    const generate = !meta.name && typeof meta.generateName === 'string' && meta.generateName
    if (generate) meta.name = generatedName(meta.generateName as string)
    initCreateMeta(meta, this.now(), tracksGeneration(def.kind, Boolean(def.custom)))
    if (def.subresources.includes('status') && !['Node', 'Namespace'].includes(def.kind)) delete obj.status
    applyDefaults(def.kind, obj, {create: true})
    if (def.namespaced && typeof meta.namespace === 'string' && meta.namespace) await this.requireNamespace(meta.namespace, def, String(meta.name ?? ''))
    await this.hooks.beforeCreate?.(def, obj)
    this.validate(def, obj)
    if (opts.writer && !opts.applied) recordUpdate(def, undefined, obj, opts.writer, this.now())
    if (opts.dryRun) return obj
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await this.storage.create(def, obj)
        await this.hooks.afterWrite?.(def, created, String(meta.name))
        return created
      } catch (error) {
        // A generated name that collides is generated again, as kube-apiserver retries.
        if (generate && error instanceof StatusError && error.reason === 'AlreadyExists' && attempt < 8) {
          meta.name = generatedName(meta.generateName as string)
          continue
        }
        throw error
      }
    }
  }

  /**
   * Updates an object through `mutate` (given a copy of the stored one), retrying on conflicts
   * unless the new object names the resourceVersion it expects. An update that changes nothing
   * writes nothing.
   */
  async update(def: ResourceDef, namespace: string | undefined, name: string, mutate: (current: Obj) => Obj | Promise<Obj>, opts: WriteOptions = {}): Promise<Obj> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.storage.mustGet(def, namespace, name)
      const proposed = await mutate(structuredClone(current))
      const next = this.prepareUpdate(def, current, proposed, opts.subresource, opts.system)
      if (opts.writer && !opts.applied) recordUpdate(def, current, next, opts.writer, this.now())
      else if (metaOf(next).managedFields === undefined && metaOf(current).managedFields !== undefined) metaOf(next).managedFields = structuredClone(metaOf(current).managedFields)
      const wantRv = metaOf(proposed).resourceVersion
      if (wantRv !== undefined && wantRv !== '' && String(wantRv) !== metaOf(current).resourceVersion) throw Status.conflict(this.qualified(def), name)
      if (sameObject(current, next)) return current
      if (opts.dryRun) return next
      const rev = BigInt(String(metaOf(current).resourceVersion))
      try {
        const meta = metaOf(next)
        // Dropping the last finalizer of an object being deleted completes the deletion.
        if (meta.deletionTimestamp && !((meta.finalizers as unknown[] | undefined)?.length) && !this.waitsForGrace(def, next)) {
          await this.storage.delete(def, namespace, name, rev)
          await this.hooks.afterWrite?.(def, undefined, name)
          return next
        }
        const updated = await this.storage.update(def, next, rev)
        await this.hooks.afterWrite?.(def, updated, name)
        return updated
      } catch (error) {
        if (error instanceof StatusError && error.reason === 'Conflict' && (wantRv === undefined || wantRv === '') && attempt < maxUpdateRetries) continue
        throw error
      }
    }
  }

  private prepareUpdate(def: ResourceDef, current: Obj, proposed: Obj, subresource: string | undefined, system = false): Obj {
    let next: Obj
    if (subresource === 'status') {
      next = structuredClone(current)
      if (proposed.status === undefined) delete next.status
      else next.status = proposed.status
      if (def.kind === 'Namespace' && isObj(next.status) && metaOf(current).deletionTimestamp) next.status.phase = 'Terminating'
    } else {
      next = structuredClone(proposed)
      next.kind = def.kind
      next.apiVersion = def.group ? `${def.group}/${def.version}` : def.version
      const meta = metaOf(next)
      const oldMeta = metaOf(current)
      if (meta.name !== undefined && meta.name !== oldMeta.name) {
        throw Status.badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${String(oldMeta.name)})`)
      }
      if (def.namespaced && meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== oldMeta.namespace) {
        throw Status.badRequest('the namespace of the provided object does not match the namespace sent on the request')
      }
      const deletion = {deletionTimestamp: meta.deletionTimestamp, deletionGracePeriodSeconds: meta.deletionGracePeriodSeconds}
      keepSystemMeta(oldMeta, meta)
      if (system) Object.assign(meta, deletion)
      if (def.subresources.includes('status')) {
        if (current.status === undefined) delete next.status
        else next.status = structuredClone(current.status)
      }
      if (def.kind === 'Service') keepClusterIP(current, next)
      if (def.kind === 'Namespace' && !next.spec && current.spec) next.spec = structuredClone(current.spec)
      // An object being deleted may lose finalizers but never gain new ones.
      if (oldMeta.deletionTimestamp) {
        const before = new Set((oldMeta.finalizers as string[] | undefined) ?? [])
        const added = ((meta.finalizers as string[] | undefined) ?? []).filter((f) => !before.has(f))
        if (added.length) {
          throw Status.forbidden(this.qualified(def), String(oldMeta.name), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`)
        }
      }
    }
    applyDefaults(def.kind, next, {create: false})
    this.validate(def, next, current)
    const meta = metaOf(next)
    if (tracksGeneration(def.kind, Boolean(def.custom)) && subresource !== 'status' && desiredStateChanged(current, next)) {
      meta.generation = Number(metaOf(current).generation ?? 0) + 1
    }
    return next
  }

  /** A pod bound to a node waits for its kubelet to confirm the stop. */
  private waitsForGrace(def: ResourceDef, obj: Obj): boolean {
    // A namespace goes only once emptied (its spec.finalizers), which the server's sweep does.
    if (def.kind === 'Namespace') return true
    if (def.kind !== 'Pod') return false
    const meta = metaOf(obj)
    return Number(meta.deletionGracePeriodSeconds ?? 0) > 0
  }

  async remove(def: ResourceDef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.storage.mustGet(def, namespace, name)
      const meta = metaOf(current)
      const pre = opts.preconditions ?? {}
      if (pre.uid && pre.uid !== meta.uid) {
        throw Status.conflict(this.qualified(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(meta.uid)}`)
      }
      if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw Status.conflict(this.qualified(def), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`)
      }
      if (def.kind === 'Namespace') return this.removeNamespace(def, current, opts)
      const grace = this.gracePeriod(def, current, opts.gracePeriodSeconds)
      const finalizers = propagationFinalizers(meta, opts.propagationPolicy)
      const rev = BigInt(String(meta.resourceVersion))
      if (finalizers.length > 0 || grace > 0) {
        const next = structuredClone(current)
        const nmeta = metaOf(next)
        if (finalizers.length > 0) nmeta.finalizers = finalizers
        else delete nmeta.finalizers
        const now = this.now()
        const existing = typeof nmeta.deletionTimestamp === 'string' ? Date.parse(nmeta.deletionTimestamp) : undefined
        const deadline = now + grace * 1000
        // A second delete may shorten the grace period, never lengthen it.
        if (existing === undefined || deadline < existing) {
          nmeta.deletionTimestamp = rfc3339(deadline)
          nmeta.deletionGracePeriodSeconds = grace
        }
        if (isDeepStrictEqual(next, current)) return {obj: current, deleted: false}
        if (opts.dryRun) return {obj: next, deleted: false}
        try {
          const updated = await this.storage.update(def, next, rev)
          await this.hooks.afterWrite?.(def, updated, name)
          return {obj: updated, deleted: false}
        } catch (error) {
          if (error instanceof StatusError && error.reason === 'Conflict' && !pre.resourceVersion && attempt < maxUpdateRetries) continue
          throw error
        }
      }
      if (opts.dryRun) return {obj: current, deleted: true}
      try {
        const revision = await this.storage.delete(def, namespace, name, rev)
        meta.resourceVersion = String(revision)
        await this.hooks.afterWrite?.(def, undefined, name)
        return {obj: current, deleted: true}
      } catch (error) {
        if (error instanceof StatusError && error.reason === 'Conflict' && !pre.resourceVersion && attempt < maxUpdateRetries) continue
        throw error
      }
    }
  }

  /**
   * The grace period a delete gets: pods default to their terminationGracePeriodSeconds, but a
   * pod no kubelet runs (unbound, or already finished) goes at once, as kube-apiserver decides.
   */
  private gracePeriod(def: ResourceDef, obj: Obj, asked: number | undefined): number {
    if (def.kind !== 'Pod') return 0
    const spec = isObj(obj.spec) ? obj.spec : {}
    const status = isObj(obj.status) ? obj.status : {}
    if (!spec.nodeName) return 0
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return 0
    const grace = asked ?? Number(spec.terminationGracePeriodSeconds ?? 30)
    return Math.max(0, grace)
  }

  private async removeNamespace(def: ResourceDef, current: Obj, opts: DeleteOptions): Promise<DeleteResult> {
    const meta = metaOf(current)
    const name = String(meta.name)
    if (['default', 'kube-system', 'kube-public'].includes(name)) {
      throw Status.forbidden(this.qualified(def), name, 'this namespace may not be deleted')
    }
    if (meta.deletionTimestamp) return {obj: current, deleted: false}
    if (opts.dryRun) return {obj: current, deleted: false}
    const updated = await this.update(def, undefined, name, (ns) => {
      metaOf(ns).deletionTimestamp = rfc3339(this.now())
      metaOf(ns).deletionGracePeriodSeconds = 0
      return ns
    }, {system: true})
    // The status change is the namespace's own (status subresource) write.
    const terminating = await this.update(
      def,
      undefined,
      name,
      (ns) => {
        ns.status = {...(isObj(ns.status) ? ns.status : {}), phase: 'Terminating'}
        return ns
      },
      {subresource: 'status'},
    ).catch(() => updated)
    return {obj: terminating, deleted: false}
  }
}

/** The finalizers the garbage collector acts on: dependents orphaned, or deleted first. */
export const orphanFinalizer = 'orphan'
export const foregroundFinalizer = 'foregroundDeletion'
export const propagationPolicies = ['Foreground', 'Background', 'Orphan']

/**
 * An object's finalizers once deleted with `policy`: Orphan adds `orphan`, Foreground adds
 * `foregroundDeletion` (each replacing the other), Background drops both; without a policy the
 * object keeps the ones it has (a client may have set `orphan` itself).
 */
function propagationFinalizers(meta: Obj, policy: string | undefined): string[] {
  const current = (meta.finalizers as string[] | undefined) ?? []
  if (policy === undefined) return current
  const rest = current.filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer)
  if (policy === 'Orphan') return [...rest, orphanFinalizer]
  if (policy === 'Foreground') return [...rest, foregroundFinalizer]
  return rest
}

function keepClusterIP(oldObj: Obj, newObj: Obj): void {
  const oldSpec = isObj(oldObj.spec) ? oldObj.spec : {}
  const newSpec = isObj(newObj.spec) ? newObj.spec : (newObj.spec = {})
  for (const f of ['clusterIP', 'clusterIPs']) if (newSpec[f] === undefined && oldSpec[f] !== undefined) newSpec[f] = structuredClone(oldSpec[f])
  if (Array.isArray(newSpec.ports) && Array.isArray(oldSpec.ports)) {
    for (const p of newSpec.ports as Obj[]) {
      const before = (oldSpec.ports as Obj[]).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))
      if (before?.nodePort !== undefined && p.nodePort === undefined && (newSpec.type === 'NodePort' || newSpec.type === 'LoadBalancer')) p.nodePort = before.nodePort
    }
  }
}

const immutable = (field: string, value: unknown): FieldError => ({type: 'FieldValueInvalid', field, value, detail: 'field is immutable'})

/** Fields that may not change once set, per kind. */
function validateUpdate(def: ResourceDef, oldObj: Obj, newObj: Obj): FieldError[] {
  const errs: FieldError[] = []
  const o = (x: unknown): Obj => (isObj(x) ? x : {})
  const oldSpec = o(oldObj.spec)
  const newSpec = o(newObj.spec)
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(def.kind) && def.group === 'apps') {
    if (!isDeepStrictEqual(oldSpec.selector, newSpec.selector)) errs.push(immutable('spec.selector', newSpec.selector))
  }
  if (def.kind === 'Job' && !isDeepStrictEqual(oldSpec.selector, newSpec.selector)) errs.push(immutable('spec.selector', newSpec.selector))
  if (def.kind === 'Service' && oldSpec.clusterIP && newSpec.clusterIP !== oldSpec.clusterIP && oldSpec.type !== 'ExternalName') {
    errs.push({type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: newSpec.clusterIP, detail: 'may not change once set'})
  }
  if ((def.kind === 'ConfigMap' || def.kind === 'Secret') && oldObj.immutable === true) {
    if (!isDeepStrictEqual(oldObj.data, newObj.data)) errs.push({type: 'FieldValueForbidden', field: 'data', detail: 'field is immutable when `immutable` is set'})
    if (newObj.immutable !== true) errs.push({type: 'FieldValueForbidden', field: 'immutable', detail: 'field is immutable when `immutable` is set'})
  }
  if (def.kind === 'Pod') {
    const strip = (spec: Obj): Obj => {
      const s = structuredClone(spec)
      for (const list of ['containers', 'initContainers']) {
        if (Array.isArray(s[list])) for (const c of s[list] as Obj[]) delete c.image
      }
      delete s.activeDeadlineSeconds
      delete s.tolerations
      delete s.terminationGracePeriodSeconds
      if (!oldSpec.nodeName) delete s.nodeName
      return s
    }
    if (!isDeepStrictEqual(strip(oldSpec), strip(newSpec))) {
      errs.push({
        type: 'FieldValueForbidden',
        field: 'spec',
        detail: 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      })
    }
  }
  return errs
}
