// etcdctl's `-w json`: Go's encoding/json applied to the gogo-protobuf structs. Field names are
// the structs' json tags (snake_case), every field is `omitempty` (zero numbers, false, empty
// bytes and empty lists vanish), bytes are base64, int64/uint64 are bare JSON numbers (printed
// from bigint so no digit is lost), a present header prints even when all zero (`{}`), and a
// txn's oneof response nests as {"Response":{"ResponseRange":{...}}} because the oneof wrapper
// carries no json tag.
import type {KeyValue} from '../../api/proto/kv.js'
import type {
  DeleteRangeResponse,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  TxnResponse,
} from '../../api/proto/rpc.js'

type Field = [name: string, json: string | undefined]

function object(fields: Field[]): string {
  const present = fields.filter((f): f is [string, string] => f[1] !== undefined)
  return '{' + present.map(([name, json]) => `"${name}":${json}`).join(',') + '}'
}

const int = (v: bigint | undefined): string | undefined => (v === undefined || v === 0n ? undefined : v.toString())
// uint64 fields: a bigint that went through a signed path still prints as Go's uint64
const uint = (v: bigint | undefined): string | undefined => int(v === undefined ? undefined : BigInt.asUintN(64, v))
const bytes = (b: Uint8Array | undefined): string | undefined =>
  b === undefined || b.length === 0 ? undefined : `"${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')}"`
const bool = (v: boolean | undefined): string | undefined => (v ? 'true' : undefined)
function list<T>(items: T[] | undefined, each: (item: T) => string): string | undefined {
  return items === undefined || items.length === 0 ? undefined : '[' + items.map(each).join(',') + ']'
}

export function headerJson(h: ResponseHeader | undefined): string | undefined {
  if (h === undefined) return undefined
  return object([
    ['cluster_id', uint(h.clusterId)],
    ['member_id', uint(h.memberId)],
    ['revision', int(h.revision)],
    ['raft_term', uint(h.raftTerm)],
  ])
}

export function kvJson(kv: KeyValue): string {
  return object([
    ['key', bytes(kv.key)],
    ['create_revision', int(kv.createRevision)],
    ['mod_revision', int(kv.modRevision)],
    ['version', int(kv.version)],
    ['value', bytes(kv.value)],
    ['lease', int(kv.lease)],
  ])
}

export function rangeJson(r: RangeResponse): string {
  return object([
    ['header', headerJson(r.header)],
    ['kvs', list(r.kvs, kvJson)],
    ['more', bool(r.more)],
    ['count', int(r.count)],
  ])
}

export function putJson(r: PutResponse): string {
  return object([
    ['header', headerJson(r.header)],
    ['prev_kv', r.prevKv === undefined ? undefined : kvJson(r.prevKv)],
  ])
}

export function deleteJson(r: DeleteRangeResponse): string {
  return object([
    ['header', headerJson(r.header)],
    ['deleted', int(r.deleted)],
    ['prev_kvs', list(r.prevKvs, kvJson)],
  ])
}

function responseOpJson(op: ResponseOp): string {
  let inner: Field
  if (op.responseRange !== undefined) inner = ['ResponseRange', rangeJson(op.responseRange)]
  else if (op.responsePut !== undefined) inner = ['ResponsePut', putJson(op.responsePut)]
  else if (op.responseDeleteRange !== undefined) inner = ['ResponseDeleteRange', deleteJson(op.responseDeleteRange)]
  else if (op.responseTxn !== undefined) inner = ['ResponseTxn', txnJson(op.responseTxn)]
  else return '{"Response":null}'
  return object([['Response', object([inner])]])
}

export function txnJson(r: TxnResponse): string {
  return object([
    ['header', headerJson(r.header)],
    ['succeeded', bool(r.succeeded)],
    ['responses', list(r.responses, responseOpJson)],
  ])
}
