import {EctlCommand} from '../../../cli/base.js'
import {protobufUnsupported} from '../../../cli/cluster-print.js'
import {clusterFlag} from '../../../cli/endpoint-flags.js'
import {endpointsOf} from '../../../cli/endpoints.js'
import {CliError, ExitCode} from '../../../cli/exit.js'
import {type EndpointStatus, statusFields, statusHeader, statusJson, statusRows} from '../../../cli/printers/cluster.js'
import {renderTable} from '../../../cli/printers/table.js'

export default class EndpointStatusCommand extends EctlCommand {
  static override summary = 'Prints out the status of endpoints specified in `--endpoints` flag'
  static override description = `When --write-out is set to simple, this command prints out comma-separated status lists for
each endpoint. The items in the lists are endpoint, ID, version, db size, is leader, is learner,
raft term, raft index, raft applied index, errors.

Without --endpoints the endpoint is the data dir (named by its path). DB SIZE is the backend
file; -w json also shows dbSizeInUse (what defrag would shrink it to).`
  static override examples = [
    '<%= config.bin %> endpoint status',
    '<%= config.bin %> endpoint status -w table',
    '<%= config.bin %> --endpoints=127.0.0.1:2379 endpoint status --cluster -w json',
  ]
  static override usage = 'endpoint status'
  static override etcdctl = {use: 'status', short: 'Prints out the status of endpoints specified in `--endpoints` flag'}
  static override flags = {cluster: clusterFlag}

  async run(): Promise<void> {
    const {flags} = await this.parseEtcdctl(EndpointStatusCommand)
    const format = this.format
    if (format === 'protobuf') throw protobufUnsupported()
    const results: EndpointStatus[] = []
    let failed = false
    for (const endpoint of await endpointsOf(this.globals, flags.cluster)) {
      try {
        const client = await endpoint.open()
        try {
          results.push({endpoint: endpoint.name, status: await client.status()})
        } finally {
          await client.close()
        }
      } catch (error) {
        process.stderr.write(`Failed to get the status of endpoint ${endpoint.name} (${(error as Error).message})\n`)
        failed = true
      }
    }
    switch (format) {
      case 'json':
        this.write(statusJson(results) + '\n')
        break
      case 'fields':
        this.write(statusFields(results))
        break
      case 'table':
        this.write(await renderTable(statusHeader, statusRows(results)))
        break
      default:
        this.write(statusRows(results).map((row) => row.join(', ') + '\n').join(''))
    }
    if (failed) throw new CliError(ExitCode.error, '', '', '')
  }
}
