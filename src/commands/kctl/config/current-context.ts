import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'

export default class ConfigCurrentContext extends KctlCommand {
  static override description = 'Display the current-context.'
  static override examples = ['# Display the current-context\n<%= config.bin %> config current-context']
  static override flags = {}

  async run(): Promise<void> {
    this.readArgv()
    const {loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const current = loadRaw(this.str('kubeconfig')).config['current-context']
    if (current === '') throw new KctlError('current-context is not set')
    this.out(`${current}\n`)
  }
}
