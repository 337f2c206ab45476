// What the v3 API (embedded.ts and its helpers) needs of a member: the single member of
// member.ts, or a member of a Raft cluster (engine/cluster). Both take a request through their
// log and answer once it is applied; they differ in who commits it and how.
import type {Member as MemberPb} from '../../api/proto/rpc.js'
import type {Member} from './member.js'
import type {MemberAttributes} from './membership.js'

export type MemberApi = {readonly term: bigint} & Pick<
  Member,
  | 'store'
  | 'identity'
  | 'lessor'
  | 'appliedIndex'
  | 'noSpace'
  | 'header'
  | 'propose'
  | 'leaseRenew'
  | 'tryLeaseRenew'
  | 'maxRequestBytes'
  | 'revokeExpiredLeases'
  | 'dbSizeBytes'
  | 'observe'
  | 'exclusive'
  | 'start'
  | 'close'
>

/**
 * What the v3 API needs of a member list: membership.ts for one member, a roster kept through
 * Raft for a cluster (cluster/cluster-membership.ts). Each change resolves once it is applied
 * on the member that was asked, so list() then shows it.
 */
export interface MembershipApi {
  list(): MemberPb[]
  add(peerURLs: string[], isLearner: boolean, nowMs: number): Promise<MemberPb>
  remove(id: bigint): Promise<void>
  update(id: bigint, peerURLs: string[]): Promise<void>
  promote(id: bigint): Promise<void>
  publish(attributes: MemberAttributes): Promise<void>
}
