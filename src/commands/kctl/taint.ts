import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kstring, kstringOpt} from '../../cli/kube/flags.js'

export default class Taint extends KctlCommand {
  static override description = `Update the taints on one or more nodes.

A taint consists of a key, value, and effect. As an argument here, it is expressed as key=value:effect. The effect must be NoSchedule, PreferNoSchedule or NoExecute. A trailing '-' (key:effect- or key-) removes taints.`
  static override usage = 'taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N'
  static override examples = [
    "# Update node 'foo' with a taint with key 'dedicated' and value 'special-user' and effect 'NoSchedule'\n<%= config.bin %> taint nodes foo dedicated=special-user:NoSchedule",
    "# Remove from node 'foo' the taint with key 'dedicated' and effect 'NoSchedule' if one exists\n<%= config.bin %> taint nodes foo dedicated:NoSchedule-",
    "# Remove from node 'foo' all the taints with key 'dedicated'\n<%= config.bin %> taint nodes foo dedicated-",
  ]
  static override flags = {
    overwrite: kbool({description: 'If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints.'}),
    all: kbool({description: 'Select all nodes in the cluster'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    'dry-run': kstringOpt({description: 'Must be "none", "server", or "client".', default: 'none', noOptDefault: 'unchanged'}),
    'field-manager': kstring({description: 'Name of the manager used to track field ownership.', default: 'kubectl-taint'}),
    validate: kstringOpt({description: 'Must be one of: strict (or true), warn, ignore (or false).', default: 'strict', noOptDefault: 'strict'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const {parseTaints, runTaint} = await import('../../cli/kube/taint.js')
    const first = args.findIndex((a) => a.includes('=') || a.includes(':') || a.endsWith('-'))
    const resourceArgs = first < 0 ? args : args.slice(0, first)
    const changes = parseTaints(first < 0 ? [] : args.slice(first))
    if (resourceArgs.length === 0) throw new KctlError('at least one resource name must be specified since \'all\' parameter is not set')
    const conn = await this.connect()
    const {parseDryRun} = await import('../../cli/kube/create-run.js')
    const {parseValidate} = await import('../../cli/kube/field-validation.js')
    await runTaint(conn.client, resourceArgs, changes, {
      overwrite: this.bool('overwrite'),
      all: this.bool('all'),
      selector: this.str('selector'),
      dryRun: parseDryRun(this.str('dry-run')),
      fieldManager: this.str('field-manager') ?? 'kubectl-taint',
      fieldValidation: parseValidate(this.str('validate')),
      output: this.str('output'),
      namespace: conn.namespace,
      write: (s) => this.out(s),
    })
  }
}
