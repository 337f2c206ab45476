// `put`'s arguments and flags to a PutRequest, with etcdctl's checks, messages and exit codes.
import {PutRequest} from '../../api/proto/rpc.js'
import {badArgs} from '../exit.js'
import {goParseInt} from '../go-format.js'

export interface PutOptions {
  /** lease ID in hex, as etcdctl prints them ("0" = none) */
  lease: string
  prevKv: boolean
  ignoreValue: boolean
  ignoreLease: boolean
}

export const defaultPutOptions: PutOptions = {lease: '0', prevKv: false, ignoreValue: false, ignoreLease: false}

const needsArgs = 'put command needs 1 argument and input from stdin or 2 arguments'

/**
 * args: key and optional value. `stdin` is consulted only when the value is missing (etcdctl
 * reads all of stdin as the value, unchanged); empty stdin counts as no value.
 */
export function buildPutRequest(args: Buffer[], o: PutOptions, stdin: () => Buffer): PutRequest {
  if (args.length === 0) throw badArgs(needsArgs)
  if (o.ignoreValue && args.length > 1) throw badArgs("put command needs only 1 argument when 'ignore-value' is set")
  let value: Buffer = Buffer.alloc(0)
  if (!o.ignoreValue) {
    value = args.length > 1 ? args[1]! : stdin()
    if (args.length < 2 && value.length === 0) throw badArgs(needsArgs)
  }
  let lease: bigint
  try {
    lease = goParseInt(o.lease, 16)
  } catch (err) {
    throw badArgs(`bad lease ID (${(err as Error).message}), expecting ID in Hex`)
  }
  return PutRequest.fromPartial({
    key: args[0]!,
    value,
    lease,
    prevKv: o.prevKv,
    ignoreValue: o.ignoreValue,
    ignoreLease: o.ignoreLease,
  })
}
