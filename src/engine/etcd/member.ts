// A member: the one path every write takes (DESIGN.md "A write").
//
//   propose → validate and encode → queue → write-ahead log (one write + one fdatasync per
//   batch: group commit) → apply the batch to the store in one backend transaction, with the
//   consistent index → answer each caller.
//
// While one batch is on its way to disk the next one gathers in the queue, so concurrent
// writers share fsyncs. A single member commits an entry as soon as it is durable in its own
// log; the Raft driver will slot in between "log" and "apply" without changing either side.
import assert from 'node:assert/strict'
import {EtcdError, Errors, Limits} from '../../api/errors.js'
import {InternalRequest} from '../../api/proto/internal.js'
import type {ResponseHeader} from '../../api/proto/rpc.js'
import type {ApplyEntry, ApplyResult, KvStore} from '../mvcc/kv.js'
import {validateRequest} from '../mvcc/validate.js'
import type {WalEntry} from '../wal/log.js'
import type {SegmentedWal} from '../wal/wal.js'

export interface MemberIdentity {
  clusterId: bigint
  memberId: bigint
}

export interface MemberLimits {
  maxRequestBytes: number
  /** Proposals waiting for the log, beyond which propose() waits (back-pressure). */
  maxQueuedProposals: number
  /** Entries written with one fdatasync at most. */
  maxBatchEntries: number
  /** Applied entries between two attempts to drop log segments the backend already holds. */
  releaseEveryEntries: number
  /** On close, a segment at least this big is cut so the next open need not read it. */
  cutOnCloseBytes: number
}

const defaultLimits: MemberLimits = {
  maxRequestBytes: Limits.maxRequestBytes,
  maxQueuedProposals: 16_384,
  maxBatchEntries: 1_024,
  releaseEveryEntries: 100_000,
  cutOnCloseBytes: 256 * 1024,
}

interface Proposal {
  request: InternalRequest
  data: Uint8Array
  resolve: (result: ApplyResult) => void
  reject: (error: Error) => void
}

export class Member {
  private readonly queue: Proposal[] = []
  private readonly queueSpaceWaiters: Array<() => void> = []
  private flushing = false
  private stopped = false
  private lastIndex: bigint
  private releasedThrough: bigint
  private releasing: Promise<void> = Promise.resolve()
  private readonly limits: MemberLimits
  readonly term = 1n

  constructor(
    readonly store: KvStore,
    private readonly wal: SegmentedWal,
    readonly identity: MemberIdentity,
    limits: Partial<MemberLimits> = {},
  ) {
    this.limits = {...defaultLimits, ...limits}
    this.lastIndex = store.consistentIndex
    this.releasedThrough = store.consistentIndex
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
    const data = InternalRequest.encode(request).finish()
    if (data.length > this.limits.maxRequestBytes) throw Errors.requestTooLarge()
    while (this.queue.length >= this.limits.maxQueuedProposals) {
      await new Promise<void>((resume) => this.queueSpaceWaiters.push(resume))
      if (this.stopped) throw Errors.stopped()
    }
    const result = new Promise<ApplyResult>((resolve, reject) => {
      this.queue.push({request, data, resolve, reject})
    })
    if (!this.flushing) void this.flushLoop()
    return result
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.limits.maxBatchEntries)
        for (let i = 0; i < batch.length && this.queueSpaceWaiters.length > 0; i++) this.queueSpaceWaiters.shift()!()
        await this.commitBatch(batch)
      }
    } finally {
      this.flushing = false
    }
  }

  private async commitBatch(batch: Proposal[]): Promise<void> {
    const entries: WalEntry[] = batch.map((proposal) => ({index: ++this.lastIndex, term: this.term, data: proposal.data}))
    try {
      await this.wal.append(entries)
    } catch (error) {
      // The log could not make these durable: nothing was applied, every caller hears why, and
      // the member stops taking writes (a log that failed mid-way cannot be trusted to order more).
      this.stopped = true
      for (const proposal of batch) proposal.reject(error as Error)
      return
    }
    const results = this.store.applyBatch(entries.map((entry, i) => ({index: entry.index, request: batch[i].request})))
    assert.equal(results.length, batch.length)
    for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i])
    if (this.store.consistentIndex - this.releasedThrough >= BigInt(this.limits.releaseEveryEntries)) this.releaseLog()
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

  /** Stops taking proposals, lets the queued ones finish, and closes log and store. */
  async close(): Promise<void> {
    this.stopped = true
    for (const resume of this.queueSpaceWaiters.splice(0)) resume()
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve))
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
