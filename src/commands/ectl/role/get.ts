import {AuthRoleGetResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {roleFields, roleSimple} from '../../../cli/printers/auth.js'

export default class RoleGet extends AuthCommand {
  static override summary = 'Gets detailed information of a role'
  static override description = `Prints a role's permissions: the keys and ranges it may read, then those it may write.
A range prints as [key, end), "(prefix key)" when it is a prefix, "[key, <open ended>" when it
has no end.`
  static override examples = ['<%= config.bin %> role get app', '<%= config.bin %> role get app -w json']
  static override usage = 'role get <role name>'
  static override etcdctl = {use: 'get <role name>', short: 'Gets detailed information of a role'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(RoleGet)
    if (args.length !== 1) throw badArgs('role get command requires role name as its argument')
    const role = args[0]!
    const resp = await (await this.authClient()).roleGet({role})
    this.printAuth(resp, {simple: () => roleSimple(role, resp.perm), fields: () => roleFields(resp), codec: AuthRoleGetResponse})
  }
}
