// The member list of a cluster member, for the v3 Cluster service: the roster every member
// keeps through the log. Publishing this member's name and client URLs is an entry of the log
// (as etcd's publish), proposed in the background until it is applied: a member serves clients
// before a quorum is up, and shows as started once the cluster has taken its attributes.
import type {Member as MemberPb} from '../../api/proto/rpc.js'
import type {MembershipApi} from '../etcd/member-api.js'
import type {MemberAttributes} from '../etcd/membership.js'
import type {ClusterMember} from './cluster-member.js'
import {RaftErrors} from './errors.js'

/** Between two attempts to publish (a proposal times out after etcd's request timeout). */
const publishRetryMs = 500

export class ClusterMembership implements MembershipApi {
  private latest: MemberAttributes | undefined
  private publishing = false

  constructor(private readonly member: ClusterMember) {}

  list(): MemberPb[] {
    return this.member.roster.list()
  }

  async add(): Promise<MemberPb> {
    throw RaftErrors.unsupported('member add')
  }

  async remove(): Promise<void> {
    throw RaftErrors.unsupported('member remove')
  }

  async update(): Promise<void> {
    throw RaftErrors.unsupported('member update')
  }

  async promote(): Promise<never> {
    throw RaftErrors.unsupported('member promote')
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
