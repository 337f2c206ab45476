// Picks the printer for `-w/--write-out` and renders a response to the bytes etcdctl writes.
// Rendering is pure (response in, bytes out) so each format is tested on hand-built responses.
import {
  DeleteRangeResponse,
  PutResponse,
  RangeResponse,
  TxnResponse,
} from '../../api/proto/rpc.js'
import {badFeature, CliError} from '../exit.js'
import {deleteFields, putFields, rangeFields, txnFields} from './fields.js'
import {deleteJson, putJson, rangeJson, txnJson} from './json.js'
import {deleteSimple, putSimple, rangeSimple, txnSimple, type SimpleOptions} from './simple.js'

export const OUTPUT_FORMATS = ['simple', 'json', 'fields', 'table', 'protobuf'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** etcdctl refuses an unknown -w value before it sends anything. */
export function checkOutputFormat(format: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(format)) return format as OutputFormat
  throw badFeature('unsupported output format')
}

/**
 * etcdctl has no table form for key-value responses, and says so only after the request ran
 * (a `put -w table` has written its key when the error prints).
 */
export const tableUnsupported = (): CliError => badFeature('table not supported as output format')

export interface PrintOptions {
  hex: boolean
  valueOnly?: boolean
}

type Kind = 'range' | 'put' | 'delete' | 'txn'
interface ByKind {
  range: RangeResponse
  put: PutResponse
  delete: DeleteRangeResponse
  txn: TxnResponse
}

const simple = {range: rangeSimple, put: putSimple, delete: deleteSimple, txn: txnSimple}
const json = {range: rangeJson, put: putJson, delete: deleteJson, txn: txnJson}
const fields = {range: rangeFields, put: putFields, delete: deleteFields, txn: txnFields}
const proto = {range: RangeResponse, put: PutResponse, delete: DeleteRangeResponse, txn: TxnResponse}

/** The exact bytes etcdctl writes to stdout for this response in this format. */
export function render<K extends Kind>(kind: K, format: OutputFormat, resp: ByKind[K], options: PrintOptions): Buffer {
  switch (format) {
    case 'simple': {
      const o: SimpleOptions = {hex: options.hex, valueOnly: options.valueOnly ?? false}
      return (simple[kind] as (r: ByKind[K], o: SimpleOptions) => Buffer)(resp, o)
    }
    case 'json':
      return Buffer.from((json[kind] as (r: ByKind[K]) => string)(resp) + '\n')
    case 'fields':
      return Buffer.from((fields[kind] as (r: ByKind[K]) => string)(resp))
    case 'protobuf': {
      // etcdctl writes the marshalled message alone, without a newline
      const codec = proto[kind] as {encode(m: ByKind[K]): {finish(): Uint8Array}}
      return Buffer.from(codec.encode(resp).finish())
    }
    case 'table':
      throw tableUnsupported()
  }
}
