// The v3 API of a cluster member: the embedded engine's, with what a cluster changes —
// linearizable reads wait for ReadIndex (serializable ones read the local store at once),
// status reports the leader, raft term, committed and applied index, move-leader hands
// leadership over through raft, and lease time-to-live is answered by the leader (only its
// lessor counts time).
import {type LeaseTimeToLiveRequest, type LeaseTimeToLiveResponse, type MoveLeaderRequest, type MoveLeaderResponse, RangeRequest, type RangeResponse, type StatusResponse} from '../../api/proto/rpc.js'
import {ClusterErrors} from '../../api/errors.js'
import type {Req} from '../../client/etcd/client.js'
import type {AuthStore} from '../auth/auth-store.js'
import {EmbeddedEtcd} from '../etcd/embedded.js'
import type {ClusterMember} from './cluster-member.js'
import {ClusterMembership} from './cluster-membership.js'
import {LeaderLeases} from './leader-leases.js'

export class ClusteredEtcd extends EmbeddedEtcd {
  /** A follower's way to the leader's lessor. */
  private readonly leaderLeases: LeaderLeases

  constructor(
    readonly raftMember: ClusterMember,
    authStore: AuthStore,
    memberDir: string,
  ) {
    super(raftMember, authStore, {memberDir, membership: new ClusterMembership(raftMember)})
    this.leaderLeases = new LeaderLeases(raftMember.roster)
    raftMember.forwardRenew = (leader, id) => this.leaderLeases.renew(leader, id)
  }

  override async close(): Promise<void> {
    this.leaderLeases.close()
    await super.close()
  }

  override halted(): Promise<string> {
    return this.raftMember.halted
  }

  override async range(req: Req<RangeRequest>): Promise<RangeResponse> {
    if (!req.serializable) await this.raftMember.linearizableBarrier()
    return super.range(req)
  }

  override async status(): Promise<StatusResponse> {
    const status = await super.status()
    const member = this.raftMember
    return {
      ...status,
      leader: member.leaderId,
      raftIndex: member.committedIndex,
      raftTerm: member.term,
      raftAppliedIndex: member.appliedIndex,
      isLearner: member.isLearner,
    }
  }

  override leadership(): {isLeader: boolean; hasLeader: boolean; isLearner: boolean} {
    return {isLeader: this.raftMember.isLeader, hasLeader: this.raftMember.leaderId !== 0n, isLearner: this.raftMember.isLearner}
  }

  /** etcd's MoveLeader: only the leader moves leadership, and only to a voting member. */
  override async moveLeader(req: Req<MoveLeaderRequest>): Promise<MoveLeaderResponse> {
    const target = req.targetID ?? 0n
    const voter = this.raftMember.roster.get(target)
    if (voter === undefined || voter.isLearner) throw ClusterErrors.badLeaderTransferee()
    await this.raftMember.transferLeadership(target)
    return {header: undefined}
  }

  override async leaseTimeToLive(req: Req<LeaseTimeToLiveRequest>): Promise<LeaseTimeToLiveResponse> {
    const member = this.raftMember
    if (member.isLeader) return super.leaseTimeToLive(req)
    const leader = await member.waitForLeader()
    if (leader === member.identity.memberId) return super.leaseTimeToLive(req)
    const response = await this.leaderLeases.timeToLive(leader, {ID: req.ID ?? 0n, keys: req.keys ?? false})
    return {...response, header: member.header()}
  }
}
