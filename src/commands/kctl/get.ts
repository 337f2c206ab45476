import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kint, kslice, kstring} from '../../cli/kube/flags.js'

export default class Get extends KctlCommand {
  static override description = `Display one or many resources.

Prints a table of the most important information about the specified resources (the columns the API server chooses). Filter with a label selector (-l) or a field selector; -A lists every namespace. -o chooses another format: json, yaml, name, wide, jsonpath=TEMPLATE, jsonpath-file=FILE, go-template=TEMPLATE, go-template-file=FILE, custom-columns=SPEC, custom-columns-file=FILE.

Use "kctl api-resources" for a complete list of supported resources.`
  static override usage = 'get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]'
  static override examples = [
    '# List all pods in ps output format\n<%= config.bin %> get pods',
    '# List all pods in ps output format with more information (such as node name)\n<%= config.bin %> get pods -o wide',
    '# List a single pod in JSON output format\n<%= config.bin %> get -o json pod web-pod-13je7',
    '# List deployments and services together\n<%= config.bin %> get deployments,services',
    '# List one pod and one service by type/name\n<%= config.bin %> get pod/web svc/frontend',
    '# Print the names and phases of every pod\n<%= config.bin %> get pods -A -o custom-columns=NAME:.metadata.name,PHASE:.status.phase',
    "# Print each config map's name and its number of keys with a Go template\n<%= config.bin %> get cm -o go-template='{{range .items}}{{.metadata.name}} {{len .data}}{{\"\\n\"}}{{end}}'",
    "# Print only the names, one a line\n<%= config.bin %> get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'",
    '# Watch pods as they change\n<%= config.bin %> get pods -w',
  ]
  static override flags = {
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide).'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints."}),
    'field-selector': kstring({description: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."}),
    'all-namespaces': kbool({char: 'A', description: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.'}),
    watch: kbool({char: 'w', description: 'After listing/getting the requested object, watch for changes.'}),
    'watch-only': kbool({description: 'Watch for changes to the requested object(s), without listing/getting first.'}),
    'show-labels': kbool({description: 'When printing, show all labels as the last column (default hide labels column)'}),
    'label-columns': kslice({char: 'L', description: 'Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2...'}),
    'sort-by': kstring({description: "If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}')."}),
    'no-headers': kbool({description: 'When using the default or custom-column output format, don\'t print headers (default print headers).'}),
    'chunk-size': kint({description: 'Return large lists in chunks rather than all at once. Pass 0 to disable.', default: 500}),
    'ignore-not-found': kbool({description: 'If set to true, suppresses NotFound error for specific objects that do not exist.'}),
    'show-kind': kbool({description: 'If present, list the resource type for the requested object(s).'}),
    template: kstring({description: 'Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].'}),
    'show-managed-fields': kbool({description: 'If true, keep the managedFields when printing objects in JSON or YAML format.'}),
    'allow-missing-template-keys': kbool({description: 'If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.', default: true}),
    'output-watch-events': kbool({description: 'Output watch event objects when --watch or --watch-only is used.', hidden: true}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const {parseOutput} = await import('../../cli/kube/output.js')
    const output = parseOutput(this.str('output'), {template: this.str('template'), allowMissingKeys: this.bool('allow-missing-template-keys')})
    if (args.length === 0) {
      throw new KctlError(
        'Required resource not specified.',
        'You must specify the type of resource to get. Use "kctl api-resources" for a complete list of supported resources.\n\n' +
          'error: Required resource not specified.\nUse "kctl explain <resource>" for a detailed description of that resource (e.g. kctl explain pods).\n' +
          "See 'kctl get -h' for help and examples\n",
      )
    }
    const conn = await this.connect()
    const {resourceRequests} = await import('../../cli/kube/resources.js')
    const requests = await resourceRequests(conn.client, args)
    const {runGet} = await import('../../cli/kube/get.js')
    const abort = new AbortController()
    const onSigint = () => abort.abort()
    process.once('SIGINT', onSigint)
    try {
      await runGet(conn.client, requests, {
        output,
        namespace: conn.namespace,
        allNamespaces: this.bool('all-namespaces'),
        labelSelector: this.str('selector'),
        fieldSelector: this.str('field-selector'),
        showLabels: this.bool('show-labels'),
        labelColumns: this.list('label-columns'),
        noHeaders: this.bool('no-headers'),
        showManagedFields: this.bool('show-managed-fields'),
        sortBy: this.str('sort-by'),
        chunkSize: this.int('chunk-size') ?? 500,
        ignoreNotFound: this.bool('ignore-not-found'),
        watch: this.bool('watch'),
        watchOnly: this.bool('watch-only'),
        report: (err) => this.report(err),
        write: (s) => this.out(s),
        writeErr: (s) => process.stderr.write(s),
        signal: abort.signal,
        now: () => new Date(),
      })
    } finally {
      process.off('SIGINT', onSigint)
    }
  }
}
