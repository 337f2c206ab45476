import {Flags} from '@oclif/core'
import {AuthUserAddResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {readPasswordInteractive, scanPassword} from '../../../cli/new-password.js'

export default class UserAdd extends AuthCommand {
  static override summary = 'Adds a new user'
  static override description = `Adds a user. The password comes from NAME:PASSWORD, from --new-user-password, from stdin
(--interactive=false: its first word), or is asked twice on the terminal. --no-password makes
a user that cannot authenticate with a password (the whole argument is its name).

The server stores a bcrypt hash of the password, never the password.`
  static override examples = [
    '<%= config.bin %> user add root:secret',
    '<%= config.bin %> user add alice            # asks for the password twice',
    'echo secret | <%= config.bin %> user add alice --interactive=false',
    '<%= config.bin %> user add bob --new-user-password=secret',
    '<%= config.bin %> user add svc --no-password',
  ]
  static override usage = 'user add <user name or user:password> [options]'
  static override etcdctl = {use: 'add <user name or user:password> [options]', short: 'Adds a new user'}
  static override flags = {
    interactive: Flags.boolean({description: 'Read password from stdin instead of interactive terminal', default: true, allowNo: false}),
    'new-user-password': Flags.string({description: 'Supply password from the command line flag'}),
    'no-password': Flags.boolean({description: 'Create a user without password (CN based auth only)'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(UserAdd)
    if (args.length !== 1) throw badArgs('user add command requires user name as its argument')
    const arg = args[0]!
    let user = arg
    let password = ''
    if (!flags['no-password']) {
      if (flags['new-user-password']) {
        password = flags['new-user-password']
      } else {
        const colon = arg.indexOf(':')
        if (colon < 0) {
          password = flags.interactive ? await readPasswordInteractive(arg) : await scanPassword()
        } else {
          user = arg.slice(0, colon)
          password = arg.slice(colon + 1)
          if (user.length === 0) throw badArgs('empty user name is not allowed')
        }
      }
    }
    const client = await this.authClient()
    const resp = await client.userAdd({name: user, password, options: {noPassword: flags['no-password']}})
    this.printAuth(resp, {simple: () => `User ${user} created\n`, codec: AuthUserAddResponse})
  }
}
