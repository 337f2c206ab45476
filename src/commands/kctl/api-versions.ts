import {KctlCommand} from '../../cli/kube/base.js'

export default class ApiVersions extends KctlCommand {
  static override description = 'Print the supported API versions on the server, in the form of "group/version".'
  static override examples = ['# Print the supported API versions\n<%= config.bin %> api-versions']
  static override flags = {}

  async run(): Promise<void> {
    this.readArgv()
    const data = await (await this.client()).discovery()
    const versions = data.groups.flatMap((g) => g.versions.map((v) => (g.name === '' ? v : `${g.name}/${v}`)))
    this.out(versions.sort().map((v) => `${v}\n`).join(''))
  }
}
