import {EctlCommand} from '../../cli/base.js'
import {clusterFlag} from '../../cli/endpoint-flags.js'
import {endpointsOf} from '../../cli/endpoints.js'
import {CliError, ExitCode} from '../../cli/exit.js'

export default class Defrag extends EctlCommand {
  static override summary = 'Defragments the storage of the etcd members with given endpoints'
  static override description = `Rewrites each member's backend compactly, giving back to the file system the space that
deletes and compactions freed (endpoint status shows DB SIZE shrink). The member keeps serving
reads meanwhile; writes wait until it is done. Without --endpoints the member is the data dir's.`
  static override examples = [
    '<%= config.bin %> compaction 1000 && <%= config.bin %> defrag',
    '<%= config.bin %> --endpoints=127.0.0.1:2379 defrag --cluster',
  ]
  static override usage = 'defrag'
  static override etcdctl = {use: 'defrag', short: 'Defragments the storage of the etcd members with given endpoints'}
  static override flags = {cluster: clusterFlag}

  async run(): Promise<void> {
    const {flags} = await this.parseEtcdctl(Defrag)
    void this.format // checks -w (every format prints the same lines, as etcdctl)
    let failures = 0
    for (const endpoint of await endpointsOf(this.globals, flags.cluster)) {
      try {
        const client = await endpoint.open()
        try {
          await client.defragment()
        } finally {
          await client.close()
        }
        this.write(`Finished defragmenting etcd member[${endpoint.name}]\n`)
      } catch (error) {
        process.stderr.write(`Failed to defragment etcd member[${endpoint.name}] (${(error as Error).message})\n`)
        failures++
      }
    }
    if (failures > 0) throw new CliError(ExitCode.error, '', '', '')
  }
}
