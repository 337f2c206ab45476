import {Flags} from '@oclif/core'
import {AuthUserChangePasswordResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {readPasswordInteractive, scanPassword} from '../../../cli/new-password.js'

export default class UserPasswd extends AuthCommand {
  static override summary = 'Changes password of user'
  static override description = `Changes a user's password, asked twice on the terminal, or read from stdin with
--interactive=false (its first word). The user's tokens stop working.`
  static override examples = ['<%= config.bin %> user passwd alice', 'echo newsecret | <%= config.bin %> user passwd alice --interactive=false']
  static override usage = 'user passwd <user name> [options]'
  static override etcdctl = {use: 'passwd <user name> [options]', short: 'Changes password of user'}
  static override flags = {
    interactive: Flags.boolean({description: 'If true, read password from stdin instead of interactive terminal', default: true, allowNo: false}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(UserPasswd)
    if (args.length !== 1) throw badArgs('user passwd command requires user name as its argument')
    const password = flags.interactive ? await readPasswordInteractive(args[0]!) : await scanPassword()
    const resp = await (await this.authClient()).userChangePassword({name: args[0]!, password})
    this.printAuth(resp, {simple: () => 'Password updated\n', codec: AuthUserChangePasswordResponse})
  }
}
