// `get`'s arguments and flags to a RangeRequest, with etcdctl's checks, messages and exit codes.
// Shared by the `get` command and by `get` lines inside `txn`.
import {
  RangeRequest,
  RangeRequest_SortOrder as SortOrder,
  RangeRequest_SortTarget as SortTarget,
} from '../../api/proto/rpc.js'
import {badArgs, badFeature} from '../exit.js'
import {goQuote} from '../go-format.js'
import {keyRange} from './range-end.js'

export interface GetOptions {
  consistency: string
  order: string
  sortBy: string
  limit: bigint
  rev: bigint
  prefix: boolean
  fromKey: boolean
  keysOnly: boolean
  countOnly: boolean
}

export const defaultGetOptions: GetOptions = {
  consistency: 'l',
  order: '',
  sortBy: '',
  limit: 0n,
  rev: 0n,
  prefix: false,
  fromKey: false,
  keysOnly: false,
  countOnly: false,
}

const sortTargets: Record<string, SortTarget> = {
  CREATE: SortTarget.CREATE,
  KEY: SortTarget.KEY,
  MODIFY: SortTarget.MOD,
  VALUE: SortTarget.VALUE,
  VERSION: SortTarget.VERSION,
}

/** args: key bytes and an optional range end, as given on the command line. */
export function buildRangeRequest(args: Buffer[], o: GetOptions): RangeRequest {
  if (args.length === 0) throw badArgs('get command needs one argument as key and an optional argument as range_end')
  if (o.prefix && o.fromKey) throw badArgs('`--prefix` and `--from-key` cannot be set at the same time, choose one')
  if (o.keysOnly && o.countOnly) throw badArgs('`--keys-only` and `--count-only` cannot be set at the same time, choose one')
  if (o.consistency !== 'l' && o.consistency !== 's') throw badFeature(`unknown consistency flag ${goQuote(o.consistency)}`)

  let rangeEnd: Buffer | undefined
  if (args.length > 1) {
    if (o.prefix || o.fromKey) {
      throw badArgs('too many arguments, only accept one argument when `--prefix` or `--from-key` is set')
    }
    rangeEnd = args[1]
  }

  let order: SortOrder
  switch (o.order.toUpperCase()) {
    case 'ASCEND':
      order = SortOrder.ASCEND
      break
    case 'DESCEND':
      order = SortOrder.DESCEND
      break
    case '':
      order = SortOrder.NONE
      break
    default:
      throw badFeature(`bad sort order ${o.order}`)
  }
  const upperTarget = o.sortBy.toUpperCase()
  const target = upperTarget === '' ? SortTarget.KEY : sortTargets[upperTarget]
  if (target === undefined) throw badFeature(`bad sort target ${o.sortBy}`)
  // The server already returns keys in ascending key order; etcd's client drops that sort so
  // the server need not fetch the whole range before applying the limit.
  if (target === SortTarget.KEY && order === SortOrder.ASCEND) order = SortOrder.NONE

  const range = o.prefix || o.fromKey ? keyRange(args[0]!, o) : {key: args[0]!, rangeEnd}
  return RangeRequest.fromPartial({
    key: range.key,
    rangeEnd: range.rangeEnd ?? Buffer.alloc(0),
    limit: o.limit,
    revision: o.rev > 0n ? o.rev : 0n,
    sortOrder: order,
    sortTarget: target,
    serializable: o.consistency === 's',
    keysOnly: o.keysOnly,
    countOnly: o.countOnly,
  })
}
