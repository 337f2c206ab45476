import {AuthRoleDeleteResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'

export default class RoleDelete extends AuthCommand {
  static override summary = 'Deletes a role'
  static override description = 'Deletes a role and revokes it from every user. While authentication is enabled, the root role stays.'
  static override examples = ['<%= config.bin %> role delete app']
  static override usage = 'role delete <role name>'
  static override etcdctl = {use: 'delete <role name>', short: 'Deletes a role'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(RoleDelete)
    if (args.length !== 1) throw badArgs('role delete command requires role name as its argument')
    const resp = await (await this.authClient()).roleDelete({role: args[0]!})
    this.printAuth(resp, {simple: () => `Role ${args[0]} deleted\n`, codec: AuthRoleDeleteResponse})
  }
}
