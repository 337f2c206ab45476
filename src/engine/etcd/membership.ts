// The cluster's members as etcd's RaftCluster keeps them: ids derived from peer URLs (and the
// cluster token, or the time for a runtime add), reconfiguration checks in etcd's order and
// words, and a list sorted by id. A member is "started" once it has published its name (etcd's
// attributes), which only a running member does.
//
// One member has no Raft yet: a change is checked and answered as a one-member etcd answers it,
// and saved at once in <member dir>/cluster.json (written whole, then renamed). A voting member
// added here is listed "unstarted" as in etcd; etcd would then wait for it to reach quorum, while
// this member goes on committing alone until the Raft driver makes the change a log entry.
import {createHash} from 'node:crypto'
import {readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {ClusterErrors} from '../../api/errors.js'
import type {Member as MemberPb} from '../../api/proto/rpc.js'

const fileName = 'cluster.json'

export interface ClusterMember {
  id: bigint
  /** Empty until the member publishes it (an unstarted member). */
  name: string
  peerURLs: string[]
  clientURLs: string[]
  isLearner: boolean
}

/** What a running member publishes about itself (etcd's --name and advertised URLs). */
export interface MemberAttributes {
  name: string
  clientURLs: string[]
  peerURLs?: string[]
}

/** etcd's defaults for a member started without flags. */
export const defaultAttributes = {
  name: 'default',
  peerURLs: ['http://localhost:2380'],
  clientURLs: ['http://localhost:2379'],
} as const

/** etcd 3.4 and 3.5 allow one learner at a time (--experimental-max-learners came in 3.6). */
export const maxLearners = 1

/** etcd's computeMemberId: sha1 of the sorted peer URLs, the cluster token and (for a runtime add) the Unix time. */
export function computeMemberId(peerURLs: readonly string[], clusterToken: string, unixSeconds?: number): bigint {
  const text = [...peerURLs].sort().join('') + clusterToken + (unixSeconds === undefined ? '' : String(unixSeconds))
  return createHash('sha1').update(text).digest().readBigUInt64BE(0)
}

/** etcd's genID: sha1 of the sorted member ids, 8 bytes big-endian each. */
export function computeClusterId(memberIds: readonly bigint[]): bigint {
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const bytes = Buffer.alloc(8 * sorted.length)
  sorted.forEach((id, i) => bytes.writeBigUInt64BE(id, 8 * i))
  return createHash('sha1').update(bytes).digest().readBigUInt64BE(0)
}

/** etcd's --initial-cluster: `name=url,name=url`; the URLs of `name`, in order. */
export function parseInitialCluster(text: string): Map<string, string[]> {
  const members = new Map<string, string[]>()
  for (const item of text.split(',').filter((s) => s !== '')) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new Error(`invalid initial-cluster entry ${JSON.stringify(item)}`)
    const name = item.slice(0, eq)
    const url = item.slice(eq + 1)
    checkUrls([url])
    members.set(name, [...(members.get(name) ?? []), url])
  }
  return members
}

/** etcd's check of a member's peer URLs: http(s), a port, no path or query. */
export function checkUrls(urls: readonly string[]): void {
  for (const text of urls) {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw ClusterErrors.memberBadURLs()
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.port === '' || url.pathname !== '/' || url.search !== '') {
      throw ClusterErrors.memberBadURLs()
    }
  }
}

interface Saved {
  members: {id: string; name: string; peerURLs: string[]; clientURLs: string[]; isLearner: boolean}[]
}

export class Membership {
  private members = new Map<bigint, ClusterMember>()
  /** Changes are saved one after another, each whole. */
  private saving: Promise<void> = Promise.resolve()

  private constructor(
    private readonly memberDir: string,
    readonly selfId: bigint,
  ) {}

  /** Loads the member list, or starts one with this member alone (etcd's defaults). */
  static async load(memberDir: string, selfId: bigint): Promise<Membership> {
    const membership = new Membership(memberDir, selfId)
    let saved: Saved | undefined
    try {
      saved = JSON.parse(await readFile(join(memberDir, fileName), 'utf8')) as Saved
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const m of saved?.members ?? []) membership.members.set(BigInt(m.id), {...m, id: BigInt(m.id)})
    if (!membership.members.has(selfId)) {
      membership.members.set(selfId, {id: selfId, ...defaultAttributes, peerURLs: [...defaultAttributes.peerURLs], clientURLs: [...defaultAttributes.clientURLs], isLearner: false})
      await membership.save()
    }
    return membership
  }

  /** Writes a member list for a new data dir (snapshot restore). */
  static async create(memberDir: string, members: ClusterMember[]): Promise<void> {
    await writeWhole(join(memberDir, fileName), serialize(members))
  }

  /** Every member, by id (as etcd lists them). */
  list(): MemberPb[] {
    return [...this.members.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(toPb)
  }

  get self(): ClusterMember {
    return this.members.get(this.selfId)!
  }

  /** etcd's MemberAdd, with the checks in etcd's order. */
  async add(peerURLs: string[], isLearner: boolean, nowMs: number): Promise<MemberPb> {
    checkUrls(peerURLs)
    if (!isLearner && !this.readyToAddVotingMember()) throw ClusterErrors.notEnoughStartedMembers()
    const id = computeMemberId(peerURLs, '', Math.floor(nowMs / 1000))
    if (this.members.has(id)) throw ClusterErrors.memberExist()
    if (this.urlInUse(peerURLs)) throw ClusterErrors.peerURLExist()
    if (isLearner && [...this.members.values()].filter((m) => m.isLearner).length >= maxLearners) throw ClusterErrors.tooManyLearners()
    const member: ClusterMember = {id, name: '', peerURLs: [...peerURLs], clientURLs: [], isLearner}
    this.members.set(id, member)
    await this.save()
    return toPb(member)
  }

  async remove(id: bigint): Promise<void> {
    const member = this.members.get(id)
    // etcd's quorum check passes for an id that is no member (it is not counted), and raft then
    // refuses the unknown id: so an unknown id is "member not found", whatever the quorum.
    if (member === undefined) throw ClusterErrors.memberNotFound()
    if (!member.isLearner && !this.readyToRemoveVotingMember(id)) throw ClusterErrors.notEnoughStartedMembers()
    this.members.delete(id)
    await this.save()
  }

  async update(id: bigint, peerURLs: string[]): Promise<void> {
    checkUrls(peerURLs)
    const member = this.members.get(id)
    if (member === undefined) throw ClusterErrors.memberNotFound()
    if (this.urlInUse(peerURLs, id)) throw ClusterErrors.peerURLExist()
    member.peerURLs = [...peerURLs]
    await this.save()
  }

  /** A learner is promoted once it has caught up with the leader; an unstarted one never has. */
  async promote(id: bigint): Promise<never> {
    const member = this.members.get(id)
    if (member === undefined) throw ClusterErrors.memberNotFound()
    if (!member.isLearner) throw ClusterErrors.memberNotLearner()
    throw ClusterErrors.learnerNotReady()
  }

  /** This member's name and URLs, as a starting member publishes them. */
  async publish(attributes: MemberAttributes): Promise<void> {
    const self = this.self
    self.name = attributes.name
    self.clientURLs = [...attributes.clientURLs]
    if (attributes.peerURLs !== undefined) self.peerURLs = [...attributes.peerURLs]
    await this.save()
  }

  private urlInUse(peerURLs: readonly string[], except?: bigint): boolean {
    for (const m of this.members.values()) {
      if (m.id !== except && m.peerURLs.some((url) => peerURLs.includes(url))) return true
    }
    return false
  }

  private voters(): ClusterMember[] {
    return [...this.members.values()].filter((m) => !m.isLearner)
  }

  private readyToAddVotingMember(): boolean {
    return readyToAddVotingMember(this.voters())
  }

  private readyToRemoveVotingMember(id: bigint): boolean {
    return readyToRemoveVotingMember(this.voters(), id)
  }

  private save(): Promise<void> {
    const text = serialize([...this.members.values()])
    this.saving = this.saving.catch(() => undefined).then(() => writeWhole(join(this.memberDir, fileName), text))
    return this.saving
  }
}

// etcd's quorum checks of a reconfiguration (--strict-reconfig-check, on by default), over the
// voting members; a member is started once it has published its name.

/** etcd's IsReadyToAddVotingMember (with its one-member exception). */
export function readyToAddVotingMember(voters: readonly ClusterMember[]): boolean {
  const members = voters.length + 1
  const started = voters.filter((m) => m.name !== '').length
  if (started === 1 && members === 2) return true
  return started >= Math.floor(members / 2) + 1
}

/** etcd's IsReadyToRemoveVotingMember. */
export function readyToRemoveVotingMember(voters: readonly ClusterMember[], id: bigint): boolean {
  const rest = voters.filter((m) => m.id !== id)
  const started = rest.filter((m) => m.name !== '').length
  return started >= Math.floor(rest.length / 2) + 1
}

/** etcd's IsReadyToPromoteMember: the learner counts as a started voter. */
export function readyToPromoteMember(voters: readonly ClusterMember[]): boolean {
  const members = voters.length + 1
  const started = voters.filter((m) => m.name !== '').length + 1
  return started >= Math.floor(members / 2) + 1
}

function serialize(members: ClusterMember[]): string {
  const saved: Saved = {members: members.map((m) => ({...m, id: String(m.id)}))}
  return JSON.stringify(saved)
}

async function writeWhole(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`
  await writeFile(temp, text, {flush: true})
  await rename(temp, path)
}

function toPb(m: ClusterMember): MemberPb {
  return {ID: m.id, name: m.name, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs], isLearner: m.isLearner}
}
