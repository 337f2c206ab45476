import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'

export default class ConfigUseContext extends KctlCommand {
  static override description = 'Set the current-context in a kubeconfig file.'
  static override usage = 'config use-context CONTEXT_NAME'
  static override examples = ['# Use the context for the minikube cluster\n<%= config.bin %> config use-context minikube']
  static override flags = {}

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length !== 1) throw new KctlError('Unexpected args: ' + JSON.stringify(args))
    const name = args[0]!
    const {editFile, loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const loaded = loadRaw(this.str('kubeconfig'))
    if (!loaded.config.contexts.some((c) => c.name === name)) throw new KctlError(`no context exists with the name: "${name}"`)
    editFile(loaded.currentContextFile ?? loaded.defaultFile, (c) => {
      c['current-context'] = name
    })
    this.out(`Switched to context "${name}".\n`)
  }
}
