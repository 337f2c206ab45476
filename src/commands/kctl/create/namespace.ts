import {KctlCommand} from '../../../cli/kube/base.js'
import {generatorFlags} from '../../../cli/kube/flags.js'

export default class CreateNamespace extends KctlCommand {
  static override description = 'Create a namespace with the specified name.'
  static override aliases = ['create:ns']
  static override usage = 'create namespace NAME [--dry-run=server|client|none]'
  static override examples = ['# Create a new namespace named my-namespace\n<%= config.bin %> create namespace my-namespace']
  static override flags = {...generatorFlags}

  async run(): Promise<void> {
    const name = this.oneName(this.readArgv())
    const {namespaceObject} = await import('../../../cli/kube/generators.js')
    await this.submitGenerated(namespaceObject(name))
  }
}
