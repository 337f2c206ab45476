import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'
import {kstring} from '../../../cli/kube/flags.js'

export default class SandboxStatus extends KctlCommand {
  static override description = 'Show whether the sandbox runs, where it listens, its pid and uptime.'
  static override examples = ['<%= config.bin %> sandbox status', '<%= config.bin %> sandbox status -o json']
  static override flags = {
    'data-dir': kstring({description: 'The sandbox data dir (default: $XDG_DATA_HOME/kctl-sandbox or ~/.local/share/kctl-sandbox)'}),
    output: kstring({char: 'o', description: 'One of: json, yaml'}),
  }

  async run(): Promise<void> {
    this.readArgv()
    const output = this.str('output') ?? ''
    if (output !== '' && output !== 'json' && output !== 'yaml') throw new KctlError(`--output must be 'yaml' or 'json'`)
    const {alive, defaultSandboxDir, readPid, readState, logFile, SANDBOX_NAME} = await import('../../../cli/kube/sandbox/state.js')
    const {humanDuration} = await import('../../../cli/kube/table.js')
    const {resolve} = await import('node:path')
    const dataDir = resolve(this.str('data-dir') || defaultSandboxDir())
    const pid = readPid(dataDir)
    const running = pid !== undefined && alive(pid)
    const state = running ? readState(dataDir) : undefined
    const info = {
      name: SANDBOX_NAME,
      running,
      ready: state !== undefined,
      dataDir,
      endpoint: state ? `https://${state.host}:${state.port}` : '',
      pid: running ? pid : 0,
      startedAt: state?.startedAt ?? '',
      uptimeSeconds: state ? Math.floor((Date.now() - Date.parse(state.startedAt)) / 1000) : 0,
      log: logFile(dataDir),
    }
    if (output === 'json') {
      const {goJson} = await import('../../../cli/kube/gojson.js')
      this.out(goJson(info, false, '  ') + '\n')
      return
    }
    if (output === 'yaml') {
      const {toYaml} = await import('../../../cli/kube/yaml.js')
      this.out(toYaml(info, false))
      return
    }
    if (!running) {
      this.out(`Sandbox "${SANDBOX_NAME}" is not running (data dir ${dataDir})\n`)
      return
    }
    this.out(
      `Sandbox "${SANDBOX_NAME}" is ${state ? 'running' : 'starting'}\n` +
        `  endpoint: ${info.endpoint || '-'}\n  pid:      ${pid}\n  uptime:   ${state ? humanDuration(info.uptimeSeconds * 1000) : '-'}\n  data dir: ${dataDir}\n  log:      ${info.log}\n`,
    )
  }
}
