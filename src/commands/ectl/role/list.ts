import {AuthRoleListResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {roleListFields} from '../../../cli/printers/auth.js'

export default class RoleList extends AuthCommand {
  static override summary = 'Lists all roles'
  static override description = 'Lists every role, one per line, in byte order.'
  static override examples = ['<%= config.bin %> role list', '<%= config.bin %> role list -w json']
  static override usage = 'role list'
  static override etcdctl = {use: 'list', short: 'Lists all roles'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(RoleList)
    if (args.length !== 0) throw badArgs('role list command requires no arguments')
    const resp = await (await this.authClient()).roleList()
    this.printAuth(resp, {simple: () => resp.roles.map((r) => `${r}\n`).join(''), fields: () => roleListFields(resp), codec: AuthRoleListResponse})
  }
}
