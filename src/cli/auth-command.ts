// The base of the auth, user and role commands: the Auth service of whichever client the run
// opened (the data dir acts as root; a server checks the --user given), and etcdctl's printing.
import type {EtcdAuthClient, EtcdClient} from '../client/etcd/client.js'
import {EctlCommand} from './base.js'
import {CliError, ExitCode} from './exit.js'
import {type AuthRender, type AuthResponse, renderAuth} from './printers/auth.js'

function hasAuth(client: EtcdClient): client is EtcdClient & EtcdAuthClient {
  return typeof (client as Partial<EtcdAuthClient>).userAdd === 'function'
}

export abstract class AuthCommand extends EctlCommand {
  protected async authClient(): Promise<EtcdAuthClient> {
    const client = await this.client()
    if (!hasAuth(client)) throw new CliError(ExitCode.error, 'this client has no auth service')
    return client
  }

  protected printAuth(resp: AuthResponse, how: AuthRender): void {
    this.write(renderAuth(this.format, resp, how))
  }
}
