import {Flags} from '@oclif/core'
import {AuthRoleRevokePermissionResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {permRange} from '../../../cli/perm-range.js'
import {rangeText} from '../../../cli/printers/auth.js'

export default class RoleRevokePermission extends AuthCommand {
  static override summary = 'Revokes a key from a role'
  static override description = `Revokes the permission a role holds on exactly this key or range (the same key, end,
--prefix or --from-key it was granted with).`
  static override examples = [
    '<%= config.bin %> role revoke-permission app config',
    '<%= config.bin %> role revoke-permission app a z',
    '<%= config.bin %> role revoke-permission --prefix app app/',
  ]
  static override usage = 'role revoke-permission <role name> <key> [endkey]'
  static override etcdctl = {use: 'revoke-permission <role name> <key> [endkey]', short: 'Revokes a key from a role'}
  static override flags = {
    prefix: Flags.boolean({description: 'revoke a prefix permission'}),
    'from-key': Flags.boolean({description: 'revoke a permission of keys that are greater than or equal to the given key using byte compare'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(RoleRevokePermission)
    if (args.length < 2) throw badArgs('role revoke-permission command requires role name and key [endkey] as its argument')
    const [key, rangeEnd] = permRange(args.slice(1), {prefix: flags.prefix, fromKey: flags['from-key']})
    const role = args[0]!
    const resp = await (await this.authClient()).roleRevokePermission({
      role,
      key,
      rangeEnd,
    })
    this.printAuth(resp, {
      simple: () => {
        // etcdctl names the key as typed (not the \x00 an empty one becomes)
        const shown = Buffer.from(args[1]!, 'utf8')
        const tail = Buffer.from(` is revoked from role ${role}\n`, 'utf8')
        if (rangeEnd.length === 0) return Buffer.concat([Buffer.from('Permission of key '), shown, tail])
        return Buffer.concat([Buffer.from('Permission of range '), rangeText(shown, rangeEnd), tail])
      },
      codec: AuthRoleRevokePermissionResponse,
    })
  }
}
