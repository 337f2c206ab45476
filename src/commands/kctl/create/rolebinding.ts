import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'
import {generatorFlags, karray, kstring} from '../../../cli/kube/flags.js'

export default class CreateRoleBinding extends KctlCommand {
  static override description = 'Create a rolebinding for a particular Role or ClusterRole.'
  static override usage = 'create rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]'
  static override examples = ['# Create a rolebinding for user1, user2, and group1 using the admin cluster role\n<%= config.bin %> create rolebinding admin --clusterrole=admin --user=user1 --user=user2 --group=group1']
  static override flags = {
    ...generatorFlags,
    clusterrole: kstring({description: 'ClusterRole this RoleBinding should reference'}),
    role: kstring({description: 'Role this RoleBinding should reference'}),
    group: karray({description: 'Groups to bind to the rolebinding. The flag can be repeated to add multiple groups.'}),
    serviceaccount: karray({description: 'Service accounts to bind to the rolebinding, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.'}),
  }

  protected override userIsSubject = true

  async run(): Promise<void> {
    const args = this.readArgv()
    const name = this.oneName(args)
    const {bindingObject} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    const role = this.str('role')
    const clusterRole = this.str('clusterrole')
    if (Boolean(role) === Boolean(clusterRole)) throw new KctlError('exactly one of clusterrole or role must be specified')
    // --user is also the global kubeconfig-user flag; here, as in kubectl, it names the subjects
    const users = this.argv.flatMap((t, i) => (t === '--user' ? [this.argv[i + 1] ?? ''] : t.startsWith('--user=') ? [t.slice(7)] : []))
    await this.submitGenerated(
      bindingObject('RoleBinding', name, ns.explicit ? ns.namespace : undefined, role ? 'Role' : 'ClusterRole', (role || clusterRole)!, users, this.list('group'), this.list('serviceaccount')),
    )
  }
}
