import {PutResponse, ResponseHeader, type LeaseLeasesResponse} from '../../../api/proto/rpc.js'
import {EctlCommand} from '../../../cli/base.js'
import {CliError, ExitCode} from '../../../cli/exit.js'
import {putFields} from '../../../cli/printers/fields.js'
import {headerJson} from '../../../cli/printers/json.js'
import {tableUnsupported} from '../../../cli/printers/printer.js'
import {hasWatchAndLeases, leaseIdHex16} from '../../../client/etcd/concurrency/index.js'

export default class LeaseList extends EctlCommand {
  static override summary = 'List all active leases'
  static override description = `Prints how many leases are alive, then their ids (hex), one a line.`
  static override examples = ['<%= config.bin %> lease list', '<%= config.bin %> lease list -w json']
  static override usage = 'lease list'
  static override etcdctl = {use: 'list', short: 'List all active leases'}
  static override flags = {}

  async run(): Promise<void> {
    await this.parseEtcdctl(LeaseList)
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no lease service')
    const resp = await client.leaseLeases()
    this.write(renderLeases(resp, this.format))
  }
}

function renderLeases(resp: LeaseLeasesResponse, format: string): Buffer | string {
  switch (format) {
    case 'json': {
      const header = headerJson(resp.header)?.slice(1, -1) ?? ''
      const own = `"leases":[${resp.leases.map((l) => `{"id":${l.ID}}`).join(',')}]`
      return `{${header === '' ? own : `${header},${own}`}}\n`
    }
    case 'fields':
      return putFields(PutResponse.fromPartial({header: resp.header})) + resp.leases.map((l) => `"ID" : ${l.ID}\n`).join('')
    case 'protobuf':
      return Buffer.from(ResponseHeader.encode(resp.header ?? ResponseHeader.fromPartial({})).finish())
    case 'table':
      throw tableUnsupported()
    default:
      return `found ${resp.leases.length} leases\n` + resp.leases.map((l) => `${leaseIdHex16(l.ID)}\n`).join('')
  }
}
