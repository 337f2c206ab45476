import {EctlCommand} from '../../../cli/base.js'
import {clusterFlag} from '../../../cli/endpoint-flags.js'
import {endpointsOf} from '../../../cli/endpoints.js'
import {CliError, ExitCode} from '../../../cli/exit.js'
import {type EndpointHealth, healthFields, healthHeader, healthJson, healthRows} from '../../../cli/printers/cluster.js'
import {renderTable} from '../../../cli/printers/table.js'
import {protobufUnsupported} from '../../../cli/cluster-print.js'

export default class EndpointHealthCommand extends EctlCommand {
  static override summary = 'Checks the healthiness of endpoints specified in `--endpoints` flag'
  static override description = `Checks that each endpoint commits a read (a range of the key "health", as etcdctl) and
has no active alarm, and prints how long it took. Without --endpoints the endpoint is the data
dir (named by its path). An unhealthy endpoint is reported on stderr and the command exits 1.`
  static override examples = [
    '<%= config.bin %> endpoint health',
    '<%= config.bin %> --endpoints=127.0.0.1:2379,127.0.0.1:22379 endpoint health -w table',
    '<%= config.bin %> --endpoints=127.0.0.1:2379 endpoint health --cluster',
  ]
  static override usage = 'endpoint health'
  static override etcdctl = {use: 'health', short: 'Checks the healthiness of endpoints specified in `--endpoints` flag'}
  static override flags = {cluster: clusterFlag}

  async run(): Promise<void> {
    const {flags} = await this.parseEtcdctl(EndpointHealthCommand)
    const format = this.format
    const results: EndpointHealth[] = []
    for (const endpoint of await endpointsOf(this.globals, flags.cluster)) {
      const health: EndpointHealth = {endpoint: endpoint.name, health: false, tookNs: 0n, error: ''}
      try {
        const client = await endpoint.open()
        try {
          const start = process.hrtime.bigint()
          await client.range({key: Buffer.from('health')})
          health.tookNs = process.hrtime.bigint() - start
          health.health = true
          try {
            const alarms = await client.alarm({})
            if (alarms.alarms.length > 0) {
              health.health = false
              health.error = 'Active Alarm(s): ' + alarms.alarms.map((a) => alarmName(a.alarm)).join('')
            }
          } catch {
            health.health = false
            health.error = 'Unable to fetch the alarm list'
          }
        } finally {
          await client.close()
        }
      } catch (error) {
        health.error = (error as Error).message
      }
      results.push(health)
    }
    switch (format) {
      case 'json':
        this.write(healthJson(results) + '\n')
        break
      case 'fields':
        this.write(healthFields(results))
        break
      case 'table':
        this.write(await renderTable(healthHeader, healthRows(results)))
        break
      case 'protobuf':
        throw protobufUnsupported()
      default:
        for (const h of results) {
          if (h.error === '') this.write(`${h.endpoint} is healthy: successfully committed proposal: took = ${healthRows([h])[0]![2]}\n`)
          else process.stderr.write(`${h.endpoint} is unhealthy: failed to commit proposal: ${h.error}\n`)
        }
    }
    if (results.some((h) => h.error !== '')) throw new CliError(ExitCode.error, 'unhealthy cluster')
  }
}

function alarmName(alarm: number): string {
  return ['NONE', 'NOSPACE', 'CORRUPT'][alarm] ?? String(alarm)
}
