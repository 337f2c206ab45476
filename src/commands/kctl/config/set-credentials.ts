import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'
import {kbool} from '../../../cli/kube/flags.js'

export default class ConfigSetCredentials extends KctlCommand {
  static override description = `Set a user entry in kubeconfig.

Specifying a name that already exists will merge new fields on top of existing values. Client-certificate flags: --client-certificate=certfile --client-key=keyfile; bearer token flags: --token=bearer_token; basic auth flags: --username=basic_user --password=basic_password.`
  static override usage = 'config set-credentials NAME [--client-certificate=path/to/certfile] [--client-key=path/to/keyfile] [--token=bearer_token] [--username=basic_user] [--password=basic_password]'
  static override examples = [
    '# Set only the "client-key" field on the "cluster-admin" entry, without touching other values\n<%= config.bin %> config set-credentials cluster-admin --client-key=~/.kube/admin.key',
    '# Set a bearer token for the "cluster-admin" entry\n<%= config.bin %> config set-credentials cluster-admin --token=bearer_token',
  ]
  static override flags = {
    'embed-certs': kbool({description: 'Embed client cert/key for the user entry in kubeconfig'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length !== 1) throw new KctlError('Unexpected args', `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl config set-credentials -h' for help and examples\n`)
    const name = args[0]!
    const {editFile, fileFor, loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const {readFileSync} = await import('node:fs')
    const {resolve} = await import('node:path')
    const loaded = loadRaw(this.str('kubeconfig'))
    const embed = this.bool('embed-certs')
    editFile(fileFor(loaded, 'user', name), (c) => {
      let entry = c.users.find((x) => x.name === name)
      if (entry === undefined) {
        entry = {name, user: {}}
        c.users.push(entry)
      }
      const u = entry.user
      const cert = this.str('client-certificate')
      if (cert) {
        if (embed) {
          u['client-certificate-data'] = readFileSync(cert).toString('base64')
          delete u['client-certificate']
        } else u['client-certificate'] = resolve(cert)
      }
      const key = this.str('client-key')
      if (key) {
        if (embed) {
          u['client-key-data'] = readFileSync(key).toString('base64')
          delete u['client-key']
        } else u['client-key'] = resolve(key)
      }
      if (this.given.has('token')) u.token = this.str('token')
      if (this.given.has('username')) u.username = this.str('username')
      if (this.given.has('password')) u.password = this.str('password')
    })
    this.out(`User "${name}" set.\n`)
  }
}
