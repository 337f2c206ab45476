import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'
import {kbool} from '../../../cli/kube/flags.js'

export default class ConfigSetContext extends KctlCommand {
  static override description = `Set a context entry in kubeconfig.

Specifying a name that already exists will merge new fields on top of existing values for those fields.`
  static override usage = 'config set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace]'
  static override examples = [
    '# Set the user field on the gce context entry without touching other values\n<%= config.bin %> config set-context gce --user=cluster-admin',
    '# Switch the namespace of the current context\n<%= config.bin %> config set-context --current --namespace=kube-system',
  ]
  static override flags = {
    current: kbool({description: 'Modify the current context'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const {editFile, fileFor, loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const loaded = loadRaw(this.str('kubeconfig'))
    let name: string
    if (this.bool('current')) {
      if (args.length > 0) throw new KctlError('you cannot specify both a context name and --current')
      name = loaded.config['current-context']
      if (name === '') throw new KctlError('no current context is set')
    } else {
      if (args.length !== 1) throw new KctlError('Unexpected args: ' + JSON.stringify(args), `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl config set-context -h' for help and examples\n`)
      name = args[0]!
    }
    const exists = loaded.config.contexts.some((c) => c.name === name)
    editFile(fileFor(loaded, 'context', name), (c) => {
      let entry = c.contexts.find((x) => x.name === name)
      if (entry === undefined) {
        entry = {name, context: {}}
        c.contexts.push(entry)
      }
      if (this.given.has('cluster')) entry.context.cluster = this.str('cluster')
      if (this.given.has('user')) entry.context.user = this.str('user')
      if (this.given.has('namespace')) entry.context.namespace = this.str('namespace')
      for (const k of ['cluster', 'user', 'namespace'] as const) if (entry.context[k] === '') delete entry.context[k]
    })
    this.out(`Context "${name}" ${exists ? 'modified' : 'created'}.\n`)
  }
}
