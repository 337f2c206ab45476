import {Flags} from '@oclif/core'
import {PutResponse, ResponseHeader, type LeaseTimeToLiveResponse} from '../../../api/proto/rpc.js'
import {EctlCommand} from '../../../cli/base.js'
import {badArgs, CliError, ExitCode} from '../../../cli/exit.js'
import {goQuote} from '../../../cli/go-format.js'
import {putFields} from '../../../cli/printers/fields.js'
import {headerJson} from '../../../cli/printers/json.js'
import {tableUnsupported} from '../../../cli/printers/printer.js'
import {hasWatchAndLeases, leaseIdHex16} from '../../../client/etcd/concurrency/index.js'
import {leaseIdArg} from './revoke.js'

export default class LeaseTimeToLive extends EctlCommand {
  static override summary = 'Get lease information'
  static override description = `Prints a lease's granted TTL and the seconds it has left; with --keys, the keys attached to it.

A lease that does not exist (expired or revoked) prints "lease <id> already expired".`
  static override examples = [
    '<%= config.bin %> lease timetolive 694d77aa9e38260f',
    '<%= config.bin %> lease timetolive 694d77aa9e38260f --keys',
    '<%= config.bin %> lease timetolive 694d77aa9e38260f --keys -w json',
  ]
  static override usage = 'lease timetolive <leaseID> [options]'
  static override etcdctl = {use: 'timetolive <leaseID> [options]', short: 'Get lease information'}
  static override flags = {
    keys: Flags.boolean({description: 'Get keys attached to this lease'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(LeaseTimeToLive)
    if (args.length !== 1) throw badArgs('lease timetolive command needs lease ID as argument')
    const id = leaseIdArg(args[0]!)
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no lease service')
    const resp = await client.leaseTimeToLive({ID: id, keys: flags.keys})
    this.write(renderTimeToLive(resp, flags.keys, this.format))
  }
}

function renderTimeToLive(resp: LeaseTimeToLiveResponse, keys: boolean, format: string): Buffer | string {
  switch (format) {
    case 'json': {
      // clientv3.LeaseTimeToLiveResponse: embedded header, then its own json tags (no omitempty)
      const header = headerJson(resp.header)?.slice(1, -1) ?? ''
      const keyList = resp.keys.length === 0 ? 'null' : `[${resp.keys.map((k) => `"${k.toString('base64')}"`).join(',')}]`
      const own = `"id":${resp.ID},"ttl":${resp.TTL},"granted-ttl":${resp.grantedTTL},"keys":${keyList}`
      return `{${header === '' ? own : `${header},${own}`}}\n`
    }
    case 'fields':
      return (
        putFields(PutResponse.fromPartial({header: resp.header})) +
        `"ID" : ${resp.ID}\n"TTL" : ${resp.TTL}\n"GrantedTTL" : ${resp.grantedTTL}\n` +
        resp.keys.map((k) => `"Key" : ${goQuote(k)}\n`).join('')
      )
    case 'protobuf':
      return Buffer.from(ResponseHeader.encode(resp.header ?? ResponseHeader.fromPartial({})).finish())
    case 'table':
      throw tableUnsupported()
    default: {
      if (resp.grantedTTL === 0n && resp.TTL === -1n) return `lease ${leaseIdHex16(resp.ID)} already expired\n`
      let text = `lease ${leaseIdHex16(resp.ID)} granted with TTL(${resp.grantedTTL}s), remaining(${resp.TTL}s)`
      // Go's %v of a []string: the keys as they are, space separated, in brackets
      if (keys) text += `, attached keys([${resp.keys.map((k) => k.toString('latin1')).join(' ')}])`
      return Buffer.from(text + '\n', 'latin1')
    }
  }
}
