// etcdctl's `-w fields`: one `"Name" : value` line per field, strings as Go's %q, numbers in
// decimal. etcdctl 3.4 ignores --hex here (ClusterID, MemberID and Lease stay decimal).
import type {KeyValue} from '../../api/proto/kv.js'
import type {
  DeleteRangeResponse,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  TxnResponse,
} from '../../api/proto/rpc.js'
import {goQuote} from '../go-format.js'

const u64 = (v: bigint): string => BigInt.asUintN(64, v).toString()

function header(h: ResponseHeader | undefined): string {
  // Go dereferences a nil header's fields as zeros through the getters
  const clusterId = h?.clusterId ?? 0n
  const memberId = h?.memberId ?? 0n
  return (
    `"ClusterID" : ${u64(clusterId)}\n` +
    `"MemberID" : ${u64(memberId)}\n` +
    `"Revision" : ${(h?.revision ?? 0n).toString()}\n` +
    `"RaftTerm" : ${u64(h?.raftTerm ?? 0n)}\n`
  )
}

/** The header lines every fields output starts with. */
export const headerFields = header

function kv(prefix: string, k: KeyValue): string {
  return (
    `"${prefix}Key" : ${goQuote(k.key)}\n` +
    `"${prefix}CreateRevision" : ${k.createRevision}\n` +
    `"${prefix}ModRevision" : ${k.modRevision}\n` +
    `"${prefix}Version" : ${k.version}\n` +
    `"${prefix}Value" : ${goQuote(k.value)}\n` +
    `"${prefix}Lease" : ${k.lease}\n`
  )
}

export function rangeFields(r: RangeResponse): string {
  return header(r.header) + r.kvs.map((k) => kv('', k)).join('') + `"More" : ${r.more}\n"Count" : ${r.count}\n`
}

export function putFields(r: PutResponse): string {
  return header(r.header) + (r.prevKv === undefined ? '' : kv('Prev', r.prevKv))
}

export function deleteFields(r: DeleteRangeResponse): string {
  return header(r.header) + `"Deleted" : ${r.deleted}\n` + r.prevKvs.map((k) => kv('Prev', k)).join('')
}

export function txnFields(r: TxnResponse): string {
  let out = header(r.header) + `"Succeeded" : ${r.succeeded}\n`
  for (const op of r.responses) {
    if (op.responseDeleteRange !== undefined) out += deleteFields(op.responseDeleteRange)
    else if (op.responsePut !== undefined) out += putFields(op.responsePut)
    else if (op.responseRange !== undefined) out += rangeFields(op.responseRange)
    else if (op.responseTxn !== undefined) out += txnFields(op.responseTxn)
  }
  return out
}
