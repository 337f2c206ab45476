// The MVCC key-value store: etcd's mvcc store plus the parts of its v3 applier that decide
// what a put, delete, txn or compaction does. The key index (tree-index.ts) says which
// revision of a key a read needs; the backend (backend.ts) holds every revision's value.
//
// Write path: one applyBatch = one backend write transaction holding every entry's writes
// and the batch's last log index. Inside an entry, a WriteState plays etcd's storeTxnWrite:
// every write of the entry takes revision (beginRev + 1, sub) with sub counting up, and the
// store revision is raised once at the end if anything changed.
import assert from 'node:assert/strict'
import zlib from 'node:zlib'
import {EtcdError, Errors} from '../../api/errors.js'
import type {InternalRequest} from '../../api/proto/internal.js'
import {Event_EventType, type Event, type KeyValue} from '../../api/proto/kv.js'
import {
  AlarmRequest_AlarmAction,
  AlarmResponse,
  type AlarmMember,
  type AlarmRequest,
  Compare_CompareResult,
  Compare_CompareTarget,
  type Compare,
  type CompactionRequest,
  type DeleteRangeRequest,
  type DeleteRangeResponse,
  type LeaseGrantResponse,
  type LeaseRevokeResponse,
  type PutRequest,
  type PutResponse,
  type RangeRequest,
  type RangeResponse,
  type RequestOp,
  type ResponseHeader,
  type ResponseOp,
  type TxnRequest,
  type TxnResponse,
} from '../../api/proto/rpc.js'
import {Backend, MetaKey, type BackendOptions} from './backend.js'
import type {StoreAuth} from '../auth/store-hook.js'
import type {StoreLeases} from '../lease/store-hook.js'
import type {FoundRevision} from './key-history.js'
import {encodeFrozenKeyIndex, type EncodedKeyIndex, readKeyIndexCheckpoint, storeKeyIndexCheckpoint, writeKeyIndexCheckpoint} from './key-index-checkpoint.js'
import {decodeKeyString, decodeKv, encodeKv, encodeTombstone, toKeyValue, type StoredKv} from './kv-codec.js'
import type {ApplyEntry, ApplyResponse, ApplyResult, CopyWithKeyIndex, HashKV, KvStore} from './kv.js'
import {rangeEndOf, serveRange, type RawRange, type RawRangeOptions} from './range-view.js'
import {isTombstoneRev, revMain, revSub, revToBytes, writeRev} from './revision.js'
import {RevisionCache} from './revision-cache.js'
import {TreeIndex} from './tree-index.js'
import {readHistory, type HistoryChunk, type HistorySource} from './watch-history.js'

export interface KvStoreOptions extends BackendOptions {
  /** Revisions deleted per backend transaction by a physical compaction. */
  compactionChunkRevisions?: number
  /** Budget of the cache of decoded revisions (hot keys skip the backend). */
  revisionCacheBytes?: number
  /**
   * The lessor: with it, lease grant/revoke entries are applied, a put naming a lease it does
   * not hold is refused, and keys are attached as they are written. Without it (mvcc tests)
   * leases are stored on keys unchecked.
   */
  leases?: StoreLeases
  /**
   * The auth store: with it, auth entries are applied here (users and roles change in the same
   * backend transaction as the keys), and a write carrying a caller is checked against it.
   */
  auth?: StoreAuth
}

const DEFAULT_REVISION_CACHE_BYTES = 32 * 1024 * 1024

const DEFAULT_COMPACTION_CHUNK = 10_000
const LATEST = Number.MAX_SAFE_INTEGER
const EMPTY = Buffer.alloc(0)

/** One entry's write transaction (etcd's storeTxnWrite). */
interface WriteState {
  beginRev: number
  changes: number
  events: Event[]
}

/** The branch a txn (and each nested txn on it) takes, decided before any of its writes. */
interface TxnPath {
  succeeded: boolean
  /** Aligned with the ops of the branch taken: the path of each nested txn. */
  nested: (TxnPath | undefined)[]
}

function header(revision: number): ResponseHeader {
  return {clusterId: 0n, memberId: 0n, revision: BigInt(revision), raftTerm: 0n}
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export class MvccStore implements KvStore, HistorySource {
  private currentRev = 1
  /** etcd's compactMainRev: -1 until the first compaction. */
  private compactMainRev = -1
  private consistentIdx = 0n
  private index = new TreeIndex()
  private alarmList: AlarmMember[] = []
  private readonly scratchRev = Buffer.allocUnsafe(17)
  private cache: RevisionCache
  /** Physical compactions run one after another, in the order they were applied. */
  private compactionChain: Promise<void> = Promise.resolve()
  private closed = false
  private leases: StoreLeases | undefined
  private auth: StoreAuth | undefined
  /** How the open rebuilt the key index, and why not from the checkpoint if it scanned. */
  private restoredVia: {from: 'checkpoint'} | {from: 'scan'; reason: string} = {from: 'scan', reason: 'not opened'}
  private readonly revisionCacheBytes: number

  private constructor(
    private readonly backend: Backend,
    private readonly compactionChunk: number,
    revisionCacheBytes: number,
  ) {
    this.cache = new RevisionCache(revisionCacheBytes)
    this.revisionCacheBytes = revisionCacheBytes
  }

  /** Opens (or creates) the store in `dir` and rebuilds the key index from the backend. */
  static open(dir: string, opts: KvStoreOptions = {}): MvccStore {
    const store = new MvccStore(
      Backend.open(dir, opts),
      opts.compactionChunkRevisions ?? DEFAULT_COMPACTION_CHUNK,
      opts.revisionCacheBytes ?? DEFAULT_REVISION_CACHE_BYTES,
    )
    store.leases = opts.leases
    store.auth = opts.auth
    store.auth?.restore(store.backend.authRecords())
    store.restore()
    store.restoreLeases()
    return store
  }

  get currentRevision(): number {
    return this.currentRev
  }

  get compactRevision(): number {
    return Math.max(0, this.compactMainRev)
  }

  get consistentIndex(): bigint {
    return this.consistentIdx
  }

  /** Whether the open loaded the key-index checkpoint or scanned the backend (and why). */
  get restoredFrom(): {from: 'checkpoint'} | {from: 'scan'; reason: string} {
    return this.restoredVia
  }

  // ---- reads ----

  range(req: RangeRequest): RangeResponse {
    const curRev = this.currentRev
    return serveRange(req, (key, end, opts) => this.rangeKeys(key, end, curRev, opts))
  }

  /** etcd's rangeKeys at a view whose current revision is curRev. */
  private rangeKeys(key: string, end: string | undefined, curRev: number, opts: RawRangeOptions): RawRange {
    let rev = opts.rev
    if (rev > curRev) throw Errors.futureRev()
    if (rev <= 0) rev = curRev
    if (rev < this.compactMainRev) throw Errors.compacted()
    if (end === undefined) {
      // One key (the hot read): no visitor, no intermediate arrays.
      const at = this.index.get(key, rev)
      if (at === undefined) return {kvs: [], count: 0, rev: curRev}
      return {kvs: opts.countOnly ? [] : [this.readRevision(at)], count: 1, rev: curRev}
    }
    let count = 0
    const found: FoundRevision[] = []
    const limit = opts.countOnly ? 0 : opts.limit > 0 ? opts.limit : LATEST
    this.index.range(key, end, rev, (_key, at) => {
      count++
      if (found.length < limit) found.push(at)
    })
    const kvs = new Array<StoredKv>(found.length)
    for (let i = 0; i < found.length; i++) kvs[i] = this.readRevision(found[i]!)
    return {kvs, count, rev: curRev}
  }

  private readRevision(at: FoundRevision): StoredKv {
    const cached = this.cache.get(at.main, at.sub)
    if (cached !== undefined) return cached
    writeRev(this.scratchRev, at.main, at.sub)
    const stored = this.backend.getFast(this.scratchRev)
    assert.ok(stored !== undefined, `revision ${at.main}_${at.sub} is in the index but not in the backend`)
    const kv = decodeKv(stored)
    this.cache.add(at.main, at.sub, kv)
    return kv
  }

  private latest(key: string): StoredKv | undefined {
    const at = this.index.get(key, LATEST)
    return at === undefined ? undefined : this.readRevision(at)
  }

  // ---- writes ----

  applyBatch(entries: ApplyEntry[]): ApplyResult[] {
    assert.ok(!this.closed, 'store is closed')
    if (entries.length === 0) return []
    const results: ApplyResult[] = []
    const compactions: {rev: number; removed: number[]; done: (p: Promise<void>) => void}[] = []
    this.backend.write(() => {
      for (const entry of entries) {
        assert.ok(entry.index > this.consistentIdx, `entry ${entry.index} applied out of order`)
        results.push(this.applyOne(entry.request, compactions, entry.index))
        this.consistentIdx = entry.index
      }
      this.backend.putMetaBigint(MetaKey.consistentIndex, this.consistentIdx)
    })
    // Physical compaction starts only now that the batch (and the scheduled revision) is committed.
    for (const c of compactions) c.done(this.schedulePhysicalCompaction(c.rev, c.removed))
    return results
  }

  /** The keys of a lease as the apply loop sees them now (for the auth check of a revoke). */
  private readonly leaseKeys = (id: bigint): Iterable<string> => this.leases?.keysOf(id) ?? []

  private applyOne(
    req: InternalRequest,
    compactions: {rev: number; removed: number[]; done: (p: Promise<void>) => void}[],
    index: bigint,
  ): ApplyResult {
    const w: WriteState = {beginRev: this.currentRev, changes: 0, events: []}
    try {
      let response: ApplyResponse
      let physical: Promise<void> | undefined
      // The caller's permissions as they are at this point of the log (a role may have lost a
      // permission between the caller's request and this entry).
      if (req.header !== undefined) this.auth?.checkWrite(req, this.leaseKeys)
      const authResponse = this.auth?.apply(req, index, this.backend)
      if (authResponse !== undefined) {
        response = {header: header(this.currentRev), ...authResponse} as ApplyResponse
      } else if (req.put !== undefined) {
        response = this.applyPut(w, req.put)
      } else if (req.deleteRange !== undefined) {
        response = this.applyDeleteRange(w, req.deleteRange)
      } else if (req.txn !== undefined) {
        response = this.applyTxn(w, req.txn)
      } else if (req.compaction !== undefined) {
        const compaction = this.applyCompaction(req.compaction)
        response = compaction.response
        physical = new Promise<void>((resolve, reject) => {
          compactions.push({
            rev: compaction.rev,
            removed: compaction.removed,
            done: (p) => p.then(resolve, reject),
          })
        })
      } else if (req.leaseGrant !== undefined && this.leases !== undefined) {
        response = this.applyLeaseGrant(this.leases, req.leaseGrant.ID, req.leaseGrant.TTL)
      } else if (req.leaseRevoke !== undefined && this.leases !== undefined) {
        response = this.applyLeaseRevoke(w, this.leases, req.leaseRevoke.ID)
      } else if (req.alarm !== undefined) {
        response = this.applyAlarm(req.alarm)
      } else {
        // Not a key-value request (lease, alarm …): the member applies it elsewhere; here it
        // only advances the consistent index.
        response = {header: header(this.currentRev)}
      }
      if (w.changes > 0) this.currentRev = w.beginRev + 1
      return physical === undefined
        ? {ok: true, response, events: w.events}
        : {ok: true, response, events: w.events, physical}
    } catch (error) {
      // Every check runs before the first write, so a refused request has changed nothing.
      assert.equal(w.changes, 0, 'a request failed after it had written')
      if (error instanceof EtcdError) return {ok: false, error}
      throw error
    }
  }

  alarms(): AlarmMember[] {
    return this.alarmList.map((alarm) => ({...alarm}))
  }

  /**
   * etcd's alarm store: ACTIVATE adds (once per member and type), DEACTIVATE removes, GET lists;
   * the list is kept in the backend in the same transaction as the entry's index.
   */
  private applyAlarm(request: AlarmRequest): AlarmResponse {
    const same = (alarm: AlarmMember) => alarm.memberID === request.memberID && alarm.alarm === request.alarm
    const found = this.alarmList.find(same)
    let changed: AlarmMember[] = []
    if (request.action === AlarmRequest_AlarmAction.GET) changed = this.alarms()
    else if (request.action === AlarmRequest_AlarmAction.ACTIVATE) {
      const alarm = {memberID: request.memberID, alarm: request.alarm}
      if (found === undefined && request.alarm !== 0) this.alarmList.push(alarm)
      changed = request.alarm === 0 ? [] : [alarm]
    } else if (request.action === AlarmRequest_AlarmAction.DEACTIVATE && found !== undefined) {
      this.alarmList = this.alarmList.filter((alarm) => !same(alarm))
      changed = [found]
    }
    if (request.action !== AlarmRequest_AlarmAction.GET) {
      this.backend.putMetaBytes(MetaKey.alarms, Buffer.from(AlarmResponse.encode({header: undefined, alarms: this.alarmList}).finish()))
    }
    return {header: header(this.currentRev), alarms: changed}
  }

  /** The revision a read inside the write transaction sees (its own writes included). */
  private viewRev(w: WriteState): number {
    return w.changes > 0 ? w.beginRev + 1 : w.beginRev
  }

  private applyPut(w: WriteState, p: PutRequest): PutResponse {
    const keyStr = p.key.toString('latin1')
    this.checkLease(p)
    let prev: StoredKv | undefined
    if (p.ignoreValue || p.ignoreLease || p.prevKv) prev = this.latest(keyStr)
    if ((p.ignoreValue || p.ignoreLease) && prev === undefined) throw Errors.keyNotFound()
    const value = p.ignoreValue ? prev!.value : p.value
    const lease = p.ignoreLease ? prev!.lease : p.lease
    const rev = this.put(w, p.key, keyStr, value, lease, prev)
    return {header: header(rev), prevKv: p.prevKv && prev !== undefined ? toKeyValue(prev) : undefined}
  }

  /** Writes one key at the entry's next sub-revision (etcd's storeTxnWrite.put). */
  private put(w: WriteState, key: Buffer, keyStr: string, value: Buffer, lease: bigint, known?: StoredKv): number {
    const main = w.beginRev + 1
    const sub = w.changes
    const old = known ?? this.latest(keyStr)
    const kv: StoredKv = {
      key,
      createRevision: old === undefined ? main : old.createRevision,
      modRevision: main,
      version: old === undefined ? 1 : old.version + 1,
      value,
      lease,
    }
    this.backend.putRevision(revToBytes(main, sub), encodeKv(kv))
    this.index.put(keyStr, main, sub)
    this.cache.add(main, sub, kv)
    if (this.leases !== undefined && (lease !== 0n || (old !== undefined && old.lease !== 0n))) {
      this.leases.setKeyLease(keyStr, lease)
    }
    w.changes++
    w.events.push({type: Event_EventType.PUT, kv: toKeyValue(kv), prevKv: undefined})
    return main
  }

  private applyDeleteRange(w: WriteState, d: DeleteRangeRequest): DeleteRangeResponse {
    const keyStr = d.key.toString('latin1')
    const end = rangeEndOf(d.rangeEnd)
    const prevKvs: KeyValue[] = []
    if (d.prevKv) {
      for (const kv of this.rangeKeys(keyStr, end, this.viewRev(w), {limit: 0, rev: 0, countOnly: false}).kvs) {
        prevKvs.push(toKeyValue(kv))
      }
    }
    const deleted = this.deleteRange(w, keyStr, end)
    return {header: header(this.viewRev(w)), deleted: BigInt(deleted), prevKvs}
  }

  /** Tombstones every live key of the range (etcd's storeTxnWrite.deleteRange). */
  private deleteRange(w: WriteState, key: string, end: string | undefined): number {
    const keys = this.index.liveKeys(key, end)
    const main = w.beginRev + 1
    for (const k of keys) {
      const keyBuf = Buffer.from(k, 'latin1')
      const sub = w.changes
      this.backend.putRevision(revToBytes(main, sub, true), encodeTombstone(keyBuf))
      const tombstoned = this.index.tombstone(k, main, sub)
      assert.ok(tombstoned)
      this.leases?.setKeyLease(k, 0n)
      w.changes++
      w.events.push({
        type: Event_EventType.DELETE,
        kv: {key: keyBuf, createRevision: 0n, modRevision: BigInt(main), version: 0n, value: EMPTY, lease: 0n},
        prevKv: undefined,
      })
    }
    return keys.length
  }

  // ---- txn ----

  private applyTxn(w: WriteState, rt: TxnRequest): TxnResponse {
    // As etcd: every compare (nested ones too) sees the store before the txn, and every put
    // and range on the chosen path is checked before the first write.
    const path = this.txnPath(rt)
    this.checkPath(rt, path, (op) => this.checkPut(op))
    this.checkPath(rt, path, (op) => this.checkRange(op))
    const response = this.runTxn(w, rt, path)
    response.header = header(this.viewRev(w))
    return response
  }

  private txnPath(rt: TxnRequest): TxnPath {
    const succeeded = rt.compare.every((c) => this.applyCompare(c))
    const ops = succeeded ? rt.success : rt.failure
    return {succeeded, nested: ops.map((op) => (op.requestTxn === undefined ? undefined : this.txnPath(op.requestTxn)))}
  }

  private checkPath(rt: TxnRequest, path: TxnPath, check: (op: RequestOp) => void): void {
    const ops = path.succeeded ? rt.success : rt.failure
    ops.forEach((op, i) => {
      if (op.requestTxn !== undefined) this.checkPath(op.requestTxn, path.nested[i]!, check)
      else check(op)
    })
  }

  private checkPut(op: RequestOp): void {
    const p = op.requestPut
    if (p === undefined) return
    if ((p.ignoreValue || p.ignoreLease) && this.index.get(p.key.toString('latin1'), LATEST) === undefined) {
      throw Errors.keyNotFound()
    }
    this.checkLease(p)
  }

  private checkRange(op: RequestOp): void {
    const r = op.requestRange
    if (r === undefined || r.revision === 0n) return
    if (r.revision > BigInt(this.currentRev)) throw Errors.futureRev()
    if (r.revision < BigInt(this.compactMainRev)) throw Errors.compacted()
  }

  private runTxn(w: WriteState, rt: TxnRequest, path: TxnPath): TxnResponse {
    const ops = path.succeeded ? rt.success : rt.failure
    const responses: ResponseOp[] = ops.map((op, i) => {
      try {
        if (op.requestRange !== undefined) {
          const viewRev = this.viewRev(w)
          return {responseRange: serveRange(op.requestRange, (k, e, o) => this.rangeKeys(k, e, viewRev, o))}
        }
        if (op.requestPut !== undefined) return {responsePut: this.applyPut(w, op.requestPut)}
        if (op.requestDeleteRange !== undefined) return {responseDeleteRange: this.applyDeleteRange(w, op.requestDeleteRange)}
        if (op.requestTxn !== undefined) return {responseTxn: this.runTxn(w, op.requestTxn, path.nested[i]!)}
        return {}
      } catch (error) {
        // etcd panics here too: the checks above must have refused anything that can fail.
        assert.fail(`txn op failed after its checks passed: ${String(error)}`)
      }
    })
    return {header: header(0), succeeded: path.succeeded, responses}
  }

  private applyCompare(c: Compare): boolean {
    let kvs: StoredKv[]
    try {
      kvs = this.rangeKeys(c.key.toString('latin1'), rangeEndOf(c.rangeEnd), this.currentRev, {
        limit: 0,
        rev: 0,
        countOnly: false,
      }).kvs
    } catch {
      return false
    }
    if (kvs.length === 0) {
      // A value compare on a missing key always fails (etcd: no way to tell "" from missing).
      if (c.target === Compare_CompareTarget.VALUE) return false
      return compareKv(c, {key: c.key, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0n})
    }
    return kvs.every((kv) => compareKv(c, kv))
  }

  // ---- leases (etcd's applier LeaseGrant / LeaseRevoke and lessor.Revoke) ----

  /** A put naming a lease the lessor does not hold is refused before it writes anything. */
  private checkLease(p: PutRequest): void {
    if (p.lease !== 0n && this.leases !== undefined && !this.leases.exists(p.lease)) throw Errors.leaseNotFound()
  }

  private applyLeaseGrant(leases: StoreLeases, id: bigint, ttlSeconds: bigint): LeaseGrantResponse {
    const granted = leases.grant(id, ttlSeconds)
    this.backend.putLease(granted.id, granted.ttlSeconds)
    return {header: header(this.currentRev), ID: granted.id, TTL: BigInt(granted.ttlSeconds), error: ''}
  }

  /** Deletes every key of the lease at ONE revision (a sub-revision each, in key order). */
  private applyLeaseRevoke(w: WriteState, leases: StoreLeases, id: bigint): LeaseRevokeResponse {
    for (const key of leases.revoke(id)) this.deleteRange(w, key, undefined)
    this.backend.removeLease(id)
    return {header: header(this.viewRev(w))}
  }

  /** Gives the lessor the leases the backend holds, then attaches every live key that names one. */
  private restoreLeases(): void {
    if (this.leases === undefined) return
    let any = false
    for (const record of this.backend.scanLeases()) {
      this.leases.restore(record)
      any = true
    }
    if (!any) return
    for (const key of this.index.liveKeys('', '')) {
      const lease = this.latest(key)!.lease
      // etcd logs and goes on for a key whose lease is gone; a revoke deletes its keys in the
      // same transaction, so that happens only to a store written without a lessor.
      if (lease !== 0n && this.leases.exists(lease)) this.leases.setKeyLease(key, lease)
    }
  }

  // ---- compaction ----

  private applyCompaction(req: CompactionRequest): {response: ApplyResponse; rev: number; removed: number[]} {
    const rev = Number(req.revision)
    if (req.revision <= BigInt(this.compactMainRev)) throw Errors.compacted()
    if (req.revision > BigInt(this.currentRev)) throw Errors.futureRev()
    this.compactMainRev = rev
    this.backend.putMetaNumber(MetaKey.scheduledCompactRev, rev)
    const removed = this.index.compact(rev)
    return {response: {header: header(this.currentRev)}, rev, removed}
  }

  /**
   * Deletes the revisions the index dropped, in revision order (so an interrupted run never
   * leaves a put whose tombstone is gone), a chunk per backend transaction, yielding to the
   * event loop between chunks; then records the compaction as finished.
   */
  private schedulePhysicalCompaction(rev: number, removed: number[]): Promise<void> {
    const order = Array.from({length: removed.length / 3}, (_, i) => i * 3)
    order.sort((a, b) => removed[a]! - removed[b]! || removed[a + 1]! - removed[b + 1]!)
    const run = async (): Promise<void> => {
      for (let start = 0; start < order.length || start === 0; start += this.compactionChunk) {
        const chunk = order.slice(start, start + this.compactionChunk)
        this.backend.write(() => {
          for (const i of chunk) this.backend.removeRevision(revToBytes(removed[i]!, removed[i + 1]!, removed[i + 2] === 1))
          if (start + this.compactionChunk >= order.length) this.backend.putMetaNumber(MetaKey.finishedCompactRev, rev)
        })
        if (start + this.compactionChunk < order.length) await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }
    const physical = this.compactionChain.then(run)
    this.compactionChain = physical.catch(() => undefined)
    return physical
  }

  // ---- hash, size, lifecycle ----

  /** The changes of revisions [fromRev, toRev], for watchers catching up (see watch-history.ts). */
  readChanges(fromRev: number, toRev: number, maxBytes: number): HistoryChunk {
    return readHistory(this.backend, fromRev, toRev, maxBytes)
  }

  hashKV(revision: number): HashKV {
    const compactRev = this.compactMainRev
    const currentRev = this.currentRev
    if (revision > 0 && revision <= compactRev) throw Errors.compacted()
    if (revision > 0 && revision > currentRev) throw Errors.futureRev()
    const rev = revision === 0 ? currentRev : revision
    const keep = this.index.keep(rev)
    let hash = zlib.crc32(Buffer.from('key'))
    // Keys and values from one cursor (copies), so both come from the same snapshot.
    for (const {key: revBytes, value} of this.backend.scan()) {
      const main = revMain(revBytes)
      if (main > rev) break
      // Revisions at or below the compaction point that a compaction would drop do not count,
      // whether or not the physical compaction has removed them yet.
      if (main <= compactRev && keep.size > 0 && !keep.has(`${main}_${revSub(revBytes)}`)) continue
      hash = zlib.crc32(revBytes, hash)
      hash = zlib.crc32(value, hash)
    }
    return {hash, compactRevision: compactRev, hashRevision: rev}
  }

  dbSizeBytes(): number {
    return this.backend.sizeBytes()
  }

  dbSizeInUseBytes(): number {
    return this.backend.sizeInUseBytes()
  }

  hash(): number {
    return this.backend.hash(zlib.crc32)
  }

  async copyBackendTo(file: string): Promise<void> {
    assert.ok(!this.closed, 'store is closed')
    await this.backend.copyTo(file)
  }

  /**
   * copyBackendTo, plus a key-index checkpoint that matches the copy, so that a follower
   * installing it (restoreFrom) loads the index instead of scanning every revision. The index is
   * frozen when the copy is asked for, at the consistent index of that moment, and encoded a
   * slice at a time while the copy is written (applies go on); the copy (one read transaction, a
   * moment later) holds the same state unless an entry was applied in between, and the
   * checkpoint is only written into it when the copy's consistent index is the frozen one (else
   * the copy keeps a stale checkpoint and the install scans, as without).
   */
  async copyBackendWithKeyIndexTo(file: string): Promise<CopyWithKeyIndex> {
    assert.ok(!this.closed, 'store is closed')
    // a checkpoint cannot describe a compaction half done: let the one running finish first
    await this.compactionChain
    const frozenAt = this.consistentIdx
    const view = this.index.freeze()
    const started = performance.now()
    let encodeMs = 0
    let encoded: EncodedKeyIndex
    try {
      const encoding = encodeFrozenKeyIndex(view, {currentRev: this.currentRev, compactMainRev: this.compactMainRev}).finally(() => (encodeMs = performance.now() - started))
      ;[encoded] = await Promise.all([encoding, this.backend.copyTo(file)])
    } finally {
      view.release()
    }
    const copy = Backend.openFile(file)
    try {
      const copiedAt = copy.getMetaBigint(MetaKey.consistentIndex)
      const done = {consistentIndex: copiedAt, encodeMs}
      if (copiedAt !== frozenAt) return {...done, keyIndex: false, why: 'an entry was applied while copying'}
      const stored = copy.write(() => storeKeyIndexCheckpoint(copy, encoded))
      return stored ? {...done, keyIndex: true, keys: encoded.keyCount} : {...done, keyIndex: false, why: 'a compaction is unfinished'}
    } finally {
      // a scratch copy: whoever keeps it syncs it (a follower receiving it does)
      await copy.close({sync: false})
    }
  }

  async defragment(): Promise<void> {
    assert.ok(!this.closed, 'store is closed')
    // a physical compaction writes between its awaits: let it finish first
    await this.compactionChain
    await this.backend.defragment()
  }

  /**
   * Replaces the whole store with the backend file `file` (a snapshot from the leader, etcd's
   * store Restore): the file is moved into place, then the key index, revisions, alarms, auth
   * and leases are rebuilt from it. No write may be applied until it resolves.
   */
  async restoreFrom(file: string): Promise<void> {
    assert.ok(!this.closed, 'store is closed')
    // a physical compaction writes between its awaits: let it finish first
    await this.compactionChain
    await this.backend.replaceWith(file)
    this.index = new TreeIndex()
    this.cache = new RevisionCache(this.revisionCacheBytes)
    this.currentRev = 1
    this.compactMainRev = -1
    this.consistentIdx = 0n
    this.alarmList = []
    this.auth?.restore(this.backend.authRecords())
    this.leases?.forgetAll()
    this.restore()
    this.restoreLeases()
  }

  /** Resolves once everything applied so far is durable in the backend. */
  flushed(): Promise<void> {
    return this.backend.flushed()
  }

  /** Closes the store, leaving a checkpoint of the key index so the next open need not scan. */
  async close(): Promise<void> {
    await this.shutdown(true)
  }

  /** Closes as a kill -9 would leave the backend: the last checkpoint stays, stale if anything was applied since. */
  async closeWithoutCheckpoint(): Promise<void> {
    await this.shutdown(false)
  }

  private async shutdown(checkpoint: boolean): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.compactionChain
    // A store opened from a checkpoint and never written since still matches that checkpoint
    // (its stamp is the backend's): writing it again would only cost a commit and a sync.
    const checkpointCurrent = this.restoredVia.from === 'checkpoint' && !this.backend.changedSinceOpen
    if (checkpoint && !checkpointCurrent) {
      const state = {currentRev: this.currentRev, compactMainRev: this.compactMainRev}
      this.backend.write(() => writeKeyIndexCheckpoint(this.backend, this.index, state))
    }
    await this.backend.close()
  }

  /** Rebuilds the key index and the revisions from the backend (etcd's restore). */
  private restore(): void {
    this.consistentIdx = this.backend.getMetaBigint(MetaKey.consistentIndex)
    const alarms = this.backend.getMetaBytes(MetaKey.alarms)
    if (alarms !== undefined) this.alarmList = AlarmResponse.decode(alarms).alarms
    const checkpoint = readKeyIndexCheckpoint(this.backend)
    if (checkpoint.ok) {
      this.index.loadSorted(checkpoint.keys, checkpoint.entries)
      this.currentRev = checkpoint.currentRev
      this.compactMainRev = checkpoint.compactMainRev
      this.restoredVia = {from: 'checkpoint'}
      return
    }
    this.restoredVia = {from: 'scan', reason: checkpoint.reason}
    const scheduled = this.backend.getMetaNumber(MetaKey.scheduledCompactRev)
    const finished = this.backend.getMetaNumber(MetaKey.finishedCompactRev)
    if (finished !== undefined) this.compactMainRev = finished
    // Tombstones whose puts an interrupted compaction already removed.
    const orphans: number[] = []
    let lastMain = 0
    this.index.startLoad()
    for (const revBytes of this.backend.scanKeys()) {
      const main = revMain(revBytes)
      const sub = revSub(revBytes)
      const stored = this.backend.getFast(revBytes)
      assert.ok(stored !== undefined)
      const key = decodeKeyString(stored)
      if (isTombstoneRev(revBytes)) {
        if (!this.index.tombstone(key, main, sub)) orphans.push(main, sub, 1)
      } else {
        this.index.put(key, main, sub)
      }
      lastMain = main
    }
    this.index.finishLoad()
    this.currentRev = Math.max(1, lastMain)
    if (scheduled !== undefined && scheduled > this.compactMainRev) {
      // A compaction was scheduled but not finished: run it again.
      this.compactMainRev = scheduled
      const removed = this.index.compact(scheduled)
      for (let i = 0; i < orphans.length; i += 3) {
        if (orphans[i]! <= scheduled) removed.push(orphans[i]!, orphans[i + 1]!, 1)
      }
      void this.schedulePhysicalCompaction(scheduled, removed)
    }
    this.currentRev = Math.max(this.currentRev, this.compactMainRev)
  }
}

/** etcd's compareKV: the compare's operand is the field matching its target, 0 / "" if unset. */
function compareKv(c: Compare, kv: StoredKv): boolean {
  let result: number
  switch (c.target) {
    case Compare_CompareTarget.VALUE:
      result = Buffer.compare(kv.value, c.value ?? EMPTY)
      break
    case Compare_CompareTarget.CREATE:
      result = compareBigints(BigInt(kv.createRevision), c.createRevision ?? 0n)
      break
    case Compare_CompareTarget.MOD:
      result = compareBigints(BigInt(kv.modRevision), c.modRevision ?? 0n)
      break
    case Compare_CompareTarget.VERSION:
      result = compareBigints(BigInt(kv.version), c.version ?? 0n)
      break
    case Compare_CompareTarget.LEASE:
      result = compareBigints(kv.lease, c.lease ?? 0n)
      break
    default:
      result = 0
  }
  switch (c.result) {
    case Compare_CompareResult.EQUAL:
      return result === 0
    case Compare_CompareResult.NOT_EQUAL:
      return result !== 0
    case Compare_CompareResult.GREATER:
      return result > 0
    case Compare_CompareResult.LESS:
      return result < 0
    default:
      return true
  }
}

/** What a backend file holds, read without opening it as a store (snapshot status and restore). */
export interface BackendFileInfo {
  /** The store's revision: the last revision stored, or the compaction point if above it. */
  revision: number
  consistentIndex: bigint
  /** etcd's Hash of the file's databases (see Backend.hash). */
  hash: number
  /** Entries in the stored databases. */
  totalKeys: number
}

export async function readBackendFile(file: string): Promise<BackendFileInfo> {
  const backend = Backend.openFile(file)
  try {
    const last = backend.lastRevisionKey()
    const compacted = Math.max(backend.getMetaNumber(MetaKey.scheduledCompactRev) ?? 0, backend.getMetaNumber(MetaKey.finishedCompactRev) ?? 0)
    return {
      revision: Math.max(1, last === undefined ? 0 : revMain(last), compacted),
      consistentIndex: backend.getMetaBigint(MetaKey.consistentIndex),
      hash: backend.hash(zlib.crc32),
      totalKeys: backend.entryCount(),
    }
  } finally {
    await backend.close()
  }
}

/**
 * Prepares a backend file to be a restored member's store (etcd's snapshot restore): the
 * consistent index is set to `consistentIndex` (the new member's log starts after it) and the
 * key-index checkpoint is dropped, so the first open rebuilds the index from the data.
 */
export async function resetBackendFile(file: string, consistentIndex: bigint): Promise<void> {
  const backend = Backend.openFile(file)
  try {
    backend.write(() => {
      backend.putMetaBigint(MetaKey.consistentIndex, consistentIndex)
      backend.replaceCheckpoint(Buffer.from('restored'), [])
    })
  } finally {
    await backend.close()
  }
}

/** Opens the MVCC store kept in `dir` (created if missing). */
export function openKvStore(dir: string, opts: KvStoreOptions = {}): MvccStore {
  return MvccStore.open(dir, opts)
}
