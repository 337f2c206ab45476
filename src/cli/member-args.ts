// Arguments of the member commands, checked with etcdctl's words and exit codes.
import {badArgs} from './exit.js'

/** A member id in hex, as strconv.ParseUint(s, 16, 64) reads it. */
export function parseMemberId(args: string[]): bigint {
  if (args.length !== 1) throw badArgs('member ID is not provided')
  const text = args[0]!
  let problem: string | undefined
  if (!/^[0-9a-fA-F]+$/.test(text)) problem = 'invalid syntax'
  else if (BigInt('0x' + text) > 0xffffffffffffffffn) problem = 'value out of range'
  if (problem !== undefined) throw badArgs(`bad member ID arg (strconv.ParseUint: parsing ${JSON.stringify(text)}: ${problem}), expecting ID in Hex`)
  return BigInt('0x' + text)
}

/** --peer-urls: required, comma separated. */
export function parsePeerUrls(flag: string | undefined): string[] {
  if (flag === undefined || flag === '') throw badArgs('member peer urls not provided')
  return flag.split(',')
}
