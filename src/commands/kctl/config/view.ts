import {KctlCommand} from '../../../cli/kube/base.js'
import {kbool, kstring} from '../../../cli/kube/flags.js'

export default class ConfigView extends KctlCommand {
  static override description = `Display merged kubeconfig settings or a specified kubeconfig file.

Certificate data is shown as DATA+OMITTED and tokens and passwords as REDACTED unless --raw is given. The files are those of the loading rules: --kubeconfig, else every file of $KUBECONFIG merged, else ~/.kube/config.`
  static override examples = [
    '# Show merged kubeconfig settings\n<%= config.bin %> config view',
    '# Show merged kubeconfig settings, raw certificate data, and exposed secrets\n<%= config.bin %> config view --raw',
    '# Only the current context and what it uses\n<%= config.bin %> config view --minify',
    "# Get the password for the e2e user\n<%= config.bin %> config view -o jsonpath='{.users[?(@.name == \"e2e\")].user.password}'",
  ]
  static override flags = {
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file).', default: 'yaml'}),
    minify: kbool({description: 'Remove all information not used by current-context from the output'}),
    raw: kbool({description: 'Display raw byte data and sensitive data'}),
    flatten: kbool({description: 'Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)'}),
    merge: kbool({description: 'Merge the full hierarchy of kubeconfig files', default: true}),
  }

  async run(): Promise<void> {
    this.readArgv()
    const {configJsonDocument, configYaml, loadRaw, minify, redact, sortedConfig} = await import('../../../cli/kube/kubeconfig-edit.js')
    const {parseOutput, formatObjects} = await import('../../../cli/kube/output.js')
    const {goJson} = await import('../../../cli/kube/gojson.js')
    const format = parseOutput(this.str('output'))
    let config = sortedConfig(loadRaw(this.str('kubeconfig')).config)
    if (this.bool('minify')) config = minify(config, this.str('context'))
    if (this.bool('flatten')) {
      const {flatten} = await import('../../../cli/kube/kubeconfig-flatten.js')
      config = flatten(config)
    }
    if (!this.bool('raw')) config = redact(config)
    if (format.kind === 'yaml' || format.kind === 'table') this.out(configYaml(config))
    else if (format.kind === 'json') this.out(goJson(configJsonDocument(config), false) + '\n')
    else this.out(formatObjects(format, [configJsonDocument(config)], true))
  }
}
