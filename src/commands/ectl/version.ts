import {EctlCommand} from '../../cli/base.js'

/** The etcd API version our wire types follow. */
const API_VERSION = '3.5'

export default class Version extends EctlCommand {
  static override summary = 'Prints the version of ectl'
  static override description = `Prints the version of ectl and the etcd API version it speaks.

etcdctl prints "etcdctl version: 3.x.y" and "API version: 3.x"; ectl keeps the same two-line
shape, so scripts that read "API version:" keep working, but names itself and its own
package version on the first line ("ectl version: 0.1.0"): claiming an etcdctl release
number would be untrue. The API version is the etcd v3 API our wire types follow (3.5).`
  static override examples = ['<%= config.bin %> version']
  static override usage = 'version'
  static override etcdctl = {use: 'version', short: 'Prints the version of etcdctl'}

  async run(): Promise<void> {
    await this.parseEtcdctl(Version)
    this.write(`${this.config.bin} version: ${this.config.version}\nAPI version: ${API_VERSION}\n`)
  }
}
