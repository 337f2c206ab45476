// The key range of a role permission from etcdctl's arguments and flags (its permRange):
//   KEY            the single key          KEY END      [KEY, END)
//   --prefix KEY   [KEY, prefix end)       --from-key KEY   every key >= KEY (END "\x00")
// An empty KEY is "\x00" (the smallest key); with --prefix or --from-key it covers every key.
import {badArgs} from './exit.js'
import {prefixRangeEnd} from './printers/auth.js'

export interface PermRangeFlags {
  prefix: boolean
  fromKey: boolean
}

const ZERO = Buffer.from([0])

/** `args` = KEY [END] (as typed: UTF-8); returns [key, rangeEnd] as bytes. */
export function permRange(args: string[], flags: PermRangeFlags): [Buffer, Buffer] {
  const key = Buffer.from(args[0]!, 'utf8')
  if (key.length === 0) {
    if (flags.prefix && flags.fromKey) throw badArgs('--from-key and --prefix flags are mutually exclusive')
    return [ZERO, flags.prefix || flags.fromKey ? ZERO : Buffer.alloc(0)]
  }
  if (args.length === 1) {
    if (flags.prefix) {
      if (flags.fromKey) throw badArgs('--from-key and --prefix flags are mutually exclusive')
      return [key, prefixRangeEnd(key)]
    }
    return [key, flags.fromKey ? ZERO : Buffer.alloc(0)]
  }
  if (flags.prefix) throw badArgs('unexpected endkey argument with --prefix flag')
  if (flags.fromKey) throw badArgs('unexpected endkey argument with --from-key flag')
  return [key, Buffer.from(args[1]!, 'utf8')]
}
