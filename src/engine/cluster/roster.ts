// The members of a Raft cluster as the v3 API lists them (etcd's RaftCluster): ids and peer
// URLs from the configuration, names and client URLs once each member has published them
// through the log. Every member applies the same entries, so every roster agrees at the same
// index; it is saved with each Raft snapshot (snap-meta.ts) and rebuilt from the log after it.
//
// A membership change is a ConfChange entry; every member checks it against its roster when it
// applies it (etcd's ValidateConfigurationChange, same order, same errors), so every member
// takes or refuses it alike. Removed ids are kept (saved with `removed: true`): a removed member
// never comes back under the same id, and its peer streams are refused.
import {ClusterErrors, type EtcdError} from '../../api/errors.js'
import type {Member as MemberPb} from '../../api/proto/rpc.js'
import {type ClusterMember, maxLearners} from '../etcd/membership.js'
import {type ConfChange, ConfChangeType, type ConfState} from '../raft/index.js'
import type {ConfChangeContext} from './entry-data.js'

export interface SavedMember {
  id: string
  name: string
  peerURLs: string[]
  clientURLs: string[]
  isLearner: boolean
  /** A member removed from the cluster: only its id matters. */
  removed?: boolean
}

export class Roster {
  private readonly members = new Map<bigint, ClusterMember>()
  private readonly removed = new Set<bigint>()

  constructor(members: Iterable<ClusterMember> = [], removed: Iterable<bigint> = []) {
    for (const m of members) this.members.set(m.id, copy(m))
    for (const id of removed) this.removed.add(id)
  }

  static fromSaved(saved: readonly SavedMember[]): Roster {
    const live = saved.filter((m) => m.removed !== true)
    const gone = saved.filter((m) => m.removed === true)
    return new Roster(
      live.map((m) => ({id: BigInt(m.id), name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs, isLearner: m.isLearner})),
      gone.map((m) => BigInt(m.id)),
    )
  }

  save(): SavedMember[] {
    const live = [...this.members.values()].map((m) => ({...m, id: String(m.id), peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs]}))
    const gone = [...this.removed].map((id) => ({id: String(id), name: '', peerURLs: [], clientURLs: [], isLearner: false, removed: true}))
    return [...live, ...gone]
  }

  get(id: bigint): ClusterMember | undefined {
    return this.members.get(id)
  }

  ids(): bigint[] {
    return [...this.members.keys()]
  }

  isRemoved(id: bigint): boolean {
    return this.removed.has(id)
  }

  removedIds(): bigint[] {
    return [...this.removed]
  }

  /** The voting members (every member but the learners). */
  voters(): ClusterMember[] {
    return [...this.members.values()].filter((m) => !m.isLearner)
  }

  /** The Raft configuration this roster describes. */
  confState(): ConfState {
    const all = [...this.members.values()]
    return {voters: all.filter((m) => !m.isLearner).map((m) => m.id), learners: all.filter((m) => m.isLearner).map((m) => m.id)}
  }

  /** Every member, by id (as etcd lists them). */
  list(): MemberPb[] {
    return [...this.members.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((m) => ({ID: m.id, name: m.name, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs], isLearner: m.isLearner}))
  }

  /** Replaces every member with a saved roster (a snapshot installed from the leader). */
  restore(saved: readonly SavedMember[]): void {
    const restored = Roster.fromSaved(saved)
    this.members.clear()
    this.removed.clear()
    for (const m of restored.members.values()) this.members.set(m.id, m)
    for (const id of restored.removed) this.removed.add(id)
  }

  /** A published name and client URLs; an id that is no (longer a) member is ignored, as etcd does. */
  setAttributes(id: bigint, name: string, clientURLs: readonly string[]): void {
    const member = this.members.get(id)
    if (member === undefined) return
    member.name = name
    member.clientURLs = [...clientURLs]
  }

  /** Why `cc` cannot be applied to this roster (etcd's ValidateConfigurationChange), or undefined. */
  check(cc: ConfChange, context: ConfChangeContext): EtcdError | undefined {
    const id = cc.nodeId
    if (this.removed.has(id)) return ClusterErrors.memberNotFound()
    const member = this.members.get(id)
    switch (cc.type) {
      case ConfChangeType.AddNode:
      case ConfChangeType.AddLearnerNode: {
        if (context.promote === true) {
          if (member === undefined) return ClusterErrors.memberNotFound()
          if (!member.isLearner) return ClusterErrors.memberNotLearner()
          return undefined
        }
        if (member !== undefined) return ClusterErrors.memberExist()
        if (this.urlInUse(context.member?.peerURLs ?? [])) return ClusterErrors.peerURLExist()
        if (cc.type === ConfChangeType.AddLearnerNode && this.learnerCount() + 1 > maxLearners) return ClusterErrors.tooManyLearners()
        return undefined
      }
      case ConfChangeType.RemoveNode:
        return member === undefined ? ClusterErrors.memberNotFound() : undefined
      case ConfChangeType.UpdateNode:
        if (member === undefined) return ClusterErrors.memberNotFound()
        if (this.urlInUse(context.member?.peerURLs ?? [], id)) return ClusterErrors.peerURLExist()
        return undefined
    }
  }

  /** Applies a change check() accepted. */
  apply(cc: ConfChange, context: ConfChangeContext): void {
    const id = cc.nodeId
    switch (cc.type) {
      case ConfChangeType.AddNode:
      case ConfChangeType.AddLearnerNode: {
        const existing = this.members.get(id)
        if (context.promote === true && existing !== undefined) {
          existing.isLearner = false
          return
        }
        const peerURLs = context.member?.peerURLs ?? []
        this.members.set(id, {id, name: '', peerURLs: [...peerURLs], clientURLs: [], isLearner: cc.type === ConfChangeType.AddLearnerNode})
        return
      }
      case ConfChangeType.RemoveNode:
        this.members.delete(id)
        this.removed.add(id)
        return
      case ConfChangeType.UpdateNode: {
        const member = this.members.get(id)
        if (member !== undefined) member.peerURLs = [...(context.member?.peerURLs ?? [])]
        return
      }
    }
  }

  private learnerCount(): number {
    return [...this.members.values()].filter((m) => m.isLearner).length
  }

  private urlInUse(peerURLs: readonly string[], except?: bigint): boolean {
    for (const m of this.members.values()) {
      if (m.id !== except && m.peerURLs.some((url) => peerURLs.includes(url))) return true
    }
    return false
  }
}

function copy(m: ClusterMember): ClusterMember {
  return {...m, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs]}
}
