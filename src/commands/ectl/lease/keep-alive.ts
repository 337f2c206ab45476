import {Flags} from '@oclif/core'
import {ErrorMessage, EtcdError} from '../../../api/errors.js'
import {PutResponse, ResponseHeader, type LeaseKeepAliveResponse} from '../../../api/proto/rpc.js'
import {EctlCommand} from '../../../cli/base.js'
import {badArgs, CliError, ExitCode} from '../../../cli/exit.js'
import {putFields} from '../../../cli/printers/fields.js'
import {headerJson} from '../../../cli/printers/json.js'
import {tableUnsupported} from '../../../cli/printers/printer.js'
import {hasWatchAndLeases, leaseIdHex16} from '../../../client/etcd/concurrency/index.js'
import {leaseIdArg} from './revoke.js'

export default class LeaseKeepAlive extends EctlCommand {
  static override summary = 'Keeps leases alive (renew)'
  static override description = `Renews a lease now and then every third of its TTL, printing each renewal, until the
lease expires or is revoked (then prints "lease <id> expired or revoked." and exits 0) or the
command is interrupted. With --once, renews it once and exits; a lease that does not exist is
then an error (exit 2).`
  static override examples = [
    '<%= config.bin %> lease keep-alive 694d77aa9e38260f',
    '<%= config.bin %> lease keep-alive --once 694d77aa9e38260f',
    '<%= config.bin %> lease keep-alive 694d77aa9e38260f -w json',
  ]
  static override usage = 'lease keep-alive [options] <leaseID>'
  static override etcdctl = {use: 'keep-alive [options] <leaseID>', short: 'Keeps leases alive (renew)'}
  static override flags = {
    once: Flags.boolean({description: 'Resets the keep-alive time to its original value and exits immediately'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(LeaseKeepAlive)
    if (args.length !== 1) throw badArgs('lease keep-alive command needs lease ID as argument')
    const id = leaseIdArg(args[0]!)
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no lease service')
    const stream = client.leaseKeepAlive()
    let renewTimer: ReturnType<typeof setTimeout> | undefined
    try {
      stream.send({ID: id})
      for await (const resp of stream) {
        if (resp.TTL <= 0n) {
          // clientv3's KeepAliveOnce reports a lease that is gone as not found
          if (flags.once) throw new CliError(ExitCode.badConnection, ErrorMessage.leaseNotFound)
          break
        }
        this.write(renderKeepAlive(resp, this.format))
        if (flags.once) return
        renewTimer = setTimeout(() => stream.send({ID: id}), Math.max(500, (Number(resp.TTL) * 1000) / 3))
      }
    } catch (err) {
      if (err instanceof EtcdError) throw new CliError(ExitCode.badConnection, err.message)
      throw err
    } finally {
      clearTimeout(renewTimer)
      stream.close()
    }
    if (this.format === 'simple') this.write(`lease ${leaseIdHex16(id)} expired or revoked.\n`)
  }
}

function renderKeepAlive(resp: LeaseKeepAliveResponse, format: string): Buffer | string {
  switch (format) {
    case 'json': {
      const header = headerJson(resp.header)?.slice(1, -1) ?? ''
      const own = `"ID":${resp.ID},"TTL":${resp.TTL}`
      return `{${header === '' ? own : `${header},${own}`}}\n`
    }
    case 'fields':
      return putFields(PutResponse.fromPartial({header: resp.header})) + `"ID" : ${resp.ID}\n"TTL" : ${resp.TTL}\n`
    case 'protobuf':
      return Buffer.from(ResponseHeader.encode(resp.header ?? ResponseHeader.fromPartial({})).finish())
    case 'table':
      throw tableUnsupported()
    default:
      return `lease ${leaseIdHex16(resp.ID)} keepalived with TTL(${resp.TTL})\n`
  }
}
