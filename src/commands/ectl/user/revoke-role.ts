import {AuthUserRevokeRoleResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'

export default class UserRevokeRole extends AuthCommand {
  static override summary = 'Revokes a role from a user'
  static override description = 'Revokes a role from a user. While authentication is enabled, root keeps the root role.'
  static override examples = ['<%= config.bin %> user revoke-role alice app']
  static override usage = 'user revoke-role <user name> <role name>'
  static override etcdctl = {use: 'revoke-role <user name> <role name>', short: 'Revokes a role from a user'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(UserRevokeRole)
    if (args.length !== 2) throw badArgs('user revoke-role requires user name and role name as its argument')
    const [name, role] = [args[0]!, args[1]!]
    const resp = await (await this.authClient()).userRevokeRole({name, role})
    this.printAuth(resp, {simple: () => `Role ${role} is revoked from user ${name}\n`, codec: AuthUserRevokeRoleResponse})
  }
}
