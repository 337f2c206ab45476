import {KctlCommand} from '../../../cli/kube/base.js'
import {generatorFlags} from '../../../cli/kube/flags.js'

export default class CreateServiceAccount extends KctlCommand {
  static override description = 'Create a service account with the specified name.'
  static override aliases = ['create:sa']
  static override usage = 'create serviceaccount NAME [--dry-run=server|client|none]'
  static override examples = ['# Create a new service account named my-service-account\n<%= config.bin %> create serviceaccount my-service-account']
  static override flags = {...generatorFlags}

  async run(): Promise<void> {
    const name = this.oneName(this.readArgv())
    const {serviceAccountObject} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    await this.submitGenerated(serviceAccountObject(name, ns.explicit ? ns.namespace : undefined))
  }
}
