import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'

export default class AuthDisable extends AuthCommand {
  static override summary = 'Disables authentication'
  static override description = `Disables authentication: a server serves every request again, without users.

Over the network only a user with the root role may do it. Prints "Authentication Disabled"
whatever the output format.`
  static override examples = ['<%= config.bin %> auth disable', 'etcdctl --user root:secret auth disable']
  static override usage = 'auth disable'
  static override etcdctl = {use: 'disable', short: 'Disables authentication'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(AuthDisable)
    if (args.length !== 0) throw badArgs('auth disable command does not accept any arguments')
    await (await this.authClient()).authDisable()
    this.write('Authentication Disabled\n')
  }
}
