import {KctlCommand} from '../../../cli/kube/base.js'
import {generatorFlags, kslice} from '../../../cli/kube/flags.js'

export default class CreateRole extends KctlCommand {
  static override description = 'Create a role with single rule.'
  static override usage = 'create role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none]'
  static override examples = [
    '# Create a role named "pod-reader" that allows user to perform "get", "watch" and "list" on pods\n<%= config.bin %> create role pod-reader --verb=get --verb=list --verb=watch --resource=pods',
    '# Create a role named "foo" with API Group specified\n<%= config.bin %> create role foo --verb=get,list,watch --resource=rs.apps',
  ]
  static override flags = {
    ...generatorFlags,
    verb: kslice({description: 'Verb that applies to the resources contained in the rule'}),
    resource: kslice({description: 'Resource that the rule applies to'}),
    'resource-name': kslice({description: 'Resource in the white list that the rule applies to, repeat this flag for multiple items'}),
  }

  async run(): Promise<void> {
    const name = this.oneName(this.readArgv())
    const {roleRules} = await import('../../../cli/kube/rbac.js')
    const {roleObject} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    const rules = await roleRules(() => this.client(), this.list('verb'), this.list('resource'), this.list('resource-name'), [])
    await this.submitGenerated(roleObject('Role', name, ns.explicit ? ns.namespace : undefined, rules))
  }
}
