import {AuthStatusResponse} from '../../../api/proto/rpc.js'
import {AuthCommand} from '../../../cli/auth-command.js'
import {badArgs} from '../../../cli/exit.js'
import {headerJson} from '../../../cli/printers/json.js'
import {renderAuth} from '../../../cli/printers/auth.js'

export default class AuthStatus extends AuthCommand {
  static override summary = 'Returns authentication status'
  static override description = `Prints whether authentication is enabled and the auth revision (raised by every change of
users, roles or permissions), as etcdctl 3.5's auth status (3.4 has no such command).`
  static override examples = ['<%= config.bin %> auth status', '<%= config.bin %> auth status -w json']
  static override usage = 'auth status'
  static override etcdctl = {use: 'status', short: 'Returns authentication status'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(AuthStatus)
    if (args.length !== 0) throw badArgs('auth status command does not accept any arguments')
    const resp = await (await this.authClient()).authStatus()
    if (this.format === 'json') {
      const fields = [`"header":${headerJson(resp.header) ?? '{}'}`]
      if (resp.enabled) fields.push('"enabled":true')
      if (resp.authRevision !== 0n) fields.push(`"authRevision":${resp.authRevision}`)
      this.write(`{${fields.join(',')}}\n`)
      return
    }
    this.write(
      renderAuth(this.format, resp, {
        simple: () => `Authentication Status: ${resp.enabled}\nAuthRevision: ${resp.authRevision}\n`,
        codec: AuthStatusResponse,
      }),
    )
  }
}
