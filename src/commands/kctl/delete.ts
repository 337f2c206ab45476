import {KctlCommand} from '../../cli/kube/base.js'
import {AlreadyReported, KctlError} from '../../cli/kube/errors.js'
import {kbool, kint, kslice, kstring, kstringOpt} from '../../cli/kube/flags.js'

export default class Delete extends KctlCommand {
  static override description = `Delete resources by file names, stdin, resources and names, or by resources and label selector.

JSON and YAML formats are accepted. Only one type of argument may be specified: file names, resources and names, or resources and label selector. By default kctl waits until each object is gone (--wait=false returns at once); --cascade chooses how dependents go (background, foreground, orphan).`
  static override usage = 'delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)])'
  static override examples = [
    '# Delete a pod using the type and name specified in pod.json\n<%= config.bin %> delete -f ./pod.json',
    '# Delete pods and services with same names "baz" and "foo"\n<%= config.bin %> delete pod,service baz foo',
    '# Delete pods and services with label name=myLabel\n<%= config.bin %> delete pods,services -l name=myLabel',
    '# Delete a pod with minimal delay\n<%= config.bin %> delete pod foo --now',
    '# Delete all pods\n<%= config.bin %> delete pods --all',
  ]
  static override flags = {
    filename: kslice({char: 'f', description: 'containing the resource to delete.'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    'field-selector': kstring({description: "Selector (field query) to filter on, supports '=', '==', and '!='."}),
    all: kbool({description: 'Delete all resources, in the namespace of the specified resource types.'}),
    'all-namespaces': kbool({char: 'A', description: 'If present, list the requested object(s) across all namespaces.'}),
    cascade: kstringOpt({description: 'Must be "background", "orphan", or "foreground". Defaults to background.', default: 'background', noOptDefault: 'background'}),
    'grace-period': kint({description: 'Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown.', default: -1}),
    now: kbool({description: 'If true, resources are signaled for immediate shutdown (same as --grace-period=1).'}),
    force: kbool({description: 'If true, immediately remove resources from API and bypass graceful deletion.'}),
    wait: kbool({description: 'If true, wait for resources to be gone before returning. This waits for finalizers.', default: true}),
    timeout: kstring({description: 'The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object', default: '0s'}),
    'ignore-not-found': kbool({description: 'Treat "resource not found" as a successful delete. Defaults to "true" when --all is specified.'}),
    output: kstring({char: 'o', description: 'Output mode. Use "-o name" for shorter output (resource/name).'}),
    'dry-run': kstringOpt({description: 'Must be "none", "server", or "client".', default: 'none', noOptDefault: 'unchanged'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length === 0 && this.list('filename').length === 0) {
      const {NO_RESOURCES} = await import('../../cli/kube/targets.js')
      throw new KctlError(NO_RESOURCES)
    }
    const cascade = this.str('cascade') ?? 'background'
    const policies: Record<string, 'Background' | 'Foreground' | 'Orphan'> = {background: 'Background', foreground: 'Foreground', orphan: 'Orphan', true: 'Background', false: 'Orphan'}
    const policy = policies[cascade]
    if (policy === undefined) throw new KctlError(`invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`)
    const {parseDryRun} = await import('../../cli/kube/create-run.js')
    const dryRun = parseDryRun(this.str('dry-run'))
    // dependents go (or are orphaned) through the garbage collector, which an embedded API server runs here
    this.embeddedControllers = true
    const conn = await this.connect()
    const ns = await this.namespace()
    const {runDelete} = await import('../../cli/kube/delete-run.js')
    const {parseGoDurationMs} = await import('../../cli/kube/connect.js')
    let grace = this.int('grace-period') ?? -1
    if (this.bool('now')) grace = 1
    if (this.bool('force') && grace < 0) grace = 0
    const ok = await runDelete(conn.client, args, {
      filenames: this.list('filename'),
      recursive: this.bool('recursive'),
      selector: this.str('selector'),
      fieldSelector: this.str('field-selector'),
      all: this.bool('all'),
      allNamespaces: this.bool('all-namespaces'),
      namespace: conn.namespace,
      namespaceExplicit: ns.explicit,
      propagationPolicy: policy,
      gracePeriodSeconds: grace >= 0 ? grace : undefined,
      wait: this.bool('wait') && dryRun === 'none',
      timeoutMs: parseGoDurationMs(this.str('timeout') || '0s'),
      ignoreNotFound: this.given.has('ignore-not-found') ? this.bool('ignore-not-found') : this.bool('all'),
      output: this.str('output'),
      dryRun,
      write: (s) => this.out(s),
      report: (e) => this.report(e),
    })
    if (!ok) throw new AlreadyReported()
  }
}
