import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'

export default class ConfigDeleteUser extends KctlCommand {
  static override description = 'Delete the specified user from the kubeconfig.'
  static override usage = 'config delete-user NAME'
  static override examples = ['# Delete the minikube user\n<%= config.bin %> config delete-user minikube']
  static override flags = {}

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length !== 1) throw new KctlError('Unexpected args', `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl config delete-user -h' for help and examples\n`)
    const name = args[0]!
    const {editFile, fileFor, loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const loaded = loadRaw(this.str('kubeconfig'))
    const file = fileFor(loaded, 'user', name)
    if (!loaded.config.users.some((x) => x.name === name)) throw new KctlError(`cannot delete user ${name}, not in ${file}`)
    editFile(file, (c) => {
      c.users = c.users.filter((x) => x.name !== name)
    })
    this.out(`deleted user ${name} from ${file}\n`)
  }
}
