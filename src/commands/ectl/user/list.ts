import {AuthUserListResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'

export default class UserList extends AuthCommand {
  static override summary = 'Lists all users'
  static override description = 'Lists every user, one per line, in byte order.'
  static override examples = ['<%= config.bin %> user list', '<%= config.bin %> user list -w json']
  static override usage = 'user list'
  static override etcdctl = {use: 'list', short: 'Lists all users'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(UserList)
    if (args.length !== 0) throw badArgs('user list command requires no arguments')
    const resp = await (await this.authClient()).userList()
    this.printAuth(resp, {simple: () => resp.users.map((u) => `${u}\n`).join(''), fields: 'unsupported', codec: AuthUserListResponse})
  }
}
