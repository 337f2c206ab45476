import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'

export default class ConfigDeleteContext extends KctlCommand {
  static override description = 'Delete the specified context from the kubeconfig.'
  static override usage = 'config delete-context NAME'
  static override examples = ['# Delete the context for the minikube cluster\n<%= config.bin %> config delete-context minikube']
  static override flags = {}

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length !== 1) throw new KctlError('Unexpected args', `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl config delete-context -h' for help and examples\n`)
    const name = args[0]!
    const {editFile, fileFor, loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const loaded = loadRaw(this.str('kubeconfig'))
    const file = fileFor(loaded, 'context', name)
    if (!loaded.config.contexts.some((c) => c.name === name)) throw new KctlError(`cannot delete context ${name}, not in ${file}`)
    if (loaded.config['current-context'] === name) process.stderr.write('warning: this removed your active context, use "kctl config use-context" to select a different one\n')
    editFile(file, (c) => {
      c.contexts = c.contexts.filter((x) => x.name !== name)
    })
    this.out(`deleted context ${name} from ${file}\n`)
  }
}
