import {KctlCommand} from '../../../cli/kube/base.js'
import {kint, kstring} from '../../../cli/kube/flags.js'

export default class SandboxServe extends KctlCommand {
  static override description = `Run the sandbox's API server in the foreground (what "sandbox up" starts in the background).`
  static override examples = ['<%= config.bin %> sandbox serve --data-dir ~/.local/share/kctl-sandbox --api-port 6443']
  static override flags = {
    'data-dir': kstring({description: 'The sandbox data dir'}),
    'api-port': kint({description: 'The port to listen on (0: any free port)', default: 0}),
  }

  async run(): Promise<void> {
    this.readArgv()
    const {serveSandbox} = await import('../../../cli/kube/sandbox/serve.js')
    const {defaultSandboxDir} = await import('../../../cli/kube/sandbox/state.js')
    const {resolve} = await import('node:path')
    await serveSandbox(resolve(this.str('data-dir') || defaultSandboxDir()), this.int('api-port') ?? 0, (s) => process.stdout.write(s))
  }
}
