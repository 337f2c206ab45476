// The in-process v3 API: an EtcdClient that calls a member living in this process.
//
// Data dir layout (as etcd's, one level named by job):
//   <data-dir>/member/identity.json   cluster and member ids
//   <data-dir>/member/wal/            the write-ahead log
//   <data-dir>/member/db/             the backend (B+tree store)
import {mkdir, rm, stat} from 'node:fs/promises'
import {createReadStream} from 'node:fs'
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {
  AlarmRequest,
  AlarmRequest_AlarmAction,
  type AlarmResponse,
  AlarmType,
  type DefragmentResponse,
  type HashResponse,
  type MemberAddRequest,
  type MemberAddResponse,
  type MemberListResponse,
  type MemberPromoteRequest,
  type MemberPromoteResponse,
  type MemberRemoveRequest,
  type MemberRemoveResponse,
  type MemberUpdateRequest,
  type MemberUpdateResponse,
  type MoveLeaderRequest,
  type MoveLeaderResponse,
  type SnapshotResponse,
  CompactionRequest,
  type CompactionResponse,
  DeleteRangeRequest,
  type DeleteRangeResponse,
  type HashKVRequest,
  type HashKVResponse,
  LeaseGrantRequest,
  type LeaseGrantResponse,
  type LeaseLeasesResponse,
  LeaseRevokeRequest,
  type LeaseRevokeResponse,
  LeaseTimeToLiveRequest,
  type LeaseTimeToLiveResponse,
  type PutRequest,
  type PutResponse,
  type RangeRequest,
  type RangeResponse,
  type ResponseHeader,
  type StatusResponse,
  TxnRequest,
  type TxnResponse,
} from '../../api/proto/rpc.js'
import {ClusterErrors, Errors} from '../../api/errors.js'
import type {CampaignRequest, CampaignResponse, LeaderRequest, LeaderResponse, ProclaimRequest, ProclaimResponse, ResignRequest, ResignResponse} from '../../api/proto/v3election.js'
import type {LockRequest, LockResponse, UnlockRequest, UnlockResponse} from '../../api/proto/v3lock.js'
import type {EtcdAuthClient, EtcdClient, KeepAliveStream, Req, WatchStream} from '../../client/etcd/client.js'
import type {InternalRequest, RequestHeader} from '../../api/proto/internal.js'
import {AuthStore} from '../auth/auth-store.js'
import {AuthApi} from './auth-api.js'
import {callerView} from './caller-view.js'
import type {Clock} from '../lease/clock.js'
import {Lessor} from '../lease/lessor.js'
import {openKvStore} from '../mvcc/store.js'
import {WatchableStore} from '../mvcc/watchable-store.js'
import {ServerWatchStream} from '../mvcc/watch-stream.js'
import {checkRange} from '../mvcc/validate.js'
import {openWal} from '../wal/wal.js'
import {loadOrCreateIdentity} from './identity.js'
import {type MemberAttributes, Membership} from './membership.js'
import {abortable, RecipeService} from './recipes.js'
import {stagingPath, trailerHead, TRAILER_BYTES} from './snapshot-file.js'
import {KeepAliveSession} from './keepalive-session.js'
import {putRequestOf, rangeRequestOf} from './fast-requests.js'
import {Member, type MemberLimits, unwrap} from './member.js'
import type {MemberApi, MembershipApi} from './member-api.js'
import {serverVersion} from './version.js'

/** Caller views kept for reuse, by token (a view is cheap; this only spares rebuilding it per call). */
const MAX_CACHED_VIEWS = 256

export class EmbeddedEtcd implements EtcdClient, EtcdAuthClient {
  /** Open keep-alive streams, ended with `server stopped` on close. */
  private readonly keepAlives = new Set<KeepAliveSession>()
  /** etcd's Auth service, for callers of this process (root) and for caller views. */
  readonly auth: AuthApi
  private readonly views = new Map<string | undefined, EmbeddedEtcd>()

  /** Server-side Lock and Election (etcd's v3lock and v3election services). */
  private readonly recipes = new RecipeService(this)
  private snapshotSequence = 0

  /**
   * `authStore` must be the one the member's store was opened with (it applies auth entries).
   * `cluster`: where the member keeps its member list and stages snapshots; without it (tests
   * of the write path) the cluster and snapshot methods throw.
   */
  constructor(
    readonly member: MemberApi,
    readonly authStore: AuthStore = new AuthStore(),
    private readonly cluster?: {memberDir: string; membership: MembershipApi},
  ) {
    this.auth = new AuthApi(member, authStore)
  }

  /**
   * The engine as a network caller holding `token` sees it: every request checked as etcd
   * checks it for that user once auth is enabled (see caller-view.ts). This object itself, as
   * the in-process API of the data dir's holder, acts as root.
   */
  asCaller(token: string | undefined): EmbeddedEtcd {
    let view = this.views.get(token)
    if (view === undefined) {
      if (this.views.size >= MAX_CACHED_VIEWS) this.views.delete(this.views.keys().next().value)
      view = callerView(this, token)
      this.views.set(token, view)
    }
    return view
  }

  // ---- auth (etcd's Auth service), as root ----
  authEnable: EtcdAuthClient['authEnable'] = () => this.auth.authEnable()
  authDisable: EtcdAuthClient['authDisable'] = () => this.auth.authDisable()
  authStatus: EtcdAuthClient['authStatus'] = () => this.auth.authStatus()
  authenticate: EtcdAuthClient['authenticate'] = (req) => this.auth.authenticate(req)
  userAdd: EtcdAuthClient['userAdd'] = (req) => this.auth.userAdd(req)
  userGet: EtcdAuthClient['userGet'] = (req) => this.auth.userGet(req)
  userList: EtcdAuthClient['userList'] = () => this.auth.userList()
  userDelete: EtcdAuthClient['userDelete'] = (req) => this.auth.userDelete(req)
  userChangePassword: EtcdAuthClient['userChangePassword'] = (req) => this.auth.userChangePassword(req)
  userGrantRole: EtcdAuthClient['userGrantRole'] = (req) => this.auth.userGrantRole(req)
  userRevokeRole: EtcdAuthClient['userRevokeRole'] = (req) => this.auth.userRevokeRole(req)
  roleAdd: EtcdAuthClient['roleAdd'] = (req) => this.auth.roleAdd(req)
  roleGet: EtcdAuthClient['roleGet'] = (req) => this.auth.roleGet(req)
  roleList: EtcdAuthClient['roleList'] = () => this.auth.roleList()
  roleDelete: EtcdAuthClient['roleDelete'] = (req) => this.auth.roleDelete(req)
  roleGrantPermission: EtcdAuthClient['roleGrantPermission'] = (req) => this.auth.roleGrantPermission(req)
  roleRevokePermission: EtcdAuthClient['roleRevokePermission'] = (req) => this.auth.roleRevokePermission(req)

  async range(req: Req<RangeRequest>): Promise<RangeResponse> {
    const request = rangeRequestOf(req)
    checkRange(request)
    const response = this.member.store.range(request)
    response.header = this.headerAt(response.header?.revision ?? BigInt(this.member.store.currentRevision))
    return response
  }

  async put(req: Req<PutRequest>): Promise<PutResponse> {
    return this.write({put: putRequestOf(req)}) as Promise<PutResponse>
  }

  async deleteRange(req: Req<DeleteRangeRequest>): Promise<DeleteRangeResponse> {
    return this.write({deleteRange: DeleteRangeRequest.fromPartial(req)}) as Promise<DeleteRangeResponse>
  }

  async txn(req: Req<TxnRequest>): Promise<TxnResponse> {
    return this.write({txn: TxnRequest.fromPartial(req)}) as Promise<TxnResponse>
  }

  async compact(req: Req<CompactionRequest>): Promise<CompactionResponse> {
    const compaction = CompactionRequest.fromPartial(req)
    const result = unwrap(await this.member.propose({id: 0n, compaction}))
    if (compaction.physical && result.physical) await result.physical
    return this.withHeader(result.response) as CompactionResponse
  }

  async hashKV(req: Req<HashKVRequest>): Promise<HashKVResponse> {
    const hash = this.member.store.hashKV(Number(req.revision ?? 0n))
    return {
      header: this.member.header(),
      hash: hash.hash,
      compactRevision: BigInt(hash.compactRevision),
      hashRevision: BigInt(hash.hashRevision),
    }
  }

  async status(): Promise<StatusResponse> {
    const dbSize = BigInt(this.member.store.dbSizeBytes())
    const dbSizeInUse = BigInt(this.member.store.dbSizeInUseBytes())
    return {
      header: this.member.header(),
      version: serverVersion,
      dbSize,
      leader: this.member.identity.memberId,
      raftIndex: this.member.appliedIndex,
      raftTerm: this.member.term,
      raftAppliedIndex: this.member.appliedIndex,
      // etcd lists each active alarm as its text form
      errors: this.member.store.alarms().map((alarm) => `memberID:${alarm.memberID} alarm:${AlarmType[alarm.alarm] ?? alarm.alarm} `),
      dbSizeInUse,
      isLearner: false,
    }
  }

  /**
   * etcd's Maintenance.Alarm: GET lists the active alarms; ACTIVATE and DEACTIVATE go through
   * the log (an alarm outlives a restart) and answer the alarm they changed.
   */
  async alarm(req: Req<AlarmRequest>): Promise<AlarmResponse> {
    const request = AlarmRequest.fromPartial(req)
    if (request.action === AlarmRequest_AlarmAction.GET) {
      const alarms = this.member.store.alarms()
      const wanted = request.alarm === AlarmType.NONE ? alarms : alarms.filter((alarm) => alarm.alarm === request.alarm)
      return {header: this.member.header(), alarms: wanted}
    }
    const result = unwrap(await this.member.propose({id: 0n, alarm: request}))
    return this.withHeader(result.response as AlarmResponse)
  }

  // ---- maintenance (etcd's Maintenance service) ----

  /** Rewrites the backend compactly; writes wait meanwhile, reads go on. */
  async defragment(): Promise<DefragmentResponse> {
    await this.member.exclusive(() => this.member.store.defragment())
    return {header: this.member.header()}
  }

  async hash(): Promise<HashResponse> {
    return {header: this.member.header(), hash: this.member.store.hash()}
  }

  /**
   * A point-in-time copy of the backend in chunks (snapshot-file.ts has the format):
   * remaining_bytes counts down what is still to come; the last message carries the trailer
   * (revision, consistent index, sha256) with remaining_bytes 0. The copy is staged next to the
   * backend and removed when the stream ends, however it ends.
   */
  snapshot(): AsyncIterable<SnapshotResponse> {
    const cluster = this.need()
    const staged = stagingPath(cluster.memberDir, ++this.snapshotSequence)
    const member = this.member
    return (async function* (): AsyncGenerator<SnapshotResponse> {
      try {
        await member.store.copyBackendTo(staged)
        const {readBackendFile} = await import('../mvcc/store.js')
        const info = await readBackendFile(staged)
        const bodyBytes = (await stat(staged)).size
        const header = member.header()
        const hash = createHash('sha256')
        let remaining = bodyBytes + TRAILER_BYTES
        for await (const chunk of createReadStream(staged, {highWaterMark: SNAPSHOT_CHUNK_BYTES})) {
          const blob = chunk as Buffer
          hash.update(blob)
          remaining -= blob.length
          yield {header, remainingBytes: BigInt(remaining), blob, version: ''}
        }
        const head = trailerHead({revision: info.revision, consistentIndex: info.consistentIndex})
        hash.update(head)
        yield {header, remainingBytes: 0n, blob: Buffer.concat([head, hash.digest()]), version: ''}
      } finally {
        await rm(staged, {force: true})
        await rm(`${staged}-lock`, {force: true})
      }
    })()
  }

  /** Whether this member leads, whether it knows a leader (metrics), and whether it is a learner; one member always leads. */
  leadership(): {isLeader: boolean; hasLeader: boolean; isLearner: boolean} {
    return {isLeader: true, hasLeader: true, isLearner: false}
  }

  /** Settles with the reason if the member stops on its own (a cluster member removed from its cluster); one member never does. */
  halted(): Promise<string> {
    return new Promise<string>(() => undefined)
  }

  /** One member is always the leader: moving to itself succeeds, to anyone else is refused. */
  async moveLeader(req: Req<MoveLeaderRequest>): Promise<MoveLeaderResponse> {
    if ((req.targetID ?? 0n) !== this.member.identity.memberId) throw ClusterErrors.badLeaderTransferee()
    // etcd answers MoveLeader without a header
    return {header: undefined}
  }

  // ---- cluster (etcd's Cluster service; see membership.ts) ----

  async memberList(): Promise<MemberListResponse> {
    return {header: this.member.header(0), members: this.need().membership.list()}
  }

  async memberAdd(req: Req<MemberAddRequest>): Promise<MemberAddResponse> {
    const membership = this.need().membership
    const added = await membership.add(req.peerURLs ?? [], req.isLearner ?? false, Date.now())
    return {header: this.member.header(0), member: added, members: membership.list()}
  }

  async memberRemove(req: Req<MemberRemoveRequest>): Promise<MemberRemoveResponse> {
    const membership = this.need().membership
    await membership.remove(req.ID ?? 0n)
    return {header: this.member.header(0), members: membership.list()}
  }

  async memberUpdate(req: Req<MemberUpdateRequest>): Promise<MemberUpdateResponse> {
    const membership = this.need().membership
    await membership.update(req.ID ?? 0n, req.peerURLs ?? [])
    return {header: this.member.header(0), members: membership.list()}
  }

  async memberPromote(req: Req<MemberPromoteRequest>): Promise<MemberPromoteResponse> {
    const membership = this.need().membership
    await membership.promote(req.ID ?? 0n)
    return {header: this.member.header(0), members: membership.list()}
  }

  /** What a starting server says of itself (its --name and advertised URLs). */
  async publishMember(attributes: MemberAttributes): Promise<void> {
    await this.need().membership.publish(attributes)
  }

  // ---- lock and election (etcd's v3lock and v3election services) ----

  lock(req: Req<LockRequest>, signal?: AbortSignal): Promise<LockResponse> {
    return this.recipes.lock(req, signal)
  }

  unlock(req: Req<UnlockRequest>): Promise<UnlockResponse> {
    return this.recipes.unlock(req)
  }

  campaign(req: Req<CampaignRequest>, signal?: AbortSignal): Promise<CampaignResponse> {
    return this.recipes.campaign(req, signal)
  }

  proclaim(req: Req<ProclaimRequest>): Promise<ProclaimResponse> {
    return this.recipes.proclaim(req)
  }

  leader(req: Req<LeaderRequest>): Promise<LeaderResponse> {
    return this.recipes.leader(req)
  }

  observe(req: Req<LeaderRequest>): AsyncIterable<LeaderResponse> {
    return abortable((signal) => this.recipes.observe(req, signal))
  }

  resign(req: Req<ResignRequest>): Promise<ResignResponse> {
    return this.recipes.resign(req)
  }

  private need(): {memberDir: string; membership: MembershipApi} {
    if (this.cluster === undefined) throw new Error('this engine was opened without its member directory')
    return this.cluster
  }

  // ---- leases (etcd's Lease service) ----

  async leaseGrant(req: Req<LeaseGrantRequest>): Promise<LeaseGrantResponse> {
    const grant = LeaseGrantRequest.fromPartial(req)
    // As etcd's server: the id is chosen before the grant enters the log, so every member
    // applies the same one.
    if (grant.ID === 0n) grant.ID = this.member.lessor.newLeaseId()
    const result = unwrap(await this.member.propose({id: 0n, leaseGrant: grant}))
    return this.withHeader(result.response as LeaseGrantResponse)
  }

  /** Deletes the lease's keys in one revision; the header carries that revision. */
  async leaseRevoke(req: Req<LeaseRevokeRequest>): Promise<LeaseRevokeResponse> {
    const result = unwrap(await this.member.propose({id: 0n, leaseRevoke: LeaseRevokeRequest.fromPartial(req)}))
    return this.withHeader(result.response as LeaseRevokeResponse)
  }

  /** A lease that does not exist answers TTL -1 (not an error), as etcd's LeaseServer does. */
  async leaseTimeToLive(req: Req<LeaseTimeToLiveRequest>): Promise<LeaseTimeToLiveResponse> {
    const request = LeaseTimeToLiveRequest.fromPartial(req)
    const status = this.member.lessor.timeToLive(request.ID)
    if (status === undefined) return {header: this.member.header(), ID: request.ID, TTL: -1n, grantedTTL: 0n, keys: []}
    return {
      header: this.member.header(),
      ID: request.ID,
      TTL: BigInt(status.remainingSeconds),
      grantedTTL: BigInt(status.grantedTtlSeconds),
      keys: request.keys ? status.keys.map((key) => Buffer.from(key, 'latin1')) : [],
    }
  }

  /** Every lease, the soonest to expire first. */
  async leaseLeases(): Promise<LeaseLeasesResponse> {
    return {header: this.member.header(), leases: this.member.lessor.leases().map((ID) => ({ID}))}
  }

  leaseKeepAlive(): KeepAliveStream {
    const session = new KeepAliveSession(this.member, (ended) => this.keepAlives.delete(ended))
    this.keepAlives.add(session)
    return session
  }

  /**
   * A watch stream (etcd's Watch service) over the member's watchable store; the engine's close
   * ends it with `server stopped`.
   */
  watch(): WatchStream {
    const store = this.member.store
    if (!(store instanceof WatchableStore)) throw new Error('this member was opened without a watchable store')
    // etcd cuts a fragmenting watcher's responses at the server's --max-request-bytes
    return new ServerWatchStream(store, {header: (revision) => this.member.header(revision), maxRequestBytes: this.member.maxRequestBytes})
  }

  async close(): Promise<void> {
    for (const session of [...this.keepAlives]) session.fail(Errors.stopped())
    await this.member.close()
  }

  private async write(request: {put?: PutRequest; deleteRange?: DeleteRangeRequest; txn?: TxnRequest}) {
    const result = unwrap(await this.member.propose({id: 0n, ...request}))
    return this.withHeader(result.response)
  }

  /** A write (key-value or lease revoke) on behalf of a checked caller (`header` undefined: as root). */
  async writeAs<T>(request: Pick<InternalRequest, 'put' | 'deleteRange' | 'txn' | 'leaseRevoke'>, header: RequestHeader | undefined): Promise<T> {
    const result = unwrap(await this.member.propose({id: 0n, ...request, header}))
    return this.withHeader(result.response) as T
  }

  /** The member's header at a revision the store answered (already a bigint: no round trip through a number). */
  private headerAt(revision: bigint): ResponseHeader {
    const {member} = this
    return {clusterId: member.identity.clusterId, memberId: member.identity.memberId, revision, raftTerm: member.term}
  }

  private withHeader<T extends {header?: {revision: bigint} | undefined}>(response: T): T {
    response.header = this.headerAt(response.header?.revision ?? BigInt(this.member.store.currentRevision))
    return response
  }
}

/** Bytes per Snapshot message (etcd sends 32 KiB). */
const SNAPSHOT_CHUNK_BYTES = 32 * 1024

export interface EmbeddedOptions {
  /** The lessor's clock (a FakeClock in tests and simulation); the monotonic clock by default. */
  clock?: Clock
  /** The member's limits (--max-request-bytes, --quota-backend-bytes …); etcd's defaults otherwise. */
  limits?: Partial<MemberLimits>
}

/**
 * Opens (or creates) the engine in `dataDir` and starts its member (lease expiry); the caller
 * must hold the data dir (see holder.ts).
 */
export async function openEmbedded(dataDir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedEtcd> {
  const memberDir = join(dataDir, 'member')
  // A cluster member's log holds Raft entries, not this member's: opening it alone would misread it.
  if (await stat(join(memberDir, 'snap', 'raft.json')).then(() => true, () => false)) {
    throw new Error(`data dir ${dataDir} belongs to a member of a Raft cluster: run it with ectl server and its --initial-cluster`)
  }
  await mkdir(join(memberDir, 'wal'), {recursive: true})
  await mkdir(join(memberDir, 'db'), {recursive: true})
  const identity = await loadOrCreateIdentity(memberDir)
  const lessor = new Lessor({clock: opts.clock})
  const auth = new AuthStore()
  const store = await openKvStore(join(memberDir, 'db'), {leases: lessor, auth})
  let wal
  try {
    const opened = await openWal(join(memberDir, 'wal'), {fromIndex: store.consistentIndex})
    wal = opened.wal
    const membership = await Membership.load(memberDir, identity.memberId)
    const member = new Member(new WatchableStore(store), wal, identity, lessor, opts.limits)
    member.replay(opened.contents.entries)
    member.start()
    return new EmbeddedEtcd(member, auth, {memberDir, membership})
  } catch (error) {
    await wal?.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    throw error
  }
}

