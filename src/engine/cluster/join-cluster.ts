// How a member with an empty data dir finds its place, as etcd's bootstrap does:
//
// - `--initial-cluster-state existing` (a member added with `member add`): ask the running
//   members (their peer URLs in --initial-cluster) for the cluster id and member list, check
//   that --initial-cluster names exactly those members (etcd's ValidateClusterAndAssignIDs),
//   and take this member's id from that list. The member then starts from a record at index 1
//   holding the configuration and roster it was told, and the leader sends it the log after
//   that (applying the log's membership changes again leaves the same roster: each one sets a
//   member's state outright, and one already in place is refused alike everywhere).
// - `new`: if a running member answers, refuse to start when this member is already one of its
//   started members (etcd's "has already been bootstrapped"), or when the peers belong to
//   another cluster (a member added with `member add` must join with `existing`; etcd would
//   start and be refused by every peer).
import {computeClusterId, computeMemberId} from '../etcd/membership.js'
import {type ClusterInfo, fetchClusterInfo} from './cluster-info.js'
import type {PeerTls} from './peer-tls.js'
import {bootstrapMeta} from './raft-disk.js'
import {Roster, type SavedMember} from './roster.js'
import type {SnapMeta} from './snap-meta.js'

/** How long each running member gets to answer a member joining (etcd's peer request timeout). */
const joinAskTimeoutMs = 3_000
/** How long each member gets to answer a new member's check (etcd's bootstrap timeout, 1 s). */
const bootstrapAskTimeoutMs = 1_000

export interface InitialCluster {
  /** --name */
  name: string
  /** --initial-cluster: each name's peer URLs. */
  initialCluster: Map<string, string[]>
  initialClusterToken: string
  /** This member's peer certificate, to ask https:// peers. */
  peerTls?: PeerTls
}

export interface Placement {
  clusterId: bigint
  memberId: bigint
  /** The record the member starts from. */
  meta: SnapMeta
}

/** The peer URLs of every other member --initial-cluster names. */
function otherPeerUrls(config: InitialCluster): string[] {
  return [...config.initialCluster].filter(([name]) => name !== config.name).flatMap(([, urls]) => urls)
}

/** etcd's `existing`: the running cluster's id, this member's id in it, and the record to start from. */
export async function joinRunningCluster(config: InitialCluster): Promise<Placement> {
  const info = await fetchClusterInfo(otherPeerUrls(config), joinAskTimeoutMs, config.peerTls)
  if (info === undefined) throw new Error('cannot fetch cluster info from peer urls: could not retrieve cluster information from the given URLs')
  const live = info.members.filter((m) => m.removed !== true)
  const local = [...config.initialCluster].map(([name, urls]) => ({name, urls: normalized(urls)}))
  const problem = (why: string) => new Error(`error validating peerURLs ${describe(info)}: ${why}`)
  if (live.length !== local.length) throw problem('member count is unequal')
  const byUrls = (urls: string[]) => urls.join(',')
  const remote = new Map(live.map((m) => [byUrls(normalized(m.peerURLs)), m]))
  let self: SavedMember | undefined
  for (const member of local) {
    const match = remote.get(byUrls(member.urls))
    if (match === undefined) throw problem(`unmatched member while checking PeerURLs (${member.urls.join(',')} is not a member's peer URLs)`)
    if (member.name === config.name) self = match
  }
  const roster = Roster.fromSaved(info.members)
  return {
    clusterId: BigInt(`0x${info.cluster}`),
    memberId: BigInt(self!.id),
    meta: bootstrapMeta(roster.confState(), info.members),
  }
}

/** etcd's `new`: the ids every member of --initial-cluster derives alike, after checking no running cluster already holds this member. */
export async function bootstrapNewCluster(config: InitialCluster): Promise<Placement> {
  const members = [...config.initialCluster].map(([, peerURLs]) => ({
    id: computeMemberId(peerURLs, config.initialClusterToken),
    // unstarted until the member publishes its name through the log
    name: '',
    peerURLs: [...peerURLs],
    clientURLs: [],
    isLearner: false,
  }))
  const clusterId = computeClusterId(members.map((m) => m.id))
  const memberId = computeMemberId(config.initialCluster.get(config.name)!, config.initialClusterToken)
  const info = await fetchClusterInfo(otherPeerUrls(config), bootstrapAskTimeoutMs, config.peerTls)
  if (info !== undefined) {
    if (info.cluster !== clusterId.toString(16)) {
      throw new Error(
        `the members at ${otherPeerUrls(config).join(',')} belong to cluster ${info.cluster}, not to the new cluster ${clusterId.toString(16)} --initial-cluster describes; ` +
          'a member added with `member add` starts with --initial-cluster-state existing',
      )
    }
    const self = info.members.find((m) => m.removed !== true && BigInt(m.id) === memberId)
    if (self !== undefined && self.clientURLs.length > 0) throw new Error(`member ${memberId.toString(16)} has already been bootstrapped`)
  }
  const roster = new Roster(members)
  return {clusterId, memberId, meta: bootstrapMeta(roster.confState(), roster.save())}
}

function normalized(urls: readonly string[]): string[] {
  return urls.map((url) => url.replace(/\/$/, '')).sort()
}

/** As etcd prints a RaftCluster in this error. */
function describe(info: ClusterInfo): string {
  const live = info.members.filter((m) => m.removed !== true)
  const removed = info.members.filter((m) => m.removed === true)
  const members = live.map(
    (m) => `&{ID:${BigInt(m.id).toString(16)} RaftAttributes:{PeerURLs:[${m.peerURLs.join(' ')}] IsLearner:${m.isLearner}} Attributes:{Name:${m.name} ClientURLs:[${m.clientURLs.join(' ')}]}}`,
  )
  return `{ClusterID:${info.cluster} Members:[${members.join(' ')}] RemovedMemberIDs:[${removed.map((m) => BigInt(m.id).toString(16)).join(' ')}]}`
}
