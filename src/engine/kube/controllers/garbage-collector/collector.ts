// The garbage collector, as kube-controller-manager's: it watches every resource that can be
// listed, watched and deleted, and
//   - deletes an object all of whose owners are gone (background deletion: the owner went
//     first, its dependents follow),
//   - for an owner deleted in the foreground (finalizer `foregroundDeletion`), deletes its
//     dependents first and removes the finalizer — completing the deletion — once no dependent
//     with blockOwnerDeletion is left,
//   - for an owner deleted with orphaning (finalizer `orphan`), removes the owner from its
//     dependents' ownerReferences, then removes the finalizer,
//   - drops references to owners that are gone or going from objects that still have an owner.
// It reaches the API server only through a KubeClient, so it runs in any process.
import type {KubeClient, KubeObject} from '../../../../client/kube/client.js'
import {resourceForKind, type ApiResource, type DiscoveryData} from '../../../../client/kube/discovery.js'
import {KubeApiError} from '../../../../client/kube/errors.js'
import {Informer} from '../../../../client/kube/informer.js'
import {WorkQueue} from '../../../../client/kube/work-queue.js'
import {OwnerGraph, type GraphNode, type OwnerRef} from './graph.js'

const orphanFinalizer = 'orphan'
const foregroundFinalizer = 'foregroundDeletion'
const WORKERS = 4
/** How often discovery is read again, for resources CRDs add or remove. */
const DISCOVERY_INTERVAL_MS = 30_000
/** The fields the collector needs; informers keep nothing more. */
const trim = (o: KubeObject): KubeObject => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: {
    name: o.metadata?.name,
    namespace: o.metadata?.namespace,
    uid: o.metadata?.uid,
    resourceVersion: o.metadata?.resourceVersion,
    ownerReferences: o.metadata?.ownerReferences,
    finalizers: o.metadata?.finalizers,
    deletionTimestamp: o.metadata?.deletionTimestamp,
  },
})

const resourceKey = (r: ApiResource) => `${r.group}/${r.version}/${r.name}`
const ignorable = (err: unknown) => err instanceof KubeApiError && (err.code === 404 || err.code === 409)

export class GarbageCollector {
  readonly graph = new OwnerGraph()
  private readonly queue = new WorkQueue<string>()
  private readonly informers = new Map<string, Informer>()
  private workers: Promise<void>[] = []
  private discoveryTimer?: ReturnType<typeof setInterval>
  private stopped = false

  constructor(private readonly client: KubeClient) {}

  async start(): Promise<void> {
    await this.syncResources()
    for (let i = 0; i < WORKERS; i++) this.workers.push(this.work())
    this.discoveryTimer = setInterval(() => void this.syncResources().catch(() => undefined), DISCOVERY_INTERVAL_MS)
    this.discoveryTimer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.discoveryTimer) clearInterval(this.discoveryTimer)
    this.queue.shutDown()
    await Promise.all([...this.informers.values()].map((i) => i.stop()))
    await Promise.all(this.workers)
  }

  /** Resolves once nothing is queued or in hand (what a one-shot process waits for before it exits). */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle()
  }

  /** One informer per resource of each group's preferred version that can be listed, watched and deleted. */
  private async syncResources(): Promise<void> {
    this.client.refreshDiscovery()
    const data = await this.client.discovery()
    const wanted = new Map<string, ApiResource>()
    for (const g of data.groups) {
      for (const r of data.resources) {
        if (r.group !== g.name || r.version !== g.preferredVersion) continue
        if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue
        wanted.set(resourceKey(r), r)
      }
    }
    for (const [key, informer] of this.informers) {
      if (!wanted.has(key)) {
        this.informers.delete(key)
        await informer.stop()
      }
    }
    const starting: Promise<void>[] = []
    for (const [key, r] of wanted) {
      if (this.informers.has(key)) continue
      const informer = new Informer(this.client, r, {added: (o) => this.observe(r, o), updated: (o) => this.observe(r, o), deleted: (o) => this.forget(o)}, trim)
      this.informers.set(key, informer)
      starting.push(
        informer.start().catch(() => {
          // listed again at the next discovery round
          this.informers.delete(key)
        }),
      )
    }
    await Promise.all(starting)
    this.discovery = data
  }

  private discovery?: DiscoveryData

  private observe(resource: ApiResource, obj: KubeObject): void {
    const change = this.graph.upsert(resource, obj)
    if (!change) return
    const {node, before} = change
    if (node.owners.length > 0 || (node.deleting && hasGcFinalizer(node))) this.queue.add(node.uid)
    // An owner that starts going (or changes how) changes what its dependents should do.
    if (before && (before.deleting !== node.deleting || before.finalizers.join() !== node.finalizers.join())) {
      for (const d of this.graph.dependents(node.uid)) this.queue.add(d.uid)
    }
    // Owners waiting in the foreground look again when a dependent changes.
    for (const o of node.owners) if (this.graph.get(o.uid)?.deleting) this.queue.add(o.uid)
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata?.uid
    if (!uid) return
    const node = this.graph.remove(uid)
    for (const d of this.graph.dependents(uid)) this.queue.add(d.uid)
    for (const o of node?.owners ?? []) this.queue.add(o.uid)
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const uid = await this.queue.get()
      if (uid === undefined) return
      try {
        await this.reconcile(uid)
        this.queue.forget(uid)
      } catch (err) {
        // A write that lost a race (409, or a failed resourceVersion test) is tried again.
        if (!this.stopped && !(err instanceof KubeApiError && err.code === 404)) this.queue.addRateLimited(uid)
      } finally {
        this.queue.done(uid)
      }
    }
  }

  /** Level-triggered: decides from the object's state now, whatever event brought it here. */
  private async reconcile(uid: string): Promise<void> {
    const node = this.graph.get(uid)
    if (!node) return
    if (node.deleting) {
      if (node.finalizers.includes(orphanFinalizer)) return this.orphanDependents(node)
      if (node.finalizers.includes(foregroundFinalizer)) return this.deleteDependentsFirst(node)
      return
    }
    if (node.owners.length === 0) return
    const solid: OwnerRef[] = []
    const gone: OwnerRef[] = []
    for (const ref of node.owners) {
      const state = await this.ownerState(node, ref)
      if (state === 'solid') solid.push(ref)
      else gone.push(ref)
    }
    if (solid.length > 0) {
      if (gone.length > 0) await this.removeOwnerRefs(node, new Set(gone.map((r) => r.uid)))
      return
    }
    const waitedOn = node.owners.some((r) => this.graph.get(r.uid)?.finalizers.includes(foregroundFinalizer))
    let policy: 'Background' | 'Foreground' | 'Orphan' = 'Background'
    if (node.finalizers.includes(orphanFinalizer)) policy = 'Orphan'
    if (node.finalizers.includes(foregroundFinalizer) || (waitedOn && this.graph.dependents(node.uid).length > 0)) policy = 'Foreground'
    await this.client.delete(node.resource, node.namespace, node.name, {propagationPolicy: policy, preconditions: {uid: node.uid}}).catch((err) => {
      if (!ignorable(err)) throw err
    })
  }

  /**
   * `solid` while the owner exists and is not being deleted in the foreground; the graph may
   * lag behind, so an owner it does not know is looked up before its dependent is judged.
   */
  private async ownerState(node: GraphNode, ref: OwnerRef): Promise<'solid' | 'gone' | 'waiting'> {
    const known = this.graph.get(ref.uid)
    if (known) return known.deleting && known.finalizers.includes(foregroundFinalizer) ? 'waiting' : 'solid'
    const data = this.discovery ?? (await this.client.discovery())
    const resource = resourceForKind(data, ref.apiVersion, ref.kind)
    // A kind the server does not serve cannot be judged: the reference is left alone.
    if (!resource) return 'solid'
    try {
      const live = await this.client.get(resource, resource.namespaced ? node.namespace : undefined, ref.name)
      if (live.metadata?.uid !== ref.uid) return 'gone'
      return live.metadata?.deletionTimestamp && live.metadata.finalizers?.includes(foregroundFinalizer) ? 'waiting' : 'solid'
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return 'gone'
      throw err
    }
  }

  private async orphanDependents(owner: GraphNode): Promise<void> {
    for (const d of this.graph.dependents(owner.uid)) await this.removeOwnerRefs(d, new Set([owner.uid]))
    await this.removeFinalizer(owner, orphanFinalizer)
  }

  private async deleteDependentsFirst(owner: GraphNode): Promise<void> {
    const dependents = this.graph.dependents(owner.uid)
    const blocking = dependents.filter((d) => d.owners.some((r) => r.uid === owner.uid && r.blockOwnerDeletion === true))
    for (const d of dependents) if (!d.deleting) this.queue.add(d.uid)
    if (blocking.length === 0) await this.removeFinalizer(owner, foregroundFinalizer)
  }

  /** Rewrites the object's ownerReferences without `uids`, only over the version read (JSON patch test). */
  private async removeOwnerRefs(node: GraphNode, uids: Set<string>): Promise<void> {
    const live = await this.client.get(node.resource, node.namespace, node.name)
    if (live.metadata?.uid !== node.uid) return
    const refs = live.metadata.ownerReferences ?? []
    const kept = refs.filter((r) => !uids.has(r.uid))
    if (kept.length === refs.length) return
    const change = kept.length > 0 ? {op: 'replace', path: '/metadata/ownerReferences', value: kept} : {op: 'remove', path: '/metadata/ownerReferences'}
    await this.client.patch(node.resource, node.namespace, node.name, 'json', [{op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion}, change], {fieldManager: 'garbage-collector'})
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const live = await this.client.get(node.resource, node.namespace, node.name)
    if (live.metadata?.uid !== node.uid) return
    const finalizers = live.metadata.finalizers ?? []
    if (!finalizers.includes(finalizer)) return
    const kept = finalizers.filter((f) => f !== finalizer)
    const change = kept.length > 0 ? {op: 'replace', path: '/metadata/finalizers', value: kept} : {op: 'remove', path: '/metadata/finalizers'}
    await this.client.patch(node.resource, node.namespace, node.name, 'json', [{op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion}, change], {fieldManager: 'garbage-collector'})
  }
}

function hasGcFinalizer(node: GraphNode): boolean {
  return node.finalizers.includes(orphanFinalizer) || node.finalizers.includes(foregroundFinalizer)
}
