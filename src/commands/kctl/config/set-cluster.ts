import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'
import {kbool} from '../../../cli/kube/flags.js'

export default class ConfigSetCluster extends KctlCommand {
  static override description = `Set a cluster entry in kubeconfig.

Specifying a name that already exists will merge new fields on top of existing values for those fields.`
  static override usage = 'config set-cluster NAME [--server=server] [--certificate-authority=path/to/certificate/authority] [--insecure-skip-tls-verify=true] [--tls-server-name=example.com]'
  static override examples = [
    '# Set only the server field on the e2e cluster entry without touching other values\n<%= config.bin %> config set-cluster e2e --server=https://1.2.3.4',
    '# Embed certificate authority data for the e2e cluster entry\n<%= config.bin %> config set-cluster e2e --embed-certs --certificate-authority=~/.kube/e2e/kubernetes.ca.crt',
  ]
  static override flags = {
    'embed-certs': kbool({description: 'embed-certs for the cluster entry in kubeconfig'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length !== 1) throw new KctlError('Unexpected args', `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl config set-cluster -h' for help and examples\n`)
    const name = args[0]!
    const {editFile, fileFor, loadRaw} = await import('../../../cli/kube/kubeconfig-edit.js')
    const {readFileSync} = await import('node:fs')
    const {resolve} = await import('node:path')
    const loaded = loadRaw(this.str('kubeconfig'))
    editFile(fileFor(loaded, 'cluster', name), (c) => {
      let entry = c.clusters.find((x) => x.name === name)
      if (entry === undefined) {
        entry = {name, cluster: {}}
        c.clusters.push(entry)
      }
      const cl = entry.cluster
      if (this.given.has('server')) cl.server = this.str('server')
      if (this.given.has('insecure-skip-tls-verify')) {
        if (this.bool('insecure-skip-tls-verify')) {
          cl['insecure-skip-tls-verify'] = true
          delete cl['certificate-authority']
          delete cl['certificate-authority-data']
        } else delete cl['insecure-skip-tls-verify']
      }
      if (this.given.has('tls-server-name')) cl['tls-server-name'] = this.str('tls-server-name')
      const ca = this.str('certificate-authority')
      if (ca !== undefined && ca !== '') {
        if (this.bool('embed-certs')) {
          cl['certificate-authority-data'] = readFileSync(ca).toString('base64')
          delete cl['certificate-authority']
        } else {
          cl['certificate-authority'] = resolve(ca)
          delete cl['certificate-authority-data']
        }
        delete cl['insecure-skip-tls-verify']
      }
    })
    this.out(`Cluster "${name}" set.\n`)
  }
}
