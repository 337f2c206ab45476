import {AuthUserGrantRoleResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'

export default class UserGrantRole extends AuthCommand {
  static override summary = 'Grants a role to a user'
  static override description = 'Grants a role to a user (granting it again changes nothing). The root role need not exist as a role.'
  static override examples = ['<%= config.bin %> user grant-role alice app', '<%= config.bin %> user grant-role root root']
  static override usage = 'user grant-role <user name> <role name>'
  static override etcdctl = {use: 'grant-role <user name> <role name>', short: 'Grants a role to a user'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(UserGrantRole)
    if (args.length !== 2) throw badArgs('user grant command requires user name and role name as its argument')
    const [user, role] = [args[0]!, args[1]!]
    const resp = await (await this.authClient()).userGrantRole({user, role})
    this.printAuth(resp, {simple: () => `Role ${role} is granted to user ${user}\n`, codec: AuthUserGrantRoleResponse})
  }
}
