import {AuthRoleAddResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'

export default class RoleAdd extends AuthCommand {
  static override summary = 'Adds a new role'
  static override description = 'Adds a role without permissions; grant-permission gives it some.'
  static override examples = ['<%= config.bin %> role add app', '<%= config.bin %> role add root']
  static override usage = 'role add <role name>'
  static override etcdctl = {use: 'add <role name>', short: 'Adds a new role'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(RoleAdd)
    if (args.length !== 1) throw badArgs('role add command requires role name as its argument')
    const resp = await (await this.authClient()).roleAdd({name: args[0]!})
    this.printAuth(resp, {simple: () => `Role ${args[0]} created\n`, codec: AuthRoleAddResponse})
  }
}
