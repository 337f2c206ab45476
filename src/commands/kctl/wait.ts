import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kslice, kstring} from '../../cli/kube/flags.js'

export default class Wait extends KctlCommand {
  static override description = `Wait for a specific condition on one or many resources.

The command takes multiple resources and waits until the specified condition is seen in the Status field of every given resource. --for=delete waits until they are gone; --for=jsonpath='{JSONPath expression}'=value waits until the expression has the value (or, without =value, exists); --for=create waits until they exist.`
  static override usage = 'wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath=\'{}\'[=value]]'
  static override examples = [
    '# Wait for the pod "busybox1" to contain the status condition of type "Ready"\n<%= config.bin %> wait --for=condition=Ready pod/busybox1',
    '# The default value of status condition is true; you can wait for other targets after an equal delimiter\n<%= config.bin %> wait --for=condition=Ready=false pod/busybox1',
    '# Wait for the pod "busybox1" to contain the status phase to be "Running"\n<%= config.bin %> wait --for=jsonpath=\'{.status.phase}\'=Running pod/busybox1',
    '# Wait for pod "busybox1" to be deleted, with a timeout of 60s, after having issued the "delete" command\n<%= config.bin %> delete pod/busybox1\n<%= config.bin %> wait --for=delete pod/busybox1 --timeout=60s',
  ]
  static override flags = {
    for: kstring({description: "The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]."}),
    timeout: kstring({description: 'The length of time to wait before giving up.  Zero means check once and don\'t wait, negative means wait for a week.', default: '30s'}),
    filename: kslice({char: 'f', description: 'identifying the resource.'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    'field-selector': kstring({description: "Selector (field query) to filter on, supports '=', '==', and '!='."}),
    all: kbool({description: 'Select all resources in the namespace of the specified resource types'}),
    'all-namespaces': kbool({char: 'A', description: 'If present, list the requested object(s) across all namespaces.'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const forFlag = this.str('for')
    if (forFlag === undefined || forFlag === '') throw new KctlError('unrecognized condition: ""')
    const {parseCondition, runWait} = await import('../../cli/kube/wait.js')
    const condition = parseCondition(forFlag)
    const {parseGoDurationMs} = await import('../../cli/kube/connect.js')
    const raw = this.str('timeout') || '30s'
    const timeoutMs = raw.startsWith('-') ? 7 * 86_400_000 : parseGoDurationMs(raw)
    const conn = await this.connect()
    const ns = await this.namespace()
    const ok = await runWait(conn.client, args, condition, {
      filenames: this.list('filename'),
      recursive: this.bool('recursive'),
      selector: this.str('selector'),
      fieldSelector: this.str('field-selector'),
      all: this.bool('all'),
      allNamespaces: this.bool('all-namespaces'),
      namespace: conn.namespace,
      namespaceExplicit: ns.explicit,
      timeoutMs,
      output: this.str('output'),
      write: (s) => this.out(s),
      report: (e) => this.report(e),
    })
    if (!ok) process.exitCode = 1
  }
}
