// The member list of a cluster member, for the v3 Cluster service: the roster every member
// keeps through the log. Publishing this member's name and client URLs is an entry of the log
// (as etcd's publish), proposed in the background until it is applied: a member serves clients
// before a quorum is up, and shows as started once the cluster has taken its attributes.
//
// add, remove, update and promote are etcd's MemberAdd … MemberPromote: the quorum checks of
// --strict-reconfig-check here (membership.ts, in etcd's order and words), then a ConfChange
// entry through raft, which every member checks against its roster as it applies it (member
// exists, peer URL in use, too many learners …: roster.ts) and answers the caller with once
// applied here. Only the leader knows whether a learner has caught up, so a promote asked of a
// follower is asked of the leader in turn (etcd forwards it over the peer URL; here, on the
// leader's client URL).
import {ClusterErrors} from '../../api/errors.js'
import type {Member as MemberPb} from '../../api/proto/rpc.js'
import type {MembershipApi} from '../etcd/member-api.js'
import {
  checkUrls,
  computeMemberId,
  type MemberAttributes,
  readyToAddVotingMember,
  readyToPromoteMember,
  readyToRemoveVotingMember,
} from '../etcd/membership.js'
import {RawGrpcClient} from '../net/grpc/raw-client.js'
import {ConfChangeType} from '../raft/index.js'
import type {ClusterMember} from './cluster-member.js'
import {RaftErrors} from './errors.js'

/** Between two attempts to publish (a proposal times out after etcd's request timeout). */
const publishRetryMs = 500
/** A promote forwarded to the leader gives up after this. */
const forwardTimeoutMs = 10_000

export class ClusterMembership implements MembershipApi {
  private latest: MemberAttributes | undefined
  private publishing = false

  constructor(private readonly member: ClusterMember) {}

  list(): MemberPb[] {
    return this.member.roster.list()
  }

  async add(peerURLs: string[], isLearner: boolean, nowMs: number): Promise<MemberPb> {
    checkUrls(peerURLs)
    if (!isLearner && !readyToAddVotingMember(this.member.roster.voters())) throw ClusterErrors.notEnoughStartedMembers()
    // etcd's NewMember for a runtime add: the id mixes in the time, so a re-added URL gets a new id
    const id = computeMemberId(peerURLs, '', Math.floor(nowMs / 1000))
    await this.member.proposeConfChange(isLearner ? ConfChangeType.AddLearnerNode : ConfChangeType.AddNode, id, {
      member: {id: id.toString(16), peerURLs: [...peerURLs], isLearner},
    })
    return {ID: id, name: '', peerURLs: [...peerURLs], clientURLs: [], isLearner}
  }

  async remove(id: bigint): Promise<void> {
    // an unknown id passes the quorum check and is refused on apply (member not found), as etcd's
    const member = this.member.roster.get(id)
    if (member !== undefined && !member.isLearner && !readyToRemoveVotingMember(this.member.roster.voters(), id)) {
      throw ClusterErrors.notEnoughStartedMembers()
    }
    await this.member.proposeConfChange(ConfChangeType.RemoveNode, id, {})
  }

  async update(id: bigint, peerURLs: string[]): Promise<void> {
    checkUrls(peerURLs)
    await this.member.proposeConfChange(ConfChangeType.UpdateNode, id, {member: {id: id.toString(16), peerURLs: [...peerURLs], isLearner: false}})
  }

  async promote(id: bigint): Promise<void> {
    const caughtUp = this.member.learnerCaughtUp(id)
    if (caughtUp === undefined) return this.promoteOnLeader(id)
    if (!caughtUp) throw ClusterErrors.learnerNotReady()
    if (!readyToPromoteMember(this.member.roster.voters())) throw ClusterErrors.notEnoughStartedMembers()
    await this.member.proposeConfChange(ConfChangeType.AddNode, id, {promote: true})
  }

  /** A follower asks the leader (the only one that knows the learner's progress). */
  private async promoteOnLeader(id: bigint): Promise<void> {
    const leader = await this.member.waitForLeader()
    const url = this.member.roster.get(leader)?.clientURLs[0]
    if (url === undefined || leader === this.member.identity.memberId) throw RaftErrors.noLeader()
    const parsed = new URL(url)
    const client = new RawGrpcClient(`${parsed.hostname}:${parsed.port}`)
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        client.unary('etcdserverpb.Cluster', 'MemberPromote', {ID: id}),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(RaftErrors.timeout()), forwardTimeoutMs)
        }),
      ])
    } finally {
      clearTimeout(timer)
      client.close()
    }
    // answered once the leader applied it; this member lists it once it applied it too
    await this.member.linearizableBarrier()
  }

  /**
   * Starts publishing (or replaces what is being published); does not wait for the log. A
   * server knows its client URLs only once it listens (port 0): attributes without any are
   * not published, so the cluster never lists this member started but unreachable.
   */
  async publish(attributes: MemberAttributes): Promise<void> {
    if (attributes.clientURLs.length === 0) return
    this.latest = attributes
    if (!this.publishing) void this.publishLoop()
  }

  private async publishLoop(): Promise<void> {
    this.publishing = true
    try {
      while (this.latest !== undefined) {
        const attributes = this.latest
        try {
          await this.member.publishAttributes(attributes.name, attributes.clientURLs)
          if (this.latest === attributes) this.latest = undefined
        } catch {
          if (this.member.stoppedNow) return
          await new Promise((resolve) => setTimeout(resolve, publishRetryMs).unref())
        }
      }
    } finally {
      this.publishing = false
    }
  }
}
