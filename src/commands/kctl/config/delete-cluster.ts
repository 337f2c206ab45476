import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'

export default class ConfigDeleteCluster extends KctlCommand {
  static override description = 'Delete the specified cluster from the kubeconfig.'
  static override usage = 'config delete-cluster NAME'
  static override examples = ['# Delete the minikube cluster\n<%= config.bin %> config delete-cluster minikube']
  static override flags = {}

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length !== 1) throw new KctlError('Unexpected args', `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl config delete-cluster -h' for help and examples\n`)
    const name = args[0]!
    const {editFile, fileFor, loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const loaded = loadRaw(this.str('kubeconfig'))
    const file = fileFor(loaded, 'cluster', name)
    if (!loaded.config.clusters.some((x) => x.name === name)) throw new KctlError(`cannot delete cluster ${name}, not in ${file}`)
    editFile(file, (c) => {
      c.clusters = c.clusters.filter((x) => x.name !== name)
    })
    this.out(`deleted cluster ${name} from ${file}\n`)
  }
}
