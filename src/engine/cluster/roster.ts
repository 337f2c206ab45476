// The members of a Raft cluster as the v3 API lists them (etcd's RaftCluster): ids and peer
// URLs from the configuration, names and client URLs once each member has published them
// through the log. Every member applies the same entries, so every roster agrees at the same
// index; it is saved with each Raft snapshot (snap-meta.ts) and rebuilt from the log after it.
import type {Member as MemberPb} from '../../api/proto/rpc.js'
import type {ClusterMember} from '../etcd/membership.js'

export interface SavedMember {
  id: string
  name: string
  peerURLs: string[]
  clientURLs: string[]
  isLearner: boolean
}

export class Roster {
  private readonly members = new Map<bigint, ClusterMember>()

  constructor(members: Iterable<ClusterMember> = []) {
    for (const m of members) this.members.set(m.id, {...m, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs]})
  }

  static fromSaved(saved: readonly SavedMember[]): Roster {
    return new Roster(saved.map((m) => ({...m, id: BigInt(m.id)})))
  }

  save(): SavedMember[] {
    return [...this.members.values()].map((m) => ({...m, id: String(m.id), peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs]}))
  }

  get(id: bigint): ClusterMember | undefined {
    return this.members.get(id)
  }

  ids(): bigint[] {
    return [...this.members.keys()]
  }

  /** Every member, by id (as etcd lists them). */
  list(): MemberPb[] {
    return [...this.members.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((m) => ({ID: m.id, name: m.name, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs], isLearner: m.isLearner}))
  }

  /** Replaces every member with a saved roster (a snapshot installed from the leader). */
  restore(saved: readonly SavedMember[]): void {
    this.members.clear()
    for (const m of Roster.fromSaved(saved).members.values()) this.members.set(m.id, m)
  }

  /** A published name and client URLs; an id that is no (longer a) member is ignored, as etcd does. */
  setAttributes(id: bigint, name: string, clientURLs: readonly string[]): void {
    const member = this.members.get(id)
    if (member === undefined) return
    member.name = name
    member.clientURLs = [...clientURLs]
  }
}
