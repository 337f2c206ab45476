import {EtcdError, ErrorMessage} from '../../../api/errors.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {unaryFailureWarning} from '../../../cli/grpc-warning.js'

export default class AuthEnable extends AuthCommand {
  static override summary = 'Enables authentication'
  static override description = `Enables authentication: from now on a server refuses requests without a valid user.

A user named root must exist. As etcdctl does, a missing root role is created and granted to
root first. Prints "Authentication Enabled" whatever the output format.`
  static override examples = ['<%= config.bin %> user add root:secret', '<%= config.bin %> auth enable']
  static override usage = 'auth enable'
  static override etcdctl = {use: 'enable', short: 'Enables authentication'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(AuthEnable)
    if (args.length !== 0) throw badArgs('auth enable command does not accept any arguments')
    const client = await this.authClient()
    for (;;) {
      try {
        await client.authEnable()
        break
      } catch (err) {
        if (!(err instanceof EtcdError) || err.message !== ErrorMessage.rootRoleNotExist) throw err
        // etcdctl adds the root role and grants it to root, then tries again
        process.stderr.write(unaryFailureWarning(err, this.globals.endpoints?.[0] ?? '127.0.0.1:2379', new Date()))
        await client.roleAdd({name: 'root'})
        await client.userGrantRole({user: 'root', role: 'root'})
      }
    }
    this.write('Authentication Enabled\n')
  }
}
