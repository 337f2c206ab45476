// The garbage collector's view of the cluster: every object by uid with what deletion needs
// (its owners, finalizers, whether it is being deleted), and the reverse edges — each owner's
// dependents — kept in step as the informers report changes.
import type {KubeObject} from '../../../../client/kube/client.js'
import type {ApiResource} from '../../../../client/kube/discovery.js'

export interface OwnerRef {
  apiVersion: string
  kind: string
  name: string
  uid: string
  blockOwnerDeletion?: boolean
}

export interface GraphNode {
  uid: string
  resource: ApiResource
  namespace?: string
  name: string
  owners: OwnerRef[]
  finalizers: string[]
  deleting: boolean
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>()
  private readonly dependentsOf = new Map<string, Set<string>>()

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid)
  }

  get size(): number {
    return this.nodes.size
  }

  /** Records an object's current state; returns the node as it was before, if known. */
  upsert(resource: ApiResource, obj: KubeObject): {node: GraphNode; before?: GraphNode} | undefined {
    const meta = obj.metadata
    if (!meta?.uid || !meta.name) return undefined
    const node: GraphNode = {
      uid: meta.uid,
      resource,
      namespace: meta.namespace,
      name: meta.name,
      owners: (meta.ownerReferences ?? []).map((r) => ({apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid, blockOwnerDeletion: r.blockOwnerDeletion})),
      finalizers: meta.finalizers ?? [],
      deleting: Boolean(meta.deletionTimestamp),
    }
    const before = this.nodes.get(node.uid)
    if (before) this.unlink(before)
    this.nodes.set(node.uid, node)
    for (const o of node.owners) {
      let deps = this.dependentsOf.get(o.uid)
      if (!deps) this.dependentsOf.set(o.uid, (deps = new Set()))
      deps.add(node.uid)
    }
    return {node, before}
  }

  remove(uid: string): GraphNode | undefined {
    const node = this.nodes.get(uid)
    if (!node) return undefined
    this.unlink(node)
    this.nodes.delete(uid)
    return node
  }

  /** The known objects that name `uid` among their owners. */
  dependents(uid: string): GraphNode[] {
    const out: GraphNode[] = []
    for (const d of this.dependentsOf.get(uid) ?? []) {
      const node = this.nodes.get(d)
      if (node) out.push(node)
    }
    return out
  }

  private unlink(node: GraphNode): void {
    for (const o of node.owners) {
      const deps = this.dependentsOf.get(o.uid)
      deps?.delete(node.uid)
      if (deps?.size === 0) this.dependentsOf.delete(o.uid)
    }
  }
}
