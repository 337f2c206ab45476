import {KctlCommand} from '../../../cli/kube/base.js'
import {kstring} from '../../../cli/kube/flags.js'

export default class SandboxDown extends KctlCommand {
  static override description = `Stop the sandbox and remove its kubeconfig entries.

The server gets SIGTERM and is waited for (SIGKILL after --timeout); its data stays in the data dir, so the next "sandbox up" finds every object again. The kctl-sandbox cluster, user and context leave the kubeconfig, as "kind delete cluster" removes its own.`
  static override examples = ['<%= config.bin %> sandbox down', '<%= config.bin %> sandbox down --data-dir ./.sandbox --kubeconfig ./kubeconfig']
  static override flags = {
    'data-dir': kstring({description: 'The sandbox data dir (default: $XDG_DATA_HOME/kctl-sandbox or ~/.local/share/kctl-sandbox)'}),
    timeout: kstring({description: 'How long to wait for the server to stop before killing it', default: '10s'}),
  }

  async run(): Promise<void> {
    this.readArgv()
    const {sandboxDown} = await import('../../../cli/kube/sandbox/down.js')
    const {defaultSandboxDir, SANDBOX_NAME} = await import('../../../cli/kube/sandbox/state.js')
    const {parseGoDurationMs} = await import('../../../cli/kube/connect.js')
    const {resolve} = await import('node:path')
    const dataDir = resolve(this.str('data-dir') || defaultSandboxDir())
    const r = await sandboxDown(dataDir, this.str('kubeconfig') || undefined, parseGoDurationMs(this.str('timeout') || '10s'))
    if (r.pid === undefined) this.out(`Sandbox "${SANDBOX_NAME}" was not running\n`)
    else this.out(`Sandbox "${SANDBOX_NAME}" stopped (pid ${r.pid}${r.killed ? ', killed' : ''})\n`)
    if (r.removedContext) this.out(`Removed context "${SANDBOX_NAME}" from ${r.kubeconfig}\n`)
  }
}
