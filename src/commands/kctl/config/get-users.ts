import {KctlCommand} from '../../../cli/kube/base.js'

export default class ConfigGetUsers extends KctlCommand {
  static override description = 'Display users defined in the kubeconfig.'
  static override examples = ['# List the users that kctl knows about\n<%= config.bin %> config get-users']
  static override flags = {}

  async run(): Promise<void> {
    this.readArgv()
    const {loadRaw, sortedConfig} = await import('../../../cli/kube/kubeconfig-edit.js')
    const config = sortedConfig(loadRaw(this.str('kubeconfig')).config)
    this.out(['NAME', ...config.users.map((x) => x.name)].map((n) => `${n}\n`).join(''))
  }
}
