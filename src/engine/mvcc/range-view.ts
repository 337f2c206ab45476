// A range request served the way etcd's v3 applier serves it (applierV3backend.Range) on top
// of a raw range of the store (mvcc's rangeKeys):
// - a limit is pushed down to the store (plus one, to learn `more`) only when nothing will
//   reorder or filter the result; otherwise every key is fetched, then sorted and cut;
// - `count` is the number of keys in the range at that revision, before the min/max
//   revision filters and before the limit (as etcd);
// - sort target other than KEY with order NONE sorts ASCEND; KEY with NONE is key order.
import type {KeyValue} from '../../api/proto/kv.js'
import {RangeRequest_SortOrder, RangeRequest_SortTarget, type RangeRequest, type RangeResponse} from '../../api/proto/rpc.js'
import type {StoredKv} from './kv-codec.js'
import {toKeyValue} from './kv-codec.js'

export interface RawRangeOptions {
  /** 0 = no limit. */
  limit: number
  /** <= 0 = the view's current revision. */
  rev: number
  countOnly: boolean
}

export interface RawRange {
  kvs: StoredKv[]
  /** Keys in the range at the revision read, whatever the limit. */
  count: number
  /** The view's current revision (not the revision read), as etcd's header. */
  rev: number
}

/** Reads [key, end) with etcd's end conventions: undefined = key alone, '' = key and after. */
export type RawRangeReader = (key: string, end: string | undefined, opts: RawRangeOptions) => RawRange

/** etcd's mkGteRange: a range end of "\0" means every key >= key. */
export function rangeEndOf(rangeEnd: Buffer): string | undefined {
  if (rangeEnd.length === 0) return undefined
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return ''
  return rangeEnd.toString('latin1')
}

const compareNumbers = (a: number, b: number): number => a - b

function sorterFor(target: RangeRequest_SortTarget): (a: StoredKv, b: StoredKv) => number {
  switch (target) {
    case RangeRequest_SortTarget.VERSION:
      return (a, b) => compareNumbers(a.version, b.version)
    case RangeRequest_SortTarget.CREATE:
      return (a, b) => compareNumbers(a.createRevision, b.createRevision)
    case RangeRequest_SortTarget.MOD:
      return (a, b) => compareNumbers(a.modRevision, b.modRevision)
    case RangeRequest_SortTarget.VALUE:
      return (a, b) => Buffer.compare(a.value, b.value)
    default:
      return (a, b) => Buffer.compare(a.key, b.key)
  }
}

export function serveRange(req: RangeRequest, read: RawRangeReader): RangeResponse {
  if (req.rangeEnd.length === 0 && !hasRevisionFilters(req)) return serveKey(req, read)
  const reorders =
    req.sortOrder !== RangeRequest_SortOrder.NONE ||
    req.minModRevision !== 0n ||
    req.maxModRevision !== 0n ||
    req.minCreateRevision !== 0n ||
    req.maxCreateRevision !== 0n
  let limit = reorders ? 0 : Number(req.limit)
  if (limit > 0) limit++
  const rr = read(req.key.toString('latin1'), rangeEndOf(req.rangeEnd), {
    limit: Math.max(0, limit),
    rev: Number(req.revision),
    countOnly: req.countOnly,
  })
  let kvs = rr.kvs
  const maxMod = Number(req.maxModRevision)
  const minMod = Number(req.minModRevision)
  const maxCreate = Number(req.maxCreateRevision)
  const minCreate = Number(req.minCreateRevision)
  if (maxMod !== 0) kvs = kvs.filter((kv) => !(kv.modRevision > maxMod))
  if (minMod !== 0) kvs = kvs.filter((kv) => !(kv.modRevision < minMod))
  if (maxCreate !== 0) kvs = kvs.filter((kv) => !(kv.createRevision > maxCreate))
  if (minCreate !== 0) kvs = kvs.filter((kv) => !(kv.createRevision < minCreate))

  let order = req.sortOrder
  if (req.sortTarget !== RangeRequest_SortTarget.KEY && order === RangeRequest_SortOrder.NONE) {
    order = RangeRequest_SortOrder.ASCEND
  }
  if (order === RangeRequest_SortOrder.ASCEND || order === RangeRequest_SortOrder.DESCEND) {
    const compare = sorterFor(req.sortTarget)
    // Stable, so equal elements stay in key order (as etcd's sort does for small results).
    kvs = kvs === rr.kvs ? [...kvs] : kvs
    if (order === RangeRequest_SortOrder.ASCEND) kvs.sort(compare)
    else kvs.sort((a, b) => compare(b, a))
  }
  let more = false
  const reqLimit = Number(req.limit)
  if (reqLimit > 0 && kvs.length > reqLimit) {
    kvs = kvs.slice(0, reqLimit)
    more = true
  }
  const out: KeyValue[] = new Array<KeyValue>(kvs.length)
  for (let i = 0; i < kvs.length; i++) out[i] = toKeyValue(kvs[i]!, req.keysOnly)
  return {
    header: {clusterId: 0n, memberId: 0n, revision: BigInt(rr.rev), raftTerm: 0n},
    kvs: out,
    more,
    count: BigInt(rr.count),
  }
}

function hasRevisionFilters(req: RangeRequest): boolean {
  return req.minModRevision !== 0n || req.maxModRevision !== 0n || req.minCreateRevision !== 0n || req.maxCreateRevision !== 0n
}

/**
 * The hot path, a single key with no revision filter: at most one kv, so sorting and the
 * limit change nothing (`more` is never set).
 */
function serveKey(req: RangeRequest, read: RawRangeReader): RangeResponse {
  const rr = read(req.key.toString('latin1'), undefined, {limit: 0, rev: Number(req.revision), countOnly: req.countOnly})
  const kv = rr.kvs[0]
  return {
    header: {clusterId: 0n, memberId: 0n, revision: BigInt(rr.rev), raftTerm: 0n},
    kvs: kv === undefined ? [] : [toKeyValue(kv, req.keysOnly)],
    more: false,
    count: BigInt(rr.count),
  }
}
