import {KctlCommand} from '../../../../cli/kube/base.js'
import {generatorFlags, kslice, kstring} from '../../../../cli/kube/flags.js'

export default class CreateServiceClusterIP extends KctlCommand {
  static override description = 'Create a ClusterIP service with the specified name.'
  static override usage = "create service clusterip NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none]"
  static override examples = [
    '# Create a new ClusterIP service named my-cs\n<%= config.bin %> create service clusterip my-cs --tcp=5678:8080',
    '# Create a new ClusterIP service named my-cs (in headless mode)\n<%= config.bin %> create service clusterip my-cs --clusterip="None"',
  ]
  static override flags = {
    ...generatorFlags,
    tcp: kslice({description: 'Port pairs can be specified as \'<port>:<targetPort>\'.'}),
    clusterip: kstring({description: 'Assign your own ClusterIP or set to \'None\' for a \'headless\' service (no loadbalancing).'}),
  }

  async run(): Promise<void> {
    const name = this.oneName(this.readArgv())
    const {serviceObject} = await import('../../../../cli/kube/generators.js')
    const ns = await this.namespace()
    await this.submitGenerated(serviceObject(name, ns.explicit ? ns.namespace : undefined, 'ClusterIP', this.list('tcp'), this.str('clusterip')))
  }
}
