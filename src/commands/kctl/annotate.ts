import {KctlCommand} from '../../cli/kube/base.js'
import {kbool, kslice, kstring, kstringOpt} from '../../cli/kube/flags.js'

export default class Annotate extends KctlCommand {
  static override description = "Update the annotations on one or more resources.\n\nAll Kubernetes objects support the ability to store additional data with the object as annotations. If --overwrite is true, then existing annotations can be overwritten, otherwise attempting to overwrite an annotation will result in an error. A trailing '-' (KEY-) removes an annotation."
  static override usage = 'annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]'
  static override examples = [
    "# Update pod 'foo' with the annotation 'description' and the value 'my frontend'\n<%= config.bin %> annotate pods foo description='my frontend'",
    "# Update pod 'foo', overwriting any existing value\n<%= config.bin %> annotate --overwrite pods foo description='my frontend running nginx'",
    "# Remove an annotation named 'description' if it exists\n<%= config.bin %> annotate pods foo description-",
  ]
  static override flags = {
    overwrite: kbool({description: 'If true, allow annotations to be overwritten, otherwise reject annotation updates that overwrite existing annotations.'}),
    all: kbool({description: 'Select all resources, in the namespace of the specified resource types'}),
    'all-namespaces': kbool({char: 'A', description: 'If true, check the specified action in all namespaces.'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    'field-selector': kstring({description: "Selector (field query) to filter on, supports '=', '==', and '!='."}),
    filename: kslice({char: 'f', description: 'Filename, directory, or URL to files identifying the resource to update the annotations'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
    'dry-run': kstringOpt({description: 'Must be "none", "server", or "client".', default: 'none', noOptDefault: 'unchanged'}),
    'resource-version': kstring({description: 'If non-empty, the annotations update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.'}),
    'field-manager': kstring({description: 'Name of the manager used to track field ownership.', default: 'kubectl-annotate'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const conn = await this.connect()
    const ns = await this.namespace()
    const {parseDryRun} = await import('../../cli/kube/create-run.js')
    const {runLabel} = await import('../../cli/kube/label-run.js')
    await runLabel(conn.client, args, {
      fieldManager: this.str('field-manager') ?? 'kubectl-annotate',
      what: 'annotation',
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
