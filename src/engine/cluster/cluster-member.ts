// A member of a Raft cluster: the same calls as the single member (etcd/member.ts: propose,
// lease renew, header …), with Raft between "log" and "apply".
//
// The driver loop, one Ready at a time (raft/rawnode.ts):
//   ready → entries and hard state appended to the WAL with one fdatasync (raft-disk.ts)
//         → a leader's appends sent at once: its own disk write runs beside its followers'
//           (a commit index alone, once applied, may wait for the next append: commit-hold.ts)
//         → committed entries applied to the store in order, in batches, with their index as
//           the store's consistent index; callers waiting on them answered; reads released
//           (while the write runs; after it, and after the acknowledgements, on a follower)
//         → votes and acknowledgements sent once the write is durable → advance.
// Raft counts a member's own log only once advance() says it is durable, so a commit is always
// a quorum of durable copies (two followers' while the leader still writes); committed entries
// may be applied before this member's own copy is on disk.
// The store may so be ahead of the log on disk when the process dies: after a restart the
// consistent index keeps those entries from being applied twice when they come back from
// the leader, and no snapshot record is made past the durable log.
// Ticks come from a timer (--heartbeat-interval); an election takes --election-timeout worth of
// ticks (randomized up to twice that by raft). Every --snapshot-count applied entries the
// member records a snapshot (snap-meta.ts) once the store holds them durably and drops the log
// before it, keeping catchUpEntries in memory for followers slightly behind. A follower further
// behind is sent the leader's store on a stream of its own (snapshot-sender.ts), which it
// installs when raft hands it the snapshot (snapshot-install.ts) before the entries after it.
//
// Membership: a change is a ConfChange entry (one at a time from this member), checked against
// the roster by every member as it applies it (roster.ts) and then applied to raft, the roster
// and the transport's peers alike. A member that applies its own removal, or that a peer tells
// it was removed, stops a moment later (`halted`), as etcd's does.
//
// Leases: only the leader's lessor counts time. A member that becomes leader gives every lease
// a full TTL plus an election timeout (etcd's promote); the leader proposes revokes of expired
// leases; a follower forwards keep-alives to the leader (forwardRenew).
import {rm} from 'node:fs/promises'
import {ClusterErrors, Errors, EtcdError} from '../../api/errors.js'
import {AlarmRequest_AlarmAction, AlarmType, type ResponseHeader} from '../../api/proto/rpc.js'
import type {InternalRequest} from '../../api/proto/internal.js'
import {LEASE_REVOKE_RATE_PER_SECOND, EXPIRED_LEASE_RETRY_MS, type Lessor} from '../lease/lessor.js'
import type {ApplyEntry, ApplyResult, KvStore} from '../mvcc/kv.js'
import {validateRequest} from '../mvcc/validate.js'
import {BackendQuota, defaultQuotaBackendBytes} from '../etcd/backend-quota.js'
import type {MemberIdentity, MemberObservers} from '../etcd/member.js'
import {
  type ConfChange,
  ConfChangeType,
  type ConfState,
  decodeConfChange,
  type Entry,
  EntryType,
  isRaftError,
  type Message,
  MessageType,
  Mulberry32,
  None,
  type NodeId,
  RawNode,
  type Ready,
  mayPrecedeDurability,
  type Snapshot,
  StateType,
} from '../raft/index.js'
import {clusterInfoOf} from './cluster-info.js'
import {commitHoldMs, splitHoldable} from './commit-hold.js'
import {
  type ConfChangeContext,
  decodeConfChangeContext,
  decodePayload,
  encodeAttributesPayload,
  encodeConfChangeContext,
  encodeRequestPayload,
  PayloadKind,
} from './entry-data.js'
import {RaftErrors} from './errors.js'
import {persistReady, type RaftDisk} from './raft-disk.js'
import {ReadIndexBatcher} from './read-index.js'
import {RequestIds} from './request-ids.js'
import type {Roster} from './roster.js'
import {saveSnapMeta} from './snap-meta.js'
import {receivedDbFile} from './snapshot-files.js'
import {installSnapshot} from './snapshot-install.js'
import {SnapshotSender} from './snapshot-sender.js'
import {receiveSnapshot} from './snapshot-stream.js'
import type {PeerAddress, PeerTls} from './peer-tls.js'
import {PeerTransport} from './transport.js'

export interface ClusterTiming {
  /** --heartbeat-interval: one raft tick. */
  heartbeatMs: number
  /** --election-timeout. */
  electionMs: number
  /** --snapshot-count: applied entries between two snapshots. */
  snapshotCount: number
  /**
   * --experimental-snapshot-catchup-entries: entries kept in memory behind a snapshot, so a
   * follower slightly behind needs no snapshot (etcd: 5000).
   */
  catchUpEntries?: number
}

export interface ClusterMemberOptions {
  memberDir: string
  identity: MemberIdentity
  store: KvStore
  /** The lessor `store` was opened with. */
  lessor: Lessor
  disk: RaftDisk
  roster: Roster
  timing: ClusterTiming
  listenPeer: PeerAddress
  /** This member's peer certificate, for https:// peer URLs. */
  peerTls?: PeerTls
  maxRequestBytes: number
  quotaBackendBytes?: number
  log(line: string): void
}

/** How a follower reaches the leader for a lease keep-alive; answers the TTL in seconds. */
export type RenewForwarder = (leader: NodeId, leaseId: bigint) => Promise<number>

const defaultCatchUpEntries = 5000
/** etcd's request timeout: 5 s plus two election timeouts. */
const requestTimeoutBaseMs = 5000
const leaseExpiryCheckMs = 500
const maxRenewWaitMs = EXPIRED_LEASE_RETRY_MS + 1000
/** A member removed from the cluster goes on this long, so the leader can tell the others the removal committed (etcd: 1 s). */
const removedStopDelayMs = 1000
/** etcd's readyPercent: a learner is promoted once its log holds 90% of the leader's. */
const learnerReadyFraction = 0.9
/** What a waiter of a membership change or a publish is answered (no store result). */
const appliedNoResult = {ok: true, response: {header: undefined}} as ApplyResult

interface Waiter {
  resolve: (result: ApplyResult) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

interface Parked {
  data: Uint8Array
  id: bigint
  /** Set for a membership change (data is then unused). */
  confChange?: ConfChange
}

export class ClusterMember {
  readonly store: KvStore
  readonly identity: MemberIdentity
  readonly lessor: Lessor
  readonly roster: Roster
  readonly node: RawNode
  forwardRenew: RenewForwarder | undefined
  private readonly disk: RaftDisk
  private readonly transport: PeerTransport
  private readonly ids: RequestIds
  private readonly waiters = new Map<bigint, Waiter>()
  /** Proposals raft could not take (no leader yet): offered again on every tick. */
  private parked: Parked[] = []
  private readonly appliedWaiters: Array<{index: number; resolve: () => void}> = []
  private readonly reads: ReadIndexBatcher
  private confState: ConfState
  private applied: number
  private snapIndex: number
  /** The snapshot record being saved, if one is. */
  private snapshotRun: Promise<void> | undefined
  /** Configuration and roster changes applied (the snapshot sender checks a copy against it). */
  private confVersion = 0
  private readonly snapshotSender: SnapshotSender
  /** Indexes of snapshots being received. */
  private readonly receiving = new Set<number>()
  /** Snapshots received from a leader and installed. */
  snapshotsInstalled = 0
  private leader: NodeId = None
  private isLeaderNow = false
  private stopped = false
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined
  private tickTimer: NodeJS.Timeout | undefined
  private expiryTimer: NodeJS.Timeout | undefined
  private revokesInFlight = false
  private gate: Promise<void> | undefined
  private applying = false
  /** Set when an entry was applied that no caller of this member waits for (see handle). */
  private appliedUnwaited = false
  private readonly requestTimeoutMs: number
  private readonly quota: BackendQuota
  private commitObserver: ((seconds: number) => void) | undefined
  private leaderWaiters: Array<() => void> = []
  /** Membership changes proposed here, one after another. */
  private confChanges: Promise<void> = Promise.resolve()
  private removed = false
  private halt!: (reason: string) => void
  /** Settles when the member stops on its own (removed from the cluster), with the reason. */
  readonly halted: Promise<string> = new Promise((resolve) => (this.halt = resolve))

  constructor(private readonly options: ClusterMemberOptions) {
    this.store = options.store
    this.identity = options.identity
    this.lessor = options.lessor
    this.roster = options.roster
    this.disk = options.disk
    this.confState = options.disk.meta.confState
    this.applied = options.disk.meta.index
    this.snapIndex = options.disk.meta.index
    this.quota = new BackendQuota(options.store, options.quotaBackendBytes ?? defaultQuotaBackendBytes)
    this.requestTimeoutMs = requestTimeoutBaseMs + 2 * options.timing.electionMs
    const seed = Number(options.identity.memberId & 0xffffffffn) ^ Math.floor(Math.random() * 0x100000000)
    this.node = new RawNode({
      id: options.identity.memberId,
      storage: options.disk.storage,
      rng: new Mulberry32(seed),
      heartbeatTicks: 1,
      electionTimeoutTicks: Math.max(2, Math.round(options.timing.electionMs / options.timing.heartbeatMs)),
      checkQuorum: true,
      preVote: true,
    })
    this.ids = new RequestIds(options.identity.memberId, Date.now())
    const peers = new Map<NodeId, PeerAddress>()
    for (const id of options.roster.ids()) {
      const url = options.roster.get(id)!.peerURLs[0]
      if (url !== undefined) peers.set(id, hostPort(url))
    }
    this.transport = new PeerTransport({
      selfId: options.identity.memberId,
      clusterId: options.identity.clusterId,
      listen: options.listenPeer,
      peers,
      tls: options.peerTls,
      deliver: (messages) => this.receive(messages),
      unreachable: (id, unsent) => {
        if (this.stopped) return
        this.node.reportUnreachable(id)
        this.parkUnsentProposals(unsent)
      },
      snapshotStream: (from, socket, reader, pending) => {
        receiveSnapshot(socket, reader, pending, {
          fileFor: (m) => this.snapshotFileFor(m),
          received: (m, file, bytes, ms) => this.snapshotReceived(m, file, bytes, ms),
        })
          .catch((error: Error) => options.log(`ectl server: receiving a snapshot from member ${from.toString(16)} failed: ${error.message}`))
          .finally(() => socket.destroy())
      },
      log: options.log,
      isRemoved: (id) => this.roster.isRemoved(id),
      removedFromCluster: () => this.removedFromCluster(),
      clusterInfo: () => clusterInfoOf(options.identity.clusterId, this.roster),
    })
    this.snapshotSender = new SnapshotSender({
      memberDir: options.memberDir,
      store: this.store,
      transport: this.transport,
      appliedPoint: () => ({
        applied: this.applied,
        consistentIndex: this.store.consistentIndex,
        confState: {voters: [...this.confState.voters], learners: [...this.confState.learners]},
        roster: this.roster.save(),
        confVersion: this.confVersion,
      }),
      // the applied index may be ahead of the durable log (see handle): raft's log has its term
      termAt: (index) => this.node.raft.log.term(index),
      report: (to, failed) => {
        if (this.stopped) return
        this.node.reportSnapshot(to, failed)
        this.kick()
      },
      log: options.log,
    })
    this.reads = new ReadIndexBatcher(
      {
        request: (ctx) => {
          try {
            this.node.readIndex(ctx)
          } catch (error) {
            // no leader known (an election is on): the batcher asks again after its retry interval
            if (!isRaftError(error, 'proposal-dropped')) throw error
          }
          this.kick()
        },
        waitApplied: (index) => this.waitApplied(index),
        timeoutError: RaftErrors.timeout,
      },
      Math.max(options.timing.heartbeatMs * 5, 200),
      this.requestTimeoutMs,
    )
  }

  /** Listens on the peer URL; resolves with the bound port. */
  listenPeers(): Promise<number> {
    return this.transport.start()
  }

  /** Starts ticking, the driver loop and the lease expiry loop. */
  start(): void {
    if (this.stopped) throw Errors.stopped()
    this.tickTimer = setInterval(() => this.tick(), this.options.timing.heartbeatMs)
    this.expiryTimer = setInterval(() => void this.revokeExpiredLeases(), leaseExpiryCheckMs)
    this.loop = this.run()
  }

  // ---- what the v3 API reads ----

  get term(): bigint {
    return BigInt(this.node.raft.term)
  }

  get appliedIndex(): bigint {
    return BigInt(this.applied)
  }

  get committedIndex(): bigint {
    return BigInt(this.node.raft.log.committed)
  }

  get leaderId(): NodeId {
    return this.leader
  }

  get isLeader(): boolean {
    return this.isLeaderNow
  }

  /** True once the member is stopping or has failed. */
  get stoppedNow(): boolean {
    return this.stopped
  }

  get isLearner(): boolean {
    return this.node.raft.isLearner
  }

  /** Snapshots this member sent to followers and they acknowledged. */
  get snapshotsSent(): number {
    return this.snapshotSender.sentCount
  }

  header(revision: number = this.store.currentRevision): ResponseHeader {
    return {clusterId: this.identity.clusterId, memberId: this.identity.memberId, revision: BigInt(revision), raftTerm: this.term}
  }

  dbSizeBytes(): number {
    return this.quota.dbSizeBytes()
  }

  get noSpace(): boolean {
    return this.quota.noSpace
  }

  observe(observers: MemberObservers): void {
    this.disk.wal.syncObserver = observers.walSyncSeconds
    this.commitObserver = observers.backendCommitSeconds
  }

  // ---- writes ----

  /**
   * Validates a request, proposes it through raft (a follower forwards it to the leader) and
   * resolves with its result once this member has applied it. Gives up after etcd's request
   * timeout (the entry may still commit later).
   */
  async propose(request: InternalRequest): Promise<ApplyResult> {
    if (this.stopped) throw Errors.stopped()
    validateRequest(request)
    const id = this.ids.next()
    const data = encodeRequestPayload({...request, id})
    if (data.length - 1 > this.options.maxRequestBytes) throw Errors.requestTooLarge()
    await this.checkQuota(request)
    return this.proposeAndWait(id, data)
  }

  /** A member publishes its name and client URLs through the log (etcd's publish); resolves once applied here. */
  async publishAttributes(name: string, clientURLs: string[]): Promise<void> {
    const id = this.ids.next()
    const data = encodeAttributesPayload({id: this.identity.memberId.toString(16), name, clientURLs, requestId: String(id)})
    await this.proposeAndWait(id, data)
  }

  /**
   * Proposes a membership change and resolves once this member applied it; rejects with the
   * error every member refused it with (roster.ts). Changes proposed here go one at a time
   * (raft takes one pending change at a time).
   */
  async proposeConfChange(type: ConfChangeType, nodeId: NodeId, context: Omit<ConfChangeContext, 'requestId'>): Promise<void> {
    const previous = this.confChanges
    let done!: () => void
    this.confChanges = new Promise<void>((resolve) => (done = resolve))
    await previous
    try {
      if (this.stopped) throw Errors.stopped()
      const id = this.ids.next()
      const confChange: ConfChange = {type, nodeId, context: encodeConfChangeContext({...context, requestId: String(id)})}
      await this.proposeAndWait(id, new Uint8Array(0), confChange)
    } finally {
      done()
    }
  }

  /**
   * etcd's isLearnerReady, asked of the leader: whether learner `id` holds at least 90% of the
   * leader's log (true for an id raft does not track: the change is then refused on apply).
   * Undefined when this member does not lead.
   */
  learnerCaughtUp(id: NodeId): boolean | undefined {
    if (!this.isLeaderNow) return undefined
    const progress = this.node.status().progress
    const learner = progress.get(id)
    if (learner === undefined) return true
    const own = progress.get(this.identity.memberId)?.match ?? this.node.raft.log.lastIndex()
    return learner.match >= own * learnerReadyFraction
  }

  /** Offers a proposal and resolves once it is applied here, or fails after the request timeout. */
  private proposeAndWait(id: bigint, data: Uint8Array, confChange?: ConfChange): Promise<ApplyResult> {
    return new Promise<ApplyResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id)
        this.parked = this.parked.filter((p) => p.id !== id)
        reject(RaftErrors.timeout())
      }, this.requestTimeoutMs)
      timer.unref()
      this.waiters.set(id, {resolve, reject, timer})
      this.offer({data, id, confChange})
    })
  }

  private offer(proposal: Parked): void {
    try {
      if (proposal.confChange !== undefined) this.node.proposeConfChange(proposal.confChange)
      else this.node.propose(proposal.data)
      this.kick()
    } catch (error) {
      if (!isRaftError(error, 'proposal-dropped')) throw error
      this.parked.push(proposal)
    }
  }

  private async checkQuota(request: InternalRequest): Promise<void> {
    if (!this.quota.exceededBy(request)) return
    await this.propose({id: 0n, alarm: {action: AlarmRequest_AlarmAction.ACTIVATE, memberID: this.identity.memberId, alarm: AlarmType.NOSPACE}}).catch(() => undefined)
    throw Errors.noSpace()
  }

  // ---- reads ----

  /** Resolves once a read started now may be served by this member's store (ReadIndex). */
  linearizableBarrier(): Promise<void> {
    if (this.stopped) return Promise.reject(Errors.stopped())
    return this.reads.barrier()
  }

  private waitApplied(index: number): Promise<void> {
    if (this.applied >= index) return Promise.resolve()
    if (this.stopped) return Promise.reject(Errors.stopped())
    return new Promise<void>((resolve) => this.appliedWaiters.push({index, resolve}))
  }

  // ---- leases ----

  /** --max-request-bytes: the largest request the log takes (watch fragments are cut to it too). */
  get maxRequestBytes(): number {
    return this.options.maxRequestBytes
  }

  /**
   * Renews a lease when that needs no waiting: on the leader, a lease held and not expired (its
   * TTL) or not held at all (0). Undefined when it must go through leaseRenew (a follower
   * forwards to its leader; an expired lease waits for its revoke).
   */
  tryLeaseRenew(id: bigint): number | undefined {
    if (this.stopped || !this.isLeaderNow) return undefined
    return this.lessor.renewNow(id)
  }

  async leaseRenew(id: bigint): Promise<number> {
    if (this.stopped) throw Errors.stopped()
    if (!this.isLeaderNow) {
      const leader = this.leader !== None ? this.leader : await this.waitForLeader()
      if (this.forwardRenew === undefined) throw RaftErrors.notLeader()
      return this.forwardRenew(leader, id)
    }
    const result = this.lessor.renew(id)
    if (!result.expired) return result.ttlSeconds
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxRenewWaitMs)
      timer.unref()
    })
    try {
      await Promise.race([result.revoked, timeout])
    } finally {
      clearTimeout(timer)
    }
    if (this.stopped) throw Errors.stopped()
    throw Errors.leaseNotFound()
  }

  /** The leader, once there is one (at most one request timeout). */
  waitForLeader(): Promise<NodeId> {
    if (this.leader !== None) return Promise.resolve(this.leader)
    return new Promise<NodeId>((resolve, reject) => {
      const timer = setTimeout(() => reject(RaftErrors.noLeader()), this.requestTimeoutMs)
      timer.unref()
      this.leaderWaiters.push(() => {
        clearTimeout(timer)
        resolve(this.leader)
      })
    })
  }

  /** One expiry check on the leader: a revoke proposed for each expired lease, as etcd's. */
  async revokeExpiredLeases(): Promise<void> {
    if (this.stopped || !this.isLeaderNow || this.revokesInFlight) return
    const expired = this.lessor.expiredLeases(this.lessor.clock.nowMs(), LEASE_REVOKE_RATE_PER_SECOND / 2)
    if (expired.length === 0) return
    this.revokesInFlight = true
    try {
      await Promise.all(expired.map((id) => this.propose({id: 0n, leaseRevoke: {ID: id}}).catch(() => undefined)))
    } finally {
      this.revokesInFlight = false
    }
  }

  // ---- leadership ----

  /** Hands leadership to `target` (this member must lead); resolves once it leads, or times out. */
  async transferLeadership(target: NodeId): Promise<void> {
    if (!this.isLeaderNow) throw RaftErrors.notLeader()
    this.node.transferLeader(target)
    this.kick()
    const deadline = performance.now() + this.requestTimeoutMs
    while (this.leader !== target) {
      if (performance.now() > deadline) throw RaftErrors.timeout()
      if (this.stopped) throw Errors.stopped()
      await new Promise((resolve) => setTimeout(resolve, this.options.timing.heartbeatMs))
    }
  }

  // ---- the driver ----

  private tick(): void {
    this.node.tick()
    if (this.parked.length > 0 && this.leader !== None) this.offerParked()
    this.kick()
  }

  private receive(messages: Message[]): void {
    if (this.stopped) return
    for (const m of messages) {
      try {
        this.node.step(m)
      } catch (error) {
        // a response from a member no longer in the configuration, or a proposal while leaderless
        if (!isRaftError(error, 'step-peer-not-found') && !isRaftError(error, 'proposal-dropped')) throw error
      }
    }
    this.kick()
  }

  private kick(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.node.hasReady()) {
        await new Promise<void>((resolve) => (this.wake = resolve))
        continue
      }
      const rd = this.node.ready()
      try {
        await this.handle(rd)
      } catch (error) {
        // The log could not be written or an entry could not be applied: this member cannot
        // go on safely. Stop it; the cluster goes on without it.
        this.options.log(`ectl server: raft member stopped: ${(error as Error).stack ?? String(error)}`)
        this.fail(error instanceof EtcdError ? error : Errors.stopped())
        return
      }
      this.node.advance()
    }
  }

  /**
   * One Ready. Raft counts this member's own log toward a commit only once advance() says it
   * is durable, so a commit index always stands for entries durable on a quorum (Raft thesis
   * 10.2.1): while this Ready's write is on its way, the member sends what claims nothing of
   * its disk (a leader's appends) and, when nothing waits for the write, applies what the
   * Ready commits and serves its reads. Votes and acknowledgements wait for the write, and so
   * does the next Ready.
   */
  private async handle(rd: Ready): Promise<void> {
    if (rd.softState !== undefined) this.onSoftState(rd.softState.lead, rd.softState.raftState)
    const messages = this.divertSnapshots(rd.messages)
    // a snapshot comes before the entries after it, in the store and in the log
    if (rd.snapshot !== undefined) await this.installSnapshot(rd.snapshot)
    const persisted = persistReady(this.disk, rd)
    // a failed write is reported below; until then this must not count as unhandled
    persisted.catch(() => undefined)
    let now: Message[] = []
    const later: Message[] = []
    for (const m of messages) (mayPrecedeDurability(m) ? now : later).push(m)
    // A leader's commit index may wait for the next message to its follower (commit-hold.ts)
    // when the Ready is applied at once (no exclusive section holds the store) and commits no
    // membership change (a member it removes must hear of it before it is dropped as a peer).
    // Whether anyone elsewhere waits on the entries is known once they are applied, below.
    let holdable: Message[] = []
    if (later.length === 0 && this.isLeaderNow && this.gate === undefined && rd.committedEntries.length > 0 && !rd.committedEntries.some((e) => e.type === EntryType.ConfChange)) {
      ;({send: now, hold: holdable} = splitHoldable(now))
    }
    // Sent before anything is applied: a member removed by an entry applied here still hears
    // the commit index that tells it so (the transport drops it as a peer when it applies).
    if (now.length > 0) {
      // The messages leave first; the log then writes as it judges best (wal.ts: on this thread
      // once the turn is over when the disk is quick and nothing is in flight, else on the
      // pool). Starting the write on the pool before the send cost a thread hand-off per Ready:
      // at one client the leader used 5-15% more CPU per put and made 4-12% fewer puts.
      this.transport.send(now)
    }
    // Acknowledgements (a follower's) leave as soon as the write is durable, so they must not
    // queue behind an apply that began while it ran: their leader waits for them. Without
    // any, the Ready's entries are applied while its write runs.
    const applyDuringWrite = later.length === 0
    // What commits while the write runs (two followers may commit before the leader's own
    // write ends) waits for the next Ready: applied at once it made more, smaller batches, and
    // on two cores shared by three members the CPU that cost (5-15% fewer puts at 64 and 256
    // clients) outweighed the earlier answers.
    this.appliedUnwaited = false
    if (applyDuringWrite) await this.applyReady(rd)
    if (holdable.length > 0) {
      // an entry a follower's caller waits on (a forwarded put) has its commit index sent now
      if (this.appliedUnwaited) this.transport.send(holdable)
      else this.transport.hold(holdable, commitHoldMs)
    }
    await persisted
    this.transport.send(later)
    if (!applyDuringWrite) await this.applyReady(rd)
    // a snapshot record past the durable log would name entries a restart may not find
    const snapshotDue = this.applied - this.snapIndex >= this.options.timing.snapshotCount && this.applied <= this.disk.storage.lastIndex()
    if (snapshotDue && this.snapshotRun === undefined) {
      this.snapshotRun = this.snapshot().finally(() => (this.snapshotRun = undefined))
    }
  }

  private async applyReady(rd: Ready): Promise<void> {
    if (rd.committedEntries.length > 0) {
      while (this.gate !== undefined) await this.gate
      this.applyNow(rd.committedEntries)
    }
    for (const rs of rd.readStates) this.reads.onReadState(rs.index, rs.requestCtx)
  }

  private applyNow(entries: Entry[]): void {
    if (entries.length === 0) return
    this.applying = true
    try {
      this.apply(entries)
    } finally {
      this.applying = false
    }
  }

  /** Hands raft's MsgSnaps to the snapshot sender; returns the other messages. */
  private divertSnapshots(messages: Message[]): Message[] {
    if (!messages.some((m) => m.type === MessageType.Snap)) return messages
    const rest: Message[] = []
    for (const m of messages) {
      if (m.type === MessageType.Snap) this.snapshotSender.send(m)
      else rest.push(m)
    }
    return rest
  }

  // ---- snapshots from the leader ----

  private snapshotFileFor(m: Message): string {
    if (this.stopped) throw Errors.stopped()
    const index = m.snapshot!.metadata.index
    if (this.receiving.has(index)) throw new Error(`snapshot at index ${index} is already being received`)
    this.receiving.add(index)
    return receivedDbFile(this.options.memberDir, index)
  }

  /** A store received whole: raft decides whether it is newer than what this member has. */
  private snapshotReceived(m: Message, file: string, bytes: number, ms: number): void {
    const index = m.snapshot!.metadata.index
    this.receiving.delete(index)
    if (this.stopped) throw Errors.stopped()
    this.node.step(m)
    const pending = this.node.raft.log.unstable.snapshot
    if (pending === undefined || pending.metadata.index !== index) {
      // not newer than this member's log (or from a stale leader): nothing to install
      void rm(file, {force: true})
      this.options.log(`ignored snapshot at index ${index} from member ${m.from.toString(16)} (applied index ${this.applied})`)
    } else {
      this.options.log(`received snapshot at index ${index} (term ${m.snapshot!.metadata.term}, ${bytes} bytes) from member ${m.from.toString(16)} in ${Math.round(ms)} ms`)
    }
    this.kick()
  }

  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    while (this.snapshotRun !== undefined) await this.snapshotRun
    while (this.gate !== undefined) await this.gate
    this.applying = true
    const started = performance.now()
    let installSteps = ''
    try {
      const {meta, steps} = await installSnapshot(this.options.memberDir, this.store, this.disk, snapshot)
      installSteps = steps
      this.applied = meta.index
      this.snapIndex = meta.index
      this.confState = meta.confState
      this.roster.restore(meta.roster)
      this.peersFromRoster()
      this.confVersion++
      this.snapshotsInstalled++
    } finally {
      this.applying = false
    }
    const via = this.store.restoredFrom
    const keyIndex = via.from === 'checkpoint' ? 'key index loaded from the snapshot' : `key index rebuilt (${via.reason})`
    this.options.log(`installed snapshot at index ${this.applied} in ${Math.round(performance.now() - started)} ms: store revision ${this.store.currentRevision}; ${keyIndex} (${installSteps})`)
    this.releaseAppliedWaiters()
  }

  /**
   * Proposals a follower forwarded to a leader it cannot reach (the link was down, so the
   * leader never got them) are parked, not lost: offered again once a leader is known, they
   * commit after a fail-over instead of leaving their callers waiting out the request timeout.
   */
  private parkUnsentProposals(unsent: Message[]): void {
    for (const m of unsent) {
      if (m.type !== MessageType.Prop) continue
      for (const entry of m.entries) {
        const payload = decodePayload(entry.data)
        const id =
          payload.kind === PayloadKind.Request ? payload.request.id : payload.kind === PayloadKind.MemberAttributes ? BigInt(payload.attributes.requestId ?? 0) : 0n
        if (this.waiters.has(id)) this.parked.push({data: entry.data, id})
      }
    }
  }

  /** Offers the parked proposals again (a leader is known). */
  private offerParked(): void {
    const parked = this.parked
    this.parked = []
    for (const proposal of parked) if (this.waiters.has(proposal.id)) this.offer(proposal)
  }

  private onSoftState(lead: NodeId, state: StateType): void {
    const wasLeader = this.isLeaderNow
    const leaderChanged = lead !== this.leader
    this.leader = lead
    this.isLeaderNow = state === StateType.Leader
    if (this.isLeaderNow && !wasLeader) {
      // as etcd's promote: every lease gets a full TTL and an election timeout more
      this.lessor.promote(this.options.timing.electionMs)
    }
    if (lead !== None) for (const resume of this.leaderWaiters.splice(0)) resume()
    // a new leader takes what waited for one now, not at the next tick
    if (leaderChanged && lead !== None && this.parked.length > 0) this.offerParked()
  }

  private apply(entries: Entry[]): void {
    let batch: ApplyEntry[] = []
    const flush = () => {
      if (batch.length === 0) return
      const started = this.commitObserver === undefined ? 0 : performance.now()
      const results = this.store.applyBatch(batch)
      if (this.commitObserver !== undefined) this.commitObserver((performance.now() - started) / 1000)
      for (let i = 0; i < batch.length; i++) if (!this.answer(batch[i]!.request.id, results[i]!)) this.appliedUnwaited = true
      batch = []
    }
    const consistentIndex = this.store.consistentIndex
    for (const entry of entries) {
      if (entry.type === EntryType.ConfChange) {
        flush()
        this.applyConfChange(decodeConfChange(entry.data))
        this.confVersion++
        continue
      }
      const payload = decodePayload(entry.data)
      if (payload.kind === PayloadKind.Request) {
        // the store already holds what it applied before a restart
        if (BigInt(entry.index) > consistentIndex) batch.push({index: BigInt(entry.index), request: payload.request})
        else this.appliedUnwaited = true
      } else if (payload.kind === PayloadKind.MemberAttributes) {
        flush()
        const a = payload.attributes
        this.roster.setAttributes(BigInt(`0x${a.id}`), a.name, a.clientURLs)
        this.confVersion++
        if (a.requestId === undefined || !this.answer(BigInt(a.requestId), appliedNoResult)) this.appliedUnwaited = true
      }
    }
    flush()
    this.applied = entries[entries.length - 1]!.index
    this.releaseAppliedWaiters()
  }

  private releaseAppliedWaiters(): void {
    if (this.appliedWaiters.length > 0) {
      for (let i = this.appliedWaiters.length - 1; i >= 0; i--) {
        const waiter = this.appliedWaiters[i]!
        if (waiter.index <= this.applied) {
          this.appliedWaiters.splice(i, 1)
          waiter.resolve()
        }
      }
    }
  }

  /** A committed membership change: checked against the roster, then applied to raft, the roster and the peers. */
  private applyConfChange(cc: ConfChange): void {
    const context = decodeConfChangeContext(cc.context)
    const requestId = BigInt(context.requestId)
    const refused = this.roster.check(cc, context)
    if (refused !== undefined) {
      this.refuse(requestId, refused)
      return
    }
    try {
      this.confState = this.node.applyConfChange(cc)
    } catch (error) {
      // raft keeps at least one voter: the change is refused here as everywhere
      if (!isRaftError(error, 'conf-change-refused')) throw error
      this.refuse(requestId, ClusterErrors.notEnoughStartedMembers())
      return
    }
    this.roster.apply(cc, context)
    const self = cc.nodeId === this.identity.memberId
    if (cc.type === ConfChangeType.RemoveNode) {
      if (self) this.removedFromCluster()
      else this.transport.removePeer(cc.nodeId)
    } else if (!self) {
      const url = this.roster.get(cc.nodeId)?.peerURLs[0]
      if (url !== undefined) this.transport.setPeer(cc.nodeId, hostPort(url))
    }
    this.answer(requestId, appliedNoResult)
  }

  /** The transport's peers made the roster's (after a snapshot replaced the roster). */
  private peersFromRoster(): void {
    for (const id of this.transport.peerIds()) if (this.roster.get(id) === undefined) this.transport.removePeer(id)
    for (const id of this.roster.ids()) {
      const url = this.roster.get(id)!.peerURLs[0]
      if (url !== undefined) this.transport.setPeer(id, hostPort(url))
    }
    if (this.roster.isRemoved(this.identity.memberId)) this.removedFromCluster()
  }

  /** Removed from the cluster (applied here, or told by a peer): stops a moment later, once. */
  private removedFromCluster(): void {
    if (this.removed || this.stopped) return
    this.removed = true
    const reason = 'the member has been permanently removed from the cluster'
    this.options.log(`ectl server: ${reason}; the data dir used by this member must be removed`)
    setTimeout(() => {
      this.fail(Errors.stopped())
      this.kick()
      this.halt(reason)
    }, removedStopDelayMs).unref()
  }

  private refuse(id: bigint, error: Error): void {
    const waiter = this.waiters.get(id)
    if (waiter === undefined) return
    this.waiters.delete(id)
    clearTimeout(waiter.timer)
    waiter.reject(error)
  }

  /** Answers the caller waiting on request `id` here; false when none does. */
  private answer(id: bigint, result: ApplyResult): boolean {
    const waiter = this.waiters.get(id)
    if (waiter === undefined) return false
    this.waiters.delete(id)
    clearTimeout(waiter.timer)
    waiter.resolve(result)
    return true
  }

  /**
   * Records a snapshot at the applied index once the store holds it durably, then drops the
   * log before it (keeping catchUpEntries in memory).
   */
  private async snapshot(): Promise<void> {
    try {
      const index = this.applied
      const meta = {
        index,
        term: this.disk.storage.term(index),
        confState: {voters: [...this.confState.voters], learners: [...this.confState.learners]},
        roster: this.roster.save(),
      }
      await this.store.flushed()
      await saveSnapMeta(this.options.memberDir, meta)
      this.snapIndex = index
      // what raft names when a follower needs a snapshot (the sender sends the store as it is then)
      this.disk.storage.createSnapshot(index, meta.confState, new Uint8Array(0))
      const compactTo = index - (this.options.timing.catchUpEntries ?? defaultCatchUpEntries)
      if (compactTo >= this.disk.storage.firstIndex()) this.disk.storage.compact(compactTo)
      await this.disk.wal.releaseTo(BigInt(index))
    } catch (error) {
      if (!this.stopped) this.options.log(`ectl server: snapshot failed (the log is kept): ${(error as Error).message}`)
    }
  }

  /**
   * Runs `fn` with no entry being applied (defragmentation swaps the backend); the driver
   * waits before its next apply. One exclusive section at a time.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate !== undefined) await this.gate
    if (this.stopped) throw Errors.stopped()
    let open!: () => void
    this.gate = new Promise<void>((resolve) => (open = resolve))
    try {
      while (this.applying) await new Promise((resolve) => setImmediate(resolve))
      return await fn()
    } finally {
      this.gate = undefined
      open()
    }
  }

  private fail(error: Error): void {
    this.stopped = true
    clearInterval(this.tickTimer)
    clearInterval(this.expiryTimer)
    for (const [id, waiter] of this.waiters) {
      this.waiters.delete(id)
      clearTimeout(waiter.timer)
      waiter.reject(error)
    }
    this.parked = []
    this.reads.failAll(error)
  }

  /**
   * Stops: a leader first hands leadership to the most caught-up voter (as etcd does on a
   * clean stop, so the cluster need not wait an election timeout), then everything waiting is
   * answered `server stopped`, and the log, transport and store are closed.
   */
  async close(): Promise<void> {
    if (!this.stopped && this.isLeaderNow) await this.handOff().catch(() => undefined)
    this.fail(Errors.stopped())
    this.snapshotSender.close()
    this.kick()
    await this.loop
    await this.transport.close()
    await this.disk.wal.close()
    await this.store.close()
  }

  private async handOff(): Promise<void> {
    const progress = this.node.status().progress
    let best: NodeId = None
    let bestMatch = -1
    for (const [id, pr] of progress) {
      if (id === this.identity.memberId || !this.confState.voters.includes(id)) continue
      if (pr.match > bestMatch) {
        best = id
        bestMatch = pr.match
      }
    }
    if (best === None) return
    const deadline = performance.now() + this.options.timing.electionMs
    this.node.transferLeader(best)
    this.kick()
    while (this.isLeaderNow && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function hostPort(url: string): PeerAddress {
  const parsed = new URL(url)
  return {host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port), tls: parsed.protocol === 'https:'}
}

