import {EtcdError} from '../../../api/errors.js'
import {PutResponse, ResponseHeader, type LeaseGrantResponse} from '../../../api/proto/rpc.js'
import {EctlCommand} from '../../../cli/base.js'
import {badArgs, CliError, ExitCode} from '../../../cli/exit.js'
import {goParseInt} from '../../../cli/go-format.js'
import {unaryFailureWarning} from '../../../cli/grpc-warning.js'
import {putFields} from '../../../cli/printers/fields.js'
import {headerJson} from '../../../cli/printers/json.js'
import {tableUnsupported} from '../../../cli/printers/printer.js'
import {hasWatchAndLeases, leaseIdHex16} from '../../../client/etcd/concurrency/index.js'

export default class LeaseGrant extends EctlCommand {
  static override summary = 'Creates leases'
  static override description = `Creates a lease with a TTL in seconds and prints its id (hex), which put --lease takes.

The server may raise a small TTL to its minimum (2 s); the granted TTL is printed.
-w json prints the response as etcdctl does: the header fields, then "ID" (decimal), "TTL"
and "Error".`
  static override examples = [
    '<%= config.bin %> lease grant 30',
    '<%= config.bin %> put foo bar --lease 694d77aa9e38260f',
    '<%= config.bin %> lease grant 60 -w json',
  ]
  static override usage = 'lease grant <ttl>'
  static override etcdctl = {use: 'grant <ttl>', short: 'Creates leases'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(LeaseGrant)
    if (args.length !== 1) throw badArgs('lease grant command needs TTL argument')
    let ttl: bigint
    try {
      ttl = goParseInt(args[0]!, 10)
    } catch (err) {
      throw badArgs(`bad TTL (${(err as Error).message})`)
    }
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no lease service')
    let resp: LeaseGrantResponse
    try {
      resp = await client.leaseGrant({TTL: ttl})
    } catch (err) {
      if (!(err instanceof EtcdError)) throw err
      // etcdctl wraps the server's error; the Go client's warning line still names the original
      process.stderr.write(unaryFailureWarning(err, this.globals.endpoints?.[0] ?? '127.0.0.1:2379', new Date()))
      throw new CliError(ExitCode.error, `failed to grant lease (${err.message})`)
    }
    this.write(renderGrant(resp, this.format))
  }
}

function renderGrant(resp: LeaseGrantResponse, format: string): Buffer | string {
  switch (format) {
    case 'json': {
      // clientv3.LeaseGrantResponse embeds the header: its fields come first, at the top level
      const header = headerJson(resp.header)?.slice(1, -1) ?? ''
      const own = `"ID":${resp.ID},"TTL":${resp.TTL},"Error":${JSON.stringify(resp.error)}`
      return `{${header === '' ? own : `${header},${own}`}}\n`
    }
    case 'fields':
      // a put response with only a header prints exactly the header lines
      return putFields(PutResponse.fromPartial({header: resp.header})) + `"ID" : ${resp.ID}\n"TTL" : ${resp.TTL}\n`
    case 'protobuf':
      // etcdctl marshals the embedded header alone
      return Buffer.from(ResponseHeader.encode(resp.header ?? ResponseHeader.fromPartial({})).finish())
    case 'table':
      throw tableUnsupported()
    default:
      return `lease ${leaseIdHex16(resp.ID)} granted with TTL(${resp.TTL}s)\n`
  }
}
