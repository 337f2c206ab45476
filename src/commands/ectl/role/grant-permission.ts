import {Flags} from '@oclif/core'
import {Permission_Type} from '../../../api/proto/auth.js'
import {AuthRoleGrantPermissionResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {permRange} from '../../../cli/perm-range.js'

const permTypes: Record<string, Permission_Type> = {
  READ: Permission_Type.READ,
  WRITE: Permission_Type.WRITE,
  READWRITE: Permission_Type.READWRITE,
}

export default class RoleGrantPermission extends AuthCommand {
  static override summary = 'Grants a key to a role'
  static override description = `Grants a role read, write or readwrite access to a key, a range [key, end), a prefix
(--prefix) or every key from one on (--from-key). Granting the same key and end again replaces
the access type.`
  static override examples = [
    '<%= config.bin %> role grant-permission app readwrite config',
    '<%= config.bin %> role grant-permission app read a z',
    '<%= config.bin %> role grant-permission --prefix app readwrite app/',
    '<%= config.bin %> role grant-permission --from-key app read logs/2024',
  ]
  static override usage = 'role grant-permission [options] <role name> <permission type> <key> [endkey]'
  static override etcdctl = {use: 'grant-permission [options] <role name> <permission type> <key> [endkey]', short: 'Grants a key to a role'}
  static override flags = {
    prefix: Flags.boolean({description: 'grant a prefix permission'}),
    'from-key': Flags.boolean({description: 'grant a permission of keys that are greater than or equal to the given key using byte compare'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(RoleGrantPermission)
    if (args.length < 3) throw badArgs('role grant command requires role name, permission type, and key [endkey] as its argument')
    const permType = permTypes[args[1]!.toUpperCase()]
    if (permType === undefined) throw badArgs(`invalid permission type: ${args[1]}`)
    const [key, rangeEnd] = permRange(args.slice(2), {prefix: flags.prefix, fromKey: flags['from-key']})
    const resp = await (await this.authClient()).roleGrantPermission({
      name: args[0]!,
      perm: {permType, key, rangeEnd},
    })
    this.printAuth(resp, {simple: () => `Role ${args[0]} updated\n`, codec: AuthRoleGrantPermissionResponse})
  }
}
