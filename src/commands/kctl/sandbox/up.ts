import {KctlCommand} from '../../../cli/kube/base.js'
import {kint, kstring} from '../../../cli/kube/flags.js'

export default class SandboxUp extends KctlCommand {
  static override description = `Start a local Kubernetes API server in the background and point kubectl at it.

The server runs the embedded engine on its data dir and serves the Kubernetes API over HTTPS on 127.0.0.1, with a CA, a server certificate and an admin client certificate made for it. Its log and pid file are in the data dir. The kubeconfig gets a cluster, user and context named kctl-sandbox, and the context becomes current. Running up again on a running sandbox only rewrites the context.`
  static override examples = [
    '# Start the sandbox and use it\n<%= config.bin %> sandbox up\n<%= config.bin %> get namespaces',
    '# Keep the sandbox in a project folder, on a fixed port, with its own kubeconfig\n<%= config.bin %> sandbox up --data-dir ./.sandbox --api-port 6443 --kubeconfig ./kubeconfig',
  ]
  static override flags = {
    'data-dir': kstring({description: 'Where the sandbox keeps its data, certificates, log and pid file (default: $XDG_DATA_HOME/kctl-sandbox or ~/.local/share/kctl-sandbox)'}),
    'api-port': kint({description: 'The port the API server listens on (0: any free port)', default: 0}),
    wait: kstring({description: 'How long to wait for the API server to be ready', default: '60s'}),
  }

  async run(): Promise<void> {
    this.readArgv()
    const {sandboxUp} = await import('../../../cli/kube/sandbox/up.js')
    const {defaultSandboxDir, SANDBOX_NAME} = await import('../../../cli/kube/sandbox/state.js')
    const {parseGoDurationMs} = await import('../../../cli/kube/connect.js')
    const {resolve} = await import('node:path')
    const dataDir = resolve(this.str('data-dir') || defaultSandboxDir())
    const tty = process.stderr.isTTY === true
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
    let frame = 0
    let lastTick = -1
    if (!tty) process.stderr.write(`Starting sandbox "${SANDBOX_NAME}" in ${dataDir} ...\n`)
    const result = await sandboxUp({
      dataDir,
      port: this.int('api-port') ?? 0,
      kubeconfig: this.str('kubeconfig') || undefined,
      serveCommand: [process.execPath, process.argv[1]!, 'sandbox', 'serve'],
      waitMs: parseGoDurationMs(this.str('wait') || '60s'),
      progress: (ms, done) => {
        if (!tty) return
        const tick = Math.floor(ms / 100)
        if (!done && tick === lastTick) return
        lastTick = tick
        const mark = done ? '\u2713' : frames[frame++ % frames.length]
        process.stderr.write(`\r ${mark} Starting the Kubernetes API server ${(ms / 1000).toFixed(1)}s${done ? '\n' : ''}`)
      },
    })
    const seconds = (result.elapsedMs / 1000).toFixed(1)
    this.out(
      result.already
        ? `Sandbox "${SANDBOX_NAME}" is already running at ${result.server} (pid ${result.pid})\n`
        : `Sandbox "${SANDBOX_NAME}" is up at ${result.server} (pid ${result.pid}, ready in ${seconds}s)\n`,
    )
    this.out(`Set kubectl context to "${SANDBOX_NAME}" in ${result.kubeconfig}\nYou can now use your cluster with:\n\nkctl cluster-info --context ${SANDBOX_NAME}\n`)
  }
}
