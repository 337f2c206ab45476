import {Flags} from '@oclif/core'
import {AuthRoleGetResponse, AuthUserGetResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {roleFields, roleSimple} from '../../../cli/printers/auth.js'

export default class UserGet extends AuthCommand {
  static override summary = 'Gets detailed information of a user'
  static override description = `Prints a user's roles; --detail prints each role with its permissions instead, as role get
does.`
  static override examples = ['<%= config.bin %> user get alice', '<%= config.bin %> user get alice --detail', '<%= config.bin %> user get alice -w json']
  static override usage = 'user get <user name> [options]'
  static override etcdctl = {use: 'get <user name> [options]', short: 'Gets detailed information of a user'}
  static override flags = {
    detail: Flags.boolean({description: 'Show permissions of roles granted to the user'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(UserGet)
    if (args.length !== 1) throw badArgs('user get command requires user name as its argument')
    const name = args[0]!
    const client = await this.authClient()
    const resp = await client.userGet({name})
    if (!flags.detail) {
      this.printAuth(resp, {
        simple: () => `User: ${name}\nRoles:${resp.roles.map((r) => ` ${r}`).join('')}\n`,
        fields: 'unsupported',
        codec: AuthUserGetResponse,
      })
      return
    }
    this.write(`User: ${name}\n`)
    for (const role of resp.roles) {
      this.write('\n')
      const roleResp = await client.roleGet({role})
      this.printAuth(roleResp, {simple: () => roleSimple(role, roleResp.perm), fields: () => roleFields(roleResp), codec: AuthRoleGetResponse})
    }
  }
}
