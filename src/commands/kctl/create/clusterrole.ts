import {KctlCommand} from '../../../cli/kube/base.js'
import {generatorFlags, kslice} from '../../../cli/kube/flags.js'

export default class CreateClusterRole extends KctlCommand {
  static override description = 'Create a clusterrole with single rule.'
  static override usage = 'create clusterrole NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none]'
  static override examples = [
    '# Create a clusterrole named "pod-reader" that allows user to perform "get", "watch" and "list" on pods\n<%= config.bin %> create clusterrole pod-reader --verb=get --verb=list --verb=watch --resource=pods',
    '# Create a clusterrole named "foo" with API Group specified\n<%= config.bin %> create clusterrole foo --verb=get,list,watch --resource=rs.apps',
  ]
  static override flags = {
    ...generatorFlags,
    verb: kslice({description: 'Verb that applies to the resources contained in the rule'}),
    resource: kslice({description: 'Resource that the rule applies to'}),
    'resource-name': kslice({description: 'Resource in the white list that the rule applies to, repeat this flag for multiple items'}),
    'non-resource-url': kslice({description: 'A partial url that user should have access to.'}),
  }

  async run(): Promise<void> {
    const name = this.oneName(this.readArgv())
    const {roleRules} = await import('../../../cli/kube/rbac.js')
    const {roleObject} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    const rules = await roleRules(() => this.client(), this.list('verb'), this.list('resource'), this.list('resource-name'), this.list('non-resource-url'))
    await this.submitGenerated(roleObject('ClusterRole', name, ns.explicit ? ns.namespace : undefined, rules))
  }
}
