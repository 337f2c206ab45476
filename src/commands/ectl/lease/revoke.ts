import {EtcdError} from '../../../api/errors.js'
import {PutResponse, type LeaseRevokeResponse, type ResponseHeader} from '../../../api/proto/rpc.js'
import {EctlCommand} from '../../../cli/base.js'
import {badArgs, badFeature, CliError, ExitCode} from '../../../cli/exit.js'
import {goParseInt} from '../../../cli/go-format.js'
import {unaryFailureWarning} from '../../../cli/grpc-warning.js'
import {putFields} from '../../../cli/printers/fields.js'
import {headerJson} from '../../../cli/printers/json.js'
import {tableUnsupported} from '../../../cli/printers/printer.js'
import {hasWatchAndLeases, leaseIdHex16} from '../../../client/etcd/concurrency/index.js'

export default class LeaseRevoke extends EctlCommand {
  static override summary = 'Revokes leases'
  static override description = `Revokes a lease (id in hex): every key attached to it is deleted, in one revision.`
  static override examples = ['<%= config.bin %> lease revoke 694d77aa9e38260f', '<%= config.bin %> lease revoke 694d77aa9e38260f -w json']
  static override usage = 'lease revoke <leaseID>'
  static override etcdctl = {use: 'revoke <leaseID>', short: 'Revokes leases'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(LeaseRevoke)
    if (args.length !== 1) throw badArgs('lease revoke command needs 1 argument')
    const id = leaseIdArg(args[0]!)
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no lease service')
    let resp: LeaseRevokeResponse
    try {
      resp = await client.leaseRevoke({ID: id})
    } catch (err) {
      if (!(err instanceof EtcdError)) throw err
      process.stderr.write(unaryFailureWarning(err, this.globals.endpoints?.[0] ?? '127.0.0.1:2379', new Date()))
      throw new CliError(ExitCode.error, `failed to revoke lease (${err.message})`)
    }
    this.write(renderRevoke(id, resp, this.format))
  }
}

/** etcdctl's leaseFromArgs: a lease id in hex (Go's strconv.ParseInt base 16). */
export function leaseIdArg(arg: string): bigint {
  try {
    return goParseInt(arg, 16)
  } catch (err) {
    throw badArgs(`bad lease ID arg (${(err as Error).message}), expecting ID in Hex`)
  }
}

function renderRevoke(id: bigint, resp: LeaseRevokeResponse, format: string): string {
  switch (format) {
    case 'json':
      return `{"header":${headerJson(resp.header) ?? 'null'}}\n`
    case 'fields':
      return putFields(PutResponse.fromPartial({header: resp.header}))
    case 'protobuf':
      // clientv3.LeaseRevokeResponse is a named copy of the proto type, without its Marshal
      throw badFeature(`marshal unsupported for type clientv3.LeaseRevokeResponse (${goProtoText(resp.header)})`)
    case 'table':
      throw tableUnsupported()
    default:
      return `lease ${leaseIdHex16(id)} revoked\n`
  }
}

/** Go's %v of a struct holding the header: gogo's compact text form, zero fields left out. */
function goProtoText(header: ResponseHeader | undefined): string {
  if (header === undefined) return '{<nil>}'
  const fields: [string, bigint][] = [
    ['cluster_id', BigInt.asUintN(64, header.clusterId)],
    ['member_id', BigInt.asUintN(64, header.memberId)],
    ['revision', header.revision],
    ['raft_term', BigInt.asUintN(64, header.raftTerm)],
  ]
  return `{${fields.filter(([, v]) => v !== 0n).map(([name, v]) => `${name}:${v} `).join('')}}`
}
