// A member: the one path every write takes (DESIGN.md "A write").
//
//   propose → validate and encode → queue → write-ahead log (group commit: one durable write
//   for everything appended while the last one was on its way to disk) → apply to the store in
//   one backend transaction, with the consistent index → answer each caller.
//
// The stages are pipelined: proposals go to the log as soon as they are queued, without
// waiting for the batch before them to be durable or applied (the log queues them behind the
// write on disk and group-commits them with the next one, which also takes the callers the
// last apply answered, see wal.ts), and applying never holds up logging (defragment's gate
// holds only applying). Apply order is log order: batches handed to the log wait in `inLog`,
// and only the leading ones the log has made durable are applied. A caller hears its answer
// only once its entry is durable and applied. A single member commits an entry as soon
// as it is durable in its own log; the Raft driver will slot in between "log" and "apply"
// without changing either side.
//
// Leases: the lessor only notices expiry; the member's expiry loop (started by start()) proposes
// a LeaseRevoke for each expired lease through propose(), like any write, so the keys go in one
// revision and a cluster will revoke once, on its leader.
import assert from 'node:assert/strict'
import {encodePooled} from '../../api/encode-pooled.js'
import {EtcdError, Errors, Limits} from '../../api/errors.js'
import {InternalRequest} from '../../api/proto/internal.js'
import {AlarmRequest_AlarmAction, AlarmType, type ResponseHeader} from '../../api/proto/rpc.js'
import {EXPIRED_LEASE_RETRY_MS, LEASE_REVOKE_RATE_PER_SECOND, type Lessor} from '../lease/lessor.js'
import type {ApplyEntry, ApplyResult, KvStore} from '../mvcc/kv.js'
import {validateRequest} from '../mvcc/validate.js'
import type {WalEntry} from '../wal/log.js'
import type {SegmentedWal} from '../wal/wal.js'
import {BackendQuota, defaultQuotaBackendBytes} from './backend-quota.js'

export interface MemberIdentity {
  clusterId: bigint
  memberId: bigint
}

export interface MemberLimits {
  maxRequestBytes: number
  /**
   * etcd's --quota-backend-bytes: a write that would take the backend past it raises the
   * NOSPACE alarm, and while that alarm is active puts, writing txns and lease grants are
   * refused. 0 or less: no quota.
   */
  quotaBackendBytes: number
  /** Proposals not yet answered (queued, in the log, or waiting to be applied), beyond which propose() waits (back-pressure). */
  maxQueuedProposals: number
  /** Entries per log append and per backend transaction at most. */
  maxBatchEntries: number
  /**
   * Entries applied (and answered) in one turn of the event loop at most while the log could
   * start another write.
   * Before the next turn the callers answered so far propose again and the log starts writing
   * their entries, so the rest is applied while the disk works (see drain()).
   */
  maxApplyEntriesPerTurn: number
  /** Applied entries between two attempts to drop log segments the backend already holds. */
  releaseEveryEntries: number
  /** On close, a segment at least this big is cut so the next open need not read it. */
  cutOnCloseBytes: number
  /** Interval of the lease expiry loop (etcd checks every 500 ms). */
  leaseExpiryCheckMs: number
  /** Revokes proposed per check at most (etcd: half its rate of 1000 a second). */
  maxLeaseRevokesPerCheck: number
  /** Added to every lease's TTL on start (etcd extends by the election timeout on promotion). */
  leaseExtendOnStartMs: number
  /** A keep-alive of an expired lease waits this long at most for its revoke before answering. */
  maxRenewWaitMs: number
}

const defaultLimits: MemberLimits = {
  maxRequestBytes: Limits.maxRequestBytes,
  quotaBackendBytes: defaultQuotaBackendBytes,
  maxQueuedProposals: 16_384,
  maxBatchEntries: 1_024,
  maxApplyEntriesPerTurn: 32,
  releaseEveryEntries: 100_000,
  cutOnCloseBytes: 256 * 1024,
  leaseExpiryCheckMs: 500,
  maxLeaseRevokesPerCheck: LEASE_REVOKE_RATE_PER_SECOND / 2,
  // etcd adds an election's worth on promotion; one member has no election, and every one-shot
  // command reopens the data dir, so a fixed extra second would show as remaining(TTL) after a grant.
  leaseExtendOnStartMs: 0,
  maxRenewWaitMs: EXPIRED_LEASE_RETRY_MS + 1000,
}

/** Metrics hooks (etcd's disk latency histograms); each is called once per batch. */
export interface MemberObservers {
  walSyncSeconds?(seconds: number): void
  backendCommitSeconds?(seconds: number): void
}

interface Proposal {
  request: InternalRequest
  data: Uint8Array
  resolve: (result: ApplyResult) => void
  reject: (error: Error) => void
}

/** Proposals handed to the log in one append, in log order, until they are applied. */
interface LoggedBatch {
  proposals: Proposal[]
  entries: WalEntry[]
  /** Entries of this batch applied so far (a batch may be applied over several turns). */
  applied: number
  /** logging: the append is on its way; durable: it may be applied; failed: the log refused it. */
  state: 'logging' | 'durable' | 'failed'
  error?: Error
}

export class Member {
  /** Proposals not yet handed to the log. */
  private readonly queue: Proposal[] = []
  /** Batches handed to the log and not applied yet, in log order. */
  private readonly inLog: LoggedBatch[] = []
  /** Proposals queued or in `inLog`: the count back-pressure bounds. */
  private unanswered = 0
  private readonly queueSpaceWaiters: Array<() => void> = []
  /** close() waiting for every proposal to be answered. */
  private readonly settledWaiters: Array<() => void> = []
  private flushScheduled = false
  private drainScheduled = false
  /** Held by exclusive(): nothing is applied while it is (batches still go to the log). */
  private gate: Promise<void> | undefined
  private stopped = false
  private lastIndex: bigint
  private releasedThrough: bigint
  private releasing: Promise<void> = Promise.resolve()
  private readonly limits: MemberLimits
  private expiryTimer: NodeJS.Timeout | undefined
  /** The revokes proposed by the last expiry check, while any is in flight. */
  private revokesInFlight: Promise<void> | undefined
  private readonly closing: {promise: Promise<void>; resolve: () => void}
  private commitObserver: ((seconds: number) => void) | undefined
  private readonly quota: BackendQuota
  /** The NOSPACE alarm on its way into the log, while it is. */
  private raisingNoSpace: Promise<unknown> | undefined
  readonly term = 1n

  /** `lessor` must be the one `store` was opened with (it applies the lease entries). */
  constructor(
    readonly store: KvStore,
    private readonly wal: SegmentedWal,
    readonly identity: MemberIdentity,
    readonly lessor: Lessor,
    limits: Partial<MemberLimits> = {},
  ) {
    this.limits = {...defaultLimits, ...limits}
    this.quota = new BackendQuota(store, this.limits.quotaBackendBytes)
    assert.ok(this.limits.maxApplyEntriesPerTurn >= 1, 'maxApplyEntriesPerTurn must be at least 1')
    this.lastIndex = store.consistentIndex
    this.releasedThrough = store.consistentIndex
    let resolve!: () => void
    this.closing = {promise: new Promise<void>((r) => (resolve = r)), resolve}
  }

  /**
   * Starts the member's own work: every lease gets a full TTL from now (as etcd's leader on
   * promotion), and the lease expiry loop runs until close(). The timer is unref'ed: it never
   * keeps the process alive.
   */
  start(): void {
    assert.ok(this.expiryTimer === undefined, 'member started twice')
    if (this.stopped) throw Errors.stopped()
    this.lessor.promote(this.limits.leaseExtendOnStartMs)
    this.expiryTimer = setInterval(() => void this.revokeExpiredLeases(), this.limits.leaseExpiryCheckMs)
    this.expiryTimer.unref()
  }

  /**
   * One expiry check: proposes a revoke for each lease the lessor finds expired, at most
   * maxLeaseRevokesPerCheck, and resolves once they are applied. A check is skipped while the
   * last one's revokes are still in flight. A revoke that finds its lease gone (a client
   * revoked it first) is not an error.
   */
  async revokeExpiredLeases(): Promise<void> {
    if (this.stopped || this.revokesInFlight !== undefined) return
    const expired = this.lessor.expiredLeases(this.lessor.clock.nowMs(), this.limits.maxLeaseRevokesPerCheck)
    if (expired.length === 0) return
    const revokes = expired.map((id) => this.propose({id: 0n, leaseRevoke: {ID: id}}).catch(() => undefined))
    this.revokesInFlight = Promise.all(revokes).then(() => undefined)
    try {
      await this.revokesInFlight
    } finally {
      this.revokesInFlight = undefined
    }
  }

  /**
   * Renews a lease and returns its TTL in seconds (etcd's LeaseRenew). Throws leaseNotFound for
   * a lease that does not exist; for one that already expired, waits for its revoke to be
   * applied (at most maxRenewWaitMs), so the caller never hears "not found" while the lease's
   * keys are still there, then throws leaseNotFound.
   */
  async leaseRenew(id: bigint): Promise<number> {
    if (this.stopped) throw Errors.stopped()
    const result = this.lessor.renew(id)
    if (!result.expired) return result.ttlSeconds
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.limits.maxRenewWaitMs)
      timer.unref()
    })
    try {
      await Promise.race([result.revoked, this.closing.promise, timeout])
    } finally {
      clearTimeout(timer)
    }
    if (this.stopped) throw Errors.stopped()
    throw Errors.leaseNotFound()
  }

  /** --max-request-bytes: the largest request the log takes (watch fragments are cut to it too). */
  get maxRequestBytes(): number {
    return this.limits.maxRequestBytes
  }

  /**
   * Renews a lease when that needs no waiting: its TTL, or 0 for a lease that does not exist
   * (what a keep-alive answers then). Undefined when it must go through leaseRenew: the lease
   * has expired and its revoke is on its way, or the member is stopping.
   */
  tryLeaseRenew(id: bigint): number | undefined {
    if (this.stopped) return undefined
    return this.lessor.renewNow(id)
  }

  /** Size of the backend file, read at most every dbSizeRefreshMs. */
  dbSizeBytes(): number {
    return this.quota.dbSizeBytes()
  }

  /** Whether the NOSPACE alarm is active. */
  get noSpace(): boolean {
    return this.quota.noSpace
  }

  /**
   * etcd's quota: refused while NOSPACE is active; a write that would pass the quota raises
   * NOSPACE through the log (so it survives a restart) and is refused.
   */
  private checkQuota(request: InternalRequest): Promise<unknown> | undefined {
    if (!this.quota.exceededBy(request)) return undefined
    this.raisingNoSpace ??= this.propose({
      id: 0n,
      alarm: {action: AlarmRequest_AlarmAction.ACTIVATE, memberID: this.identity.memberId, alarm: AlarmType.NOSPACE},
    })
      .catch(() => undefined)
      .finally(() => (this.raisingNoSpace = undefined))
    return this.raisingNoSpace
  }

  /** Installs metrics hooks (replacing any before). */
  observe(observers: MemberObservers): void {
    this.wal.syncObserver = observers.walSyncSeconds
    this.commitObserver = observers.backendCommitSeconds
  }

  /** Replays log entries the store has not applied yet (after a crash or kill -9). */
  replay(entries: WalEntry[]): void {
    const pending: ApplyEntry[] = []
    for (const entry of entries) {
      if (entry.index <= this.store.consistentIndex) continue
      pending.push({index: entry.index, request: InternalRequest.decode(entry.data)})
    }
    for (let i = 0; i < pending.length; i += this.limits.maxBatchEntries) {
      this.store.applyBatch(pending.slice(i, i + this.limits.maxBatchEntries))
    }
    if (pending.length > 0) this.lastIndex = pending[pending.length - 1].index
  }

  get appliedIndex(): bigint {
    return this.store.consistentIndex
  }

  header(revision: number = this.store.currentRevision): ResponseHeader {
    return {
      clusterId: this.identity.clusterId,
      memberId: this.identity.memberId,
      revision: BigInt(revision),
      raftTerm: this.term,
    }
  }

  /**
   * Validates, logs durably and applies one request; resolves with its result once it is
   * applied (and therefore durable). Throws EtcdError for a request that cannot enter the log.
   */
  async propose(request: InternalRequest): Promise<ApplyResult> {
    if (this.stopped) throw Errors.stopped()
    validateRequest(request)
    const data = encodePooled(InternalRequest, request)
    if (data.length > this.limits.maxRequestBytes) throw Errors.requestTooLarge()
    // synchronous unless the alarm must be raised: between the stopped check above and the
    // queue below nothing may yield, or a proposal could slip in after close()
    const raising = this.checkQuota(request)
    if (raising !== undefined) {
      await raising
      throw Errors.noSpace()
    }
    while (this.unanswered >= this.limits.maxQueuedProposals) {
      await new Promise<void>((resume) => this.queueSpaceWaiters.push(resume))
      if (this.stopped) throw Errors.stopped()
    }
    const result = new Promise<ApplyResult>((resolve, reject) => {
      this.queue.push({request, data, resolve, reject})
    })
    this.unanswered++
    if (!this.flushScheduled) {
      // Proposals made in the same turn (e.g. by every caller the last apply answered) go to
      // the log in one append.
      this.flushScheduled = true
      queueMicrotask(() => this.flush())
    }
    return result
  }

  /** Hands everything queued to the log, at once: the log group-commits it with what it holds. */
  private flush(): void {
    this.flushScheduled = false
    while (this.queue.length > 0) {
      const proposals = this.queue.splice(0, this.limits.maxBatchEntries)
      const entries = new Array<WalEntry>(proposals.length)
      for (let i = 0; i < proposals.length; i++) entries[i] = {index: ++this.lastIndex, term: this.term, data: proposals[i].data}
      const batch: LoggedBatch = {proposals, entries, applied: 0, state: 'logging'}
      this.inLog.push(batch)
      this.wal.append(entries).then(
        () => {
          batch.state = 'durable'
          this.scheduleDrain()
        },
        (error: Error) => {
          // The log could not make these durable (nor anything after them): nothing of them is
          // applied, every caller hears why, and the member stops taking writes (a log that
          // failed mid-way cannot be trusted to order more).
          this.stopped = true
          batch.state = 'failed'
          batch.error = error
          this.scheduleDrain()
        },
      )
    }
  }

  /**
   * Drains once the current microtasks have run: the log resolves every append of a sync at
   * once, so one drain applies all of them in one backend transaction.
   */
  private scheduleDrain(): void {
    if (this.drainScheduled) return
    this.drainScheduled = true
    queueMicrotask(() => this.drain())
  }

  /**
   * Applies the leading durable entries in log order and answers their callers. While the log
   * could start another write, at most maxApplyEntriesPerTurn of them, and the rest in the next
   * turn of the event loop: when every caller is in one batch, answering them all at once would
   * leave the disk idle while they are answered, and the CPU idle while their next batch is
   * written. Answering a part first lets that part propose again and the log start writing it
   * while the rest is applied; the callers settle into groups that take turns on the disk and
   * on the CPU. While the log has as many writes in flight as it takes, everything durable is
   * applied at once (up to maxBatchEntries): the disk is busy anyway, and one transaction for
   * all is cheaper than several.
   */
  private drain(): void {
    this.drainScheduled = false
    if (this.gate !== undefined) return // exclusive() drains again when it ends
    while (this.inLog.length > 0 && this.inLog[0].state === 'failed') {
      const failed = this.inLog.shift()!
      this.unanswered -= failed.proposals.length
      for (const proposal of failed.proposals) proposal.reject(failed.error!)
    }
    if (this.inLog.length > 0 && this.inLog[0].state === 'durable') {
      this.applyDurable(this.wal.canStartWrite ? this.limits.maxApplyEntriesPerTurn : this.limits.maxBatchEntries)
    }
    if (this.inLog.length > 0 && this.inLog[0].state !== 'logging') {
      this.drainScheduled = true
      setImmediate(() => this.drain())
    }
    for (let free = this.limits.maxQueuedProposals - this.unanswered; free > 0 && this.queueSpaceWaiters.length > 0; free--) {
      this.queueSpaceWaiters.shift()!()
    }
    if (this.unanswered === 0) for (const resolve of this.settledWaiters.splice(0)) resolve()
  }

  /**
   * Applies up to `limit` entries from the leading durable batches, in one backend transaction,
   * and answers every caller of them.
   */
  private applyDurable(limit: number): void {
    const taken: Array<{batch: LoggedBatch; from: number; to: number}> = []
    let count = 0
    for (const batch of this.inLog) {
      if (batch.state !== 'durable' || count >= limit) break
      const to = Math.min(batch.entries.length, batch.applied + limit - count)
      taken.push({batch, from: batch.applied, to})
      count += to - batch.applied
    }
    const applyEntries = new Array<ApplyEntry>(count)
    let n = 0
    for (const {batch, from, to} of taken) {
      for (let i = from; i < to; i++) applyEntries[n++] = {index: batch.entries[i].index, request: batch.proposals[i].request}
    }
    const commitStart = this.commitObserver === undefined ? 0 : performance.now()
    // A throw here is a broken invariant (or a failing backend): it crashes the process, and
    // the log replays these entries on the next open.
    const results = this.store.applyBatch(applyEntries)
    if (this.commitObserver !== undefined) this.commitObserver((performance.now() - commitStart) / 1000)
    assert.equal(results.length, count)
    this.unanswered -= count
    n = 0
    for (const {batch, from, to} of taken) {
      batch.applied = to
      if (to === batch.entries.length) {
        assert.equal(this.inLog.shift(), batch)
      }
      for (let i = from; i < to; i++) batch.proposals[i].resolve(results[n++])
    }
    if (this.store.consistentIndex - this.releasedThrough >= BigInt(this.limits.releaseEveryEntries)) this.releaseLog()
  }

  /** Resolves once no proposal is waiting for its answer. */
  private settled(): Promise<void> {
    if (this.unanswered === 0) return Promise.resolve()
    return new Promise<void>((resolve) => this.settledWaiters.push(resolve))
  }

  /**
   * Drops log segments whose entries the backend holds durably. The backend may lag the log on
   * disk (it syncs on its own schedule), so release only what flushed() confirms.
   */
  private releaseLog(): void {
    const through = this.store.consistentIndex
    this.releasedThrough = through
    this.releasing = this.releasing
      .then(() => this.store.flushed())
      .then(() => this.wal.releaseTo(through))
      .catch(() => undefined) // a failed release leaves segments to replay: safe, retried next time
  }

  /**
   * Runs `fn` with no write being applied (defragmentation swaps the backend). Applying is
   * synchronous, so none is half-way when the gate closes; proposals meanwhile still go to the
   * log, and are applied (and their callers answered) once `fn` is done. Reads are not held.
   * One exclusive section at a time.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate !== undefined) await this.gate
    if (this.stopped) throw Errors.stopped()
    let open!: () => void
    this.gate = new Promise<void>((resolve) => (open = resolve))
    try {
      return await fn()
    } finally {
      this.gate = undefined
      open()
      this.scheduleDrain()
    }
  }

  /** Stops taking proposals, lets the queued ones finish, and closes log and store. */
  async close(): Promise<void> {
    this.stopped = true
    clearInterval(this.expiryTimer)
    this.closing.resolve()
    for (const resume of this.queueSpaceWaiters.splice(0)) resume()
    await this.settled()
    await this.releasing
    if (this.wal.tailBytes >= this.limits.cutOnCloseBytes) {
      await this.store.flushed()
      await this.wal.cutSegment()
      await this.wal.releaseTo(this.store.consistentIndex)
    }
    await this.wal.close()
    await this.store.close()
  }
}

export function unwrap(result: ApplyResult): Exclude<ApplyResult, {ok: false}> {
  if (!result.ok) throw result.error
  return result
}

export function isEtcdError(error: unknown): error is EtcdError {
  return error instanceof EtcdError
}
