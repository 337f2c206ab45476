import {KctlCommand} from '../../cli/kube/base.js'
import {kbool, kslice, kstring, kstringOpt} from '../../cli/kube/flags.js'

export default class Label extends KctlCommand {
  static override description = "Update the labels on a resource.\n\nA label key and value must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters each. If --overwrite is true, then existing labels can be overwritten, otherwise attempting to overwrite a label will result in an error. A trailing '-' (KEY-) removes a label."
  static override usage = 'label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]'
  static override examples = [
    "# Update pod 'foo' with the label 'unhealthy' and the value 'true'\n<%= config.bin %> label pods foo unhealthy=true",
    "# Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value\n<%= config.bin %> label --overwrite pods foo status=unhealthy",
    "# Update all pods in the namespace\n<%= config.bin %> label pods --all status=unhealthy",
    "# Remove a label named 'bar' if it exists\n<%= config.bin %> label pods foo bar-",
  ]
  static override flags = {
    overwrite: kbool({description: 'If true, allow labels to be overwritten, otherwise reject label updates that overwrite existing labels.'}),
    all: kbool({description: 'Select all resources, in the namespace of the specified resource types'}),
    'all-namespaces': kbool({char: 'A', description: 'If true, check the specified action in all namespaces.'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    'field-selector': kstring({description: "Selector (field query) to filter on, supports '=', '==', and '!='."}),
    filename: kslice({char: 'f', description: 'Filename, directory, or URL to files identifying the resource to update the labels'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
    'dry-run': kstringOpt({description: 'Must be "none", "server", or "client".', default: 'none', noOptDefault: 'unchanged'}),
    'resource-version': kstring({description: 'If non-empty, the labels update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.'}),
    'field-manager': kstring({description: 'Name of the manager used to track field ownership.', default: 'kubectl-label'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const conn = await this.connect()
    const ns = await this.namespace()
    const {parseDryRun} = await import('../../cli/kube/create-run.js')
    const {runLabel} = await import('../../cli/kube/label-run.js')
    await runLabel(conn.client, args, {
      fieldManager: this.str('field-manager') ?? 'kubectl-label',
      what: 'label',
      overwrite: this.bool('overwrite'),
      dryRun: parseDryRun(this.str('dry-run')),
      output: this.str('output'),
      resourceVersion: this.str('resource-version'),
      filenames: this.list('filename'),
      recursive: this.bool('recursive'),
      selector: this.str('selector'),
      fieldSelector: this.str('field-selector'),
      all: this.bool('all'),
      allNamespaces: this.bool('all-namespaces'),
      namespace: conn.namespace,
      namespaceExplicit: ns.explicit,
      write: (s) => this.out(s),
      warn: (s) => this.out(s),
    })
  }
}
