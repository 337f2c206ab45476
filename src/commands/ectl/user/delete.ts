import {AuthUserDeleteResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'

export default class UserDelete extends AuthCommand {
  static override summary = 'Deletes a user'
  static override description = 'Deletes a user. While authentication is enabled, root cannot be deleted.'
  static override examples = ['<%= config.bin %> user delete alice']
  static override usage = 'user delete <user name>'
  static override etcdctl = {use: 'delete <user name>', short: 'Deletes a user'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(UserDelete)
    if (args.length !== 1) throw badArgs('user delete command requires user name as its argument')
    const resp = await (await this.authClient()).userDelete({name: args[0]!})
    this.printAuth(resp, {simple: () => `User ${args[0]} deleted\n`, codec: AuthUserDeleteResponse})
  }
}
