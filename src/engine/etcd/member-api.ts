// What the v3 API (embedded.ts and its helpers) needs of a member: the single member of
// member.ts, or a member of a Raft cluster (engine/cluster). Both take a request through their
// log and answer once it is applied; they differ in who commits it and how.
import type {Member} from './member.js'
import type {Membership} from './membership.js'

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
  | 'revokeExpiredLeases'
  | 'dbSizeBytes'
  | 'observe'
  | 'exclusive'
  | 'start'
  | 'close'
>

/** What the v3 API needs of a member list: membership.ts for one member, a roster kept through Raft for a cluster. */
export type MembershipApi = Pick<Membership, 'list' | 'add' | 'remove' | 'update' | 'promote' | 'publish'>
