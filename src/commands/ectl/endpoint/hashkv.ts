import {Flags} from '@oclif/core'
import {EctlCommand} from '../../../cli/base.js'
import {protobufUnsupported} from '../../../cli/cluster-print.js'
import {clusterFlag} from '../../../cli/endpoint-flags.js'
import {endpointsOf} from '../../../cli/endpoints.js'
import {CliError, ExitCode} from '../../../cli/exit.js'
import {goParseInt} from '../../../cli/go-format.js'
import {type EndpointHash, hashFields, hashHeader, hashJson, hashRows} from '../../../cli/printers/cluster.js'
import {renderTable} from '../../../cli/printers/table.js'

export default class EndpointHashKV extends EctlCommand {
  static override summary = 'Prints the KV history hash for each endpoint in --endpoints'
  static override description = `Prints the hash of the key-value history (every revision up to --rev, 0 for the latest, since
the last compaction) of each endpoint: members holding the same data print the same hash.`
  static override examples = ['<%= config.bin %> endpoint hashkv', '<%= config.bin %> endpoint hashkv --rev 100 -w table']
  static override usage = 'endpoint hashkv'
  static override etcdctl = {use: 'hashkv', short: 'Prints the KV history hash for each endpoint in --endpoints', intFlags: ['rev']}
  static override flags = {
    cluster: clusterFlag,
    rev: Flags.string({description: 'maximum revision to hash (default: all revisions)', default: '0'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parseEtcdctl(EndpointHashKV)
    const format = this.format
    if (format === 'protobuf') throw protobufUnsupported()
    const revision = goParseInt(flags.rev, 10)
    const results: EndpointHash[] = []
    let failed = false
    for (const endpoint of await endpointsOf(this.globals, flags.cluster)) {
      try {
        const client = await endpoint.open()
        try {
          results.push({endpoint: endpoint.name, hashKV: await client.hashKV({revision})})
        } finally {
          await client.close()
        }
      } catch (error) {
        process.stderr.write(`Failed to get the hash of endpoint ${endpoint.name} (${(error as Error).message})\n`)
        failed = true
      }
    }
    switch (format) {
      case 'json':
        this.write(hashJson(results) + '\n')
        break
      case 'fields':
        this.write(hashFields(results))
        break
      case 'table':
        this.write(await renderTable(hashHeader, hashRows(results)))
        break
      default:
        this.write(hashRows(results).map((row) => row.join(', ') + '\n').join(''))
    }
    if (failed) throw new CliError(ExitCode.error, '', '', '')
  }
}
