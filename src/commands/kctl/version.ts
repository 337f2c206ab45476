import {Command, Flags} from '@oclif/core'
import {clientVersionInfo} from '../../cli/kube-version.js'

export default class Version extends Command {
  static override description = `Print the client version information.

kctl reports the Kubernetes API version it speaks (major, minor) and its own build in gitVersion.`
  static override examples = ['<%= config.bin %> version --client', '<%= config.bin %> version -o json', '<%= config.bin %> version -o yaml']
  static override flags = {
    output: Flags.string({char: 'o', description: 'One of json, yaml', options: ['json', 'yaml']}),
    client: Flags.boolean({description: 'Only print the client version (the default until kctl has a server to ask)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Version)
    const info = clientVersionInfo(this.config.version, process.platform, process.arch)
    if (flags.output === 'json') {
      this.log(JSON.stringify({clientVersion: info}, null, 2))
    } else if (flags.output === 'yaml') {
      const yaml = await import('js-yaml')
      process.stdout.write(yaml.dump({clientVersion: info}))
    } else {
      this.log(`Client Version: ${info.gitVersion}`)
    }
  }
}
