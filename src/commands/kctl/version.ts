import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kstring} from '../../cli/kube/flags.js'
import {clientVersionInfo} from '../../cli/kube-version.js'

export default class Version extends KctlCommand {
  static override description = `Print the client and server version information for the current context.

kctl reports the Kubernetes API version it speaks (major, minor) and its own build in gitVersion; with a server to ask, the server's version too.`
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --client', '<%= config.bin %> version -o json', '<%= config.bin %> version -o yaml']
  static override flags = {
    output: kstring({char: 'o', description: 'One of json, yaml'}),
    client: kbool({description: 'If true, shows client version only (no server required).'}),
  }

  async run(): Promise<void> {
    this.readArgv()
    const output = this.str('output') ?? ''
    if (output !== '' && output !== 'json' && output !== 'yaml') throw new KctlError("--output must be 'yaml' or 'json'")
    const info: Record<string, unknown> = {clientVersion: clientVersionInfo(this.config.version, process.platform, process.arch)}
    let failure: unknown
    if (!this.bool('client')) {
      try {
        info['serverVersion'] = await (await this.client()).json('GET', '/version')
      } catch (err) {
        failure = err
      }
    }
    if (output === 'json') {
      const {goJson} = await import('../../cli/kube/gojson.js')
      this.out(goJson(info, false, '  ') + '\n')
    } else if (output === 'yaml') {
      const {toYaml} = await import('../../cli/kube/yaml.js')
      this.out(toYaml(info))
    } else {
      this.out(`Client Version: ${(info['clientVersion'] as {gitVersion: string}).gitVersion}\n`)
      const server = info['serverVersion'] as {gitVersion?: string} | undefined
      if (server !== undefined) this.out(`Server Version: ${server.gitVersion}\n`)
    }
    if (failure !== undefined) throw failure
  }
}
