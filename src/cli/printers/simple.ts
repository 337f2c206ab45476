// etcdctl's default `-w simple` output: a key line then a value line per key-value, `OK` for a
// put, the deleted count for a delete, SUCCESS/FAILURE then each response after a blank line
// for a txn. Bytes print raw, or as `\xNN` escapes with --hex.
import type {KeyValue} from '../../api/proto/kv.js'
import type {DeleteRangeResponse, PutResponse, RangeResponse, TxnResponse} from '../../api/proto/rpc.js'
import {hexEscape} from '../go-format.js'

export interface SimpleOptions {
  hex: boolean
  /** --print-value-only: the value lines alone */
  valueOnly: boolean
}

/** Output is bytes: keys and values are arbitrary binary and print unchanged. */
function kvLines(k: KeyValue, o: SimpleOptions): Buffer[] {
  const nl = Buffer.from('\n')
  const key = o.hex ? Buffer.from(hexEscape(k.key)) : Buffer.from(k.key)
  const value = o.hex ? Buffer.from(hexEscape(k.value)) : Buffer.from(k.value)
  return o.valueOnly ? [value, nl] : [key, nl, value, nl]
}

export function rangeSimple(r: RangeResponse, o: SimpleOptions): Buffer {
  return Buffer.concat(r.kvs.flatMap((k) => kvLines(k, o)))
}

export function putSimple(r: PutResponse, o: SimpleOptions): Buffer {
  return Buffer.concat([Buffer.from('OK\n'), ...(r.prevKv === undefined ? [] : kvLines(r.prevKv, o))])
}

export function deleteSimple(r: DeleteRangeResponse, o: SimpleOptions): Buffer {
  return Buffer.concat([Buffer.from(`${r.deleted}\n`), ...r.prevKvs.flatMap((k) => kvLines(k, o))])
}

export function txnSimple(r: TxnResponse, o: SimpleOptions): Buffer {
  const parts: Buffer[] = [Buffer.from(r.succeeded ? 'SUCCESS\n' : 'FAILURE\n')]
  for (const op of r.responses) {
    parts.push(Buffer.from('\n'))
    if (op.responseDeleteRange !== undefined) parts.push(deleteSimple(op.responseDeleteRange, o))
    else if (op.responsePut !== undefined) parts.push(putSimple(op.responsePut, o))
    else if (op.responseRange !== undefined) parts.push(rangeSimple(op.responseRange, o))
    else if (op.responseTxn !== undefined) parts.push(txnSimple(op.responseTxn, o))
  }
  return Buffer.concat(parts)
}
