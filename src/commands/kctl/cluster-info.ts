import {KctlCommand} from '../../cli/kube/base.js'

export default class ClusterInfo extends KctlCommand {
  static override description = `Display addresses of the control plane and services with label kubernetes.io/cluster-service=true.

To further debug and diagnose cluster problems, use 'kctl get events -A' and 'kctl describe'.`
  static override examples = ['# Print the address of the control plane and cluster services\n<%= config.bin %> cluster-info']
  static override flags = {}

  async run(): Promise<void> {
    this.readArgv()
    const conn = await this.connect()
    // the server must answer before kctl claims it is running
    await conn.client.json('GET', '/version')
    const green = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined
    const paint = (code: number, s: string) => (green ? `\u001b[0;${code}m${s}\u001b[0m` : s)
    this.out(`${paint(32, 'Kubernetes control plane')} is running at ${paint(33, conn.serverUrl)}\n`)
    this.out(`\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`)
  }
}
