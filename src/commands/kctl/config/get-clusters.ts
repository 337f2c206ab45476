import {KctlCommand} from '../../../cli/kube/base.js'

export default class ConfigGetClusters extends KctlCommand {
  static override description = 'Display clusters defined in the kubeconfig.'
  static override examples = ['# List the clusters that kctl knows about\n<%= config.bin %> config get-clusters']
  static override flags = {}

  async run(): Promise<void> {
    this.readArgv()
    const {loadRaw, sortedConfig} = await import('../../../cli/kube/kubeconfig-edit.js')
    const config = sortedConfig(loadRaw(this.str('kubeconfig')).config)
    this.out(['NAME', ...config.clusters.map((x) => x.name)].map((n) => `${n}\n`).join(''))
  }
}
