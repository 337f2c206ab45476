// Request checks etcd's gRPC layer makes before a request enters the log (v3rpc/key.go:
// checkPutRequest, checkDeleteRequest, checkRangeRequest, checkTxnRequest, checkIntervals).
// A request that passes is applied by the store without further validation; what depends on
// the store's state (a missing key for ignore_value, a compacted revision) is the store's.
import {EtcdError, Errors, GrpcCode, Limits} from '../../api/errors.js'
import type {InternalRequest} from '../../api/proto/internal.js'
import {
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  type DeleteRangeRequest,
  type PutRequest,
  type RangeRequest,
  type RequestOp,
  type TxnRequest,
} from '../../api/proto/rpc.js'

/** etcd 3.5's rpctypes.ErrGRPCInvalidSortOption (not in api/errors.ts yet). */
export const invalidSortOptionMessage = 'etcdserver: invalid sort option'

export interface ValidationLimits {
  maxTxnOps: number
}

const defaultLimits: ValidationLimits = {maxTxnOps: Limits.maxTxnOps}

/** Throws the EtcdError etcd would answer with, or returns if the request may enter the log. */
export function validateRequest(req: InternalRequest, limits: ValidationLimits = defaultLimits): void {
  if (req.put !== undefined) checkPut(req.put)
  else if (req.deleteRange !== undefined) checkDelete(req.deleteRange)
  else if (req.txn !== undefined) {
    checkTxn(req.txn, limits.maxTxnOps)
    // Overlaps are checked after the op counts, as etcd does, to avoid quadratic work on huge txns.
    checkIntervals(req.txn.success)
    checkIntervals(req.txn.failure)
  }
}

/** The defined values of a numeric enum (its reverse-mapped names and UNRECOGNIZED = -1 left out). */
function definedValues(e: object): ReadonlySet<unknown> {
  return new Set(Object.values(e).filter((v) => typeof v === 'number' && v >= 0))
}

// Computed once: checkRange is on every read's path.
const sortOrders = definedValues(RangeRequest_SortOrder)
const sortTargets = definedValues(RangeRequest_SortTarget)

export function checkRange(r: RangeRequest): void {
  if (r.key.length === 0) throw Errors.emptyKey()
  if (!sortOrders.has(r.sortOrder) || !sortTargets.has(r.sortTarget)) {
    throw new EtcdError(GrpcCode.INVALID_ARGUMENT, invalidSortOptionMessage)
  }
}

function checkPut(r: PutRequest): void {
  if (r.key.length === 0) throw Errors.emptyKey()
  if (r.ignoreValue && r.value.length !== 0) throw Errors.valueProvided()
  if (r.ignoreLease && r.lease !== 0n) throw Errors.leaseProvided()
}

function checkDelete(r: DeleteRangeRequest): void {
  if (r.key.length === 0) throw Errors.emptyKey()
}

function checkTxn(r: TxnRequest, maxTxnOps: number): void {
  // etcd counts the largest of compares, success ops and failure ops, not their sum; a nested
  // txn gets what this level leaves of the budget.
  const opCount = Math.max(r.compare.length, r.success.length, r.failure.length)
  if (opCount > maxTxnOps) throw Errors.tooManyOps()
  for (const c of r.compare) if (c.key.length === 0) throw Errors.emptyKey()
  for (const op of r.success) checkOp(op, maxTxnOps - opCount)
  for (const op of r.failure) checkOp(op, maxTxnOps - opCount)
}

function checkOp(op: RequestOp, maxTxnOps: number): void {
  if (op.requestRange !== undefined) checkRange(op.requestRange)
  else if (op.requestPut !== undefined) checkPut(op.requestPut)
  else if (op.requestDeleteRange !== undefined) checkDelete(op.requestDeleteRange)
  else if (op.requestTxn !== undefined) checkTxn(op.requestTxn, maxTxnOps)
  // An empty op: etcd answers "key not found".
  else throw Errors.keyNotFound()
}

/**
 * A delete as etcd's interval tree sees it: [begin, end) over byte strings where an empty end
 * is +infinity. A point delete is [key, key + "\0"). As in etcd, a range end of "\0" is taken
 * literally here (not as "to the end"), so a from-key delete never overlaps a put.
 */
interface Interval {
  begin: string
  end: string
}

function affineLess(a: string, b: string): boolean {
  if (a.length === 0) return false
  if (b.length === 0) return true
  return a < b
}

function intersectsPoint(dels: Interval[], key: string): boolean {
  const point: Interval = {begin: key, end: key + '\0'}
  return dels.some((d) => affineLess(d.begin, point.end) && affineLess(point.begin, d.end))
}

/** etcd's checkIntervals: a put may not share its key with another put or any delete of the txn. */
function checkIntervals(ops: RequestOp[]): {puts: Set<string>; dels: Interval[]} {
  const dels: Interval[] = []
  for (const op of ops) {
    const d = op.requestDeleteRange
    if (d === undefined) continue
    const begin = d.key.toString('latin1')
    dels.push(d.rangeEnd.length !== 0 ? {begin, end: d.rangeEnd.toString('latin1')} : {begin, end: begin + '\0'})
  }
  const puts = new Set<string>()
  for (const op of ops) {
    const t = op.requestTxn
    if (t === undefined) continue
    const then = checkIntervals(t.success)
    const otherwise = checkIntervals(t.failure)
    for (const k of then.puts) {
      if (puts.has(k) || intersectsPoint(dels, k)) throw Errors.duplicateKey()
      puts.add(k)
    }
    for (const k of otherwise.puts) {
      // A key put by both branches of one nested txn is fine: only one branch runs.
      if (puts.has(k) && !then.puts.has(k)) throw Errors.duplicateKey()
      if (intersectsPoint(dels, k)) throw Errors.duplicateKey()
      puts.add(k)
    }
    dels.push(...then.dels, ...otherwise.dels)
  }
  for (const op of ops) {
    const p = op.requestPut
    if (p === undefined) continue
    const k = p.key.toString('latin1')
    if (puts.has(k) || intersectsPoint(dels, k)) throw Errors.duplicateKey()
    puts.add(k)
  }
  return {puts, dels}
}
