// `del`'s arguments and flags to a DeleteRangeRequest, with etcdctl's checks and messages.
import {DeleteRangeRequest} from '../../api/proto/rpc.js'
import {badArgs} from '../exit.js'
import {keyRange} from './range-end.js'

export interface DelOptions {
  prefix: boolean
  fromKey: boolean
  prevKv: boolean
}

export const defaultDelOptions: DelOptions = {prefix: false, fromKey: false, prevKv: false}

export function buildDeleteRequest(args: Buffer[], o: DelOptions): DeleteRangeRequest {
  if (args.length === 0) throw badArgs('del command needs one argument as key and an optional argument as range_end')
  if (o.prefix && o.fromKey) throw badArgs('`--prefix` and `--from-key` cannot be set at the same time, choose one')
  let rangeEnd: Buffer | undefined
  if (args.length > 1) {
    if (o.prefix || o.fromKey) {
      throw badArgs('too many arguments, only accept one argument when `--prefix` or `--from-key` is set')
    }
    rangeEnd = args[1]
  }
  const range = o.prefix || o.fromKey ? keyRange(args[0]!, o) : {key: args[0]!, rangeEnd}
  return DeleteRangeRequest.fromPartial({key: range.key, rangeEnd: range.rangeEnd ?? Buffer.alloc(0), prevKv: o.prevKv})
}
