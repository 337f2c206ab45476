// etcd's backend quota (--quota-backend-bytes), shared by the single member and the cluster
// member: what a request adds to the backend as etcd counts it (quota.go), the backend's size
// read at most every dbSizeRefreshMs, and whether a write must be refused or must first raise
// the NOSPACE alarm. Raising the alarm is each member's own: it goes through its log.
import {Errors} from '../../api/errors.js'
import {AlarmType, type TxnRequest} from '../../api/proto/rpc.js'
import type {InternalRequest} from '../../api/proto/internal.js'
import type {KvStore} from '../mvcc/kv.js'

/** etcd's default --quota-backend-bytes: 2 GiB. */
export const defaultQuotaBackendBytes = 2 * 1024 ** 3

/** etcd's estimate of what a write adds to the backend beyond its key and value (quota.go). */
const kvOverheadBytes = 256
const leaseOverheadBytes = 64

/** The backend's size is read again after this many milliseconds at most (a stat call). */
const dbSizeRefreshMs = 100

export class BackendQuota {
  private dbSize = {bytes: 0, readAtMs: -Infinity}

  /** `quotaBytes` 0 or less: no quota. */
  constructor(
    private readonly store: KvStore,
    private readonly quotaBytes: number,
  ) {}

  /** Size of the backend file, read at most every dbSizeRefreshMs. */
  dbSizeBytes(): number {
    const now = performance.now()
    if (now - this.dbSize.readAtMs >= dbSizeRefreshMs) this.dbSize = {bytes: this.store.dbSizeBytes(), readAtMs: now}
    return this.dbSize.bytes
  }

  /** Whether the NOSPACE alarm is active. */
  get noSpace(): boolean {
    return this.store.alarms().some((alarm) => alarm.alarm === AlarmType.NOSPACE)
  }

  /**
   * For a request about to be proposed: throws NOSPACE while the alarm is active; true when the
   * request would take the backend past the quota (the caller raises the alarm through its log
   * and refuses the request); false when it may go.
   */
  exceededBy(request: InternalRequest): boolean {
    const cost = quotaCost(request)
    if (cost === 0) return false
    if (this.noSpace) throw Errors.noSpace()
    return this.quotaBytes > 0 && this.dbSizeBytes() + cost > this.quotaBytes
  }
}

/** What a request adds to the backend as etcd's quota counts it; 0 for one that only frees space. */
function quotaCost(request: InternalRequest): number {
  if (request.put !== undefined) return kvOverheadBytes + request.put.key.length + request.put.value.length
  if (request.leaseGrant !== undefined) return leaseOverheadBytes
  if (request.txn !== undefined) return txnCost(request.txn)
  return 0
}

function txnCost(txn: TxnRequest): number {
  let cost = 0
  for (const op of [...txn.success, ...txn.failure]) {
    if (op.requestPut !== undefined) cost += kvOverheadBytes + op.requestPut.key.length + op.requestPut.value.length
    else if (op.requestTxn !== undefined) cost += txnCost(op.requestTxn)
  }
  return cost
}
