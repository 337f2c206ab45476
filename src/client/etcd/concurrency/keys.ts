// Key arithmetic the recipes share with etcd's clientv3 (so keys and ranges are the same bytes).
import {RangeRequest, RangeRequest_SortOrder, RangeRequest_SortTarget} from '../../../api/proto/rpc.js'

/** The end of the range [prefix, end) of every key starting with `prefix` (clientv3.GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1
      return end.subarray(0, i + 1)
    }
  }
  // every byte is 0xff: no upper bound, so "every key from prefix on"
  return Buffer.from([0])
}

/** A lease id as Go's %x prints an int64: lower-case hex, no padding, '-' if negative. */
export function leaseIdHex(id: bigint): string {
  return id < 0n ? `-${(-id).toString(16)}` : id.toString(16)
}

/**
 * The oldest (clientv3.WithFirstCreate) or newest (WithLastCreate) key under `prefix`, optionally
 * among those created at or before `maxCreateRevision` (WithMaxCreateRev).
 */
export function byCreateRequest(prefix: Buffer, which: 'first' | 'last', maxCreateRevision = 0n): RangeRequest {
  return RangeRequest.fromPartial({
    key: prefix,
    rangeEnd: prefixRangeEnd(prefix),
    limit: 1n,
    sortTarget: RangeRequest_SortTarget.CREATE,
    sortOrder: which === 'first' ? RangeRequest_SortOrder.ASCEND : RangeRequest_SortOrder.DESCEND,
    maxCreateRevision,
  })
}

/** A lease id as etcdctl's lease commands print it (Go's %016x). */
export function leaseIdHex16(id: bigint): string {
  const digits = (id < 0n ? -id : id).toString(16)
  return id < 0n ? `-${digits.padStart(15, '0')}` : digits.padStart(16, '0')
}
