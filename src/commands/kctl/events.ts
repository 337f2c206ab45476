import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kslice, kstring} from '../../cli/kube/flags.js'

export default class Events extends KctlCommand {
  static override description = `Display events.

Prints a table of the most important information about events, oldest first. --for limits them to one object, --types to some event types; -w keeps printing new events.`
  static override usage = 'events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning]'
  static override examples = [
    '# List recent events in the default namespace\n<%= config.bin %> events',
    '# List recent events in all namespaces\n<%= config.bin %> events --all-namespaces',
    '# List recent events for the specified pod, then wait for more events and list them as they arrive\n<%= config.bin %> events --for pod/web-pod-13je7 --watch',
    '# List recent events in YAML format\n<%= config.bin %> events -oyaml',
    "# List recent only events of type 'Warning' or 'Normal'\n<%= config.bin %> events --types=Warning,Normal",
  ]
  static override flags = {
    'all-namespaces': kbool({char: 'A', description: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.'}),
    'allow-missing-template-keys': kbool({description: 'If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.', default: true}),
    'chunk-size': kstring({description: 'Return large lists in chunks rather than all at once. Pass 0 to disable.', default: '500'}),
    for: kstring({description: 'Filter events to only those pertaining to the specified resource.'}),
    'no-headers': kbool({description: "When using the default output format, don't print headers."}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
    'show-managed-fields': kbool({description: 'If true, keep the managedFields when printing objects in JSON or YAML format.'}),
    template: kstring({description: 'Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].'}),
    types: kslice({description: 'Output only events of given types.'}),
    watch: kbool({char: 'w', description: 'After listing the requested events, watch for more events.'}),
  }

  async run(): Promise<void> {
    // kubectl events takes no arguments and ignores any it is given
    this.readArgv()
    // kubectl's order: --for (through discovery), then the printer, then --types
    const conn = await this.connect()
    const {runEvents, eventsForSelector} = await import('../../cli/kube/events.js')
    const fieldSelector = await eventsForSelector(conn.client, this.str('for'))
    const output = this.str('output')
    const {parseOutput} = await import('../../cli/kube/output.js')
    let format
    if (output !== undefined && output !== '') {
      format = parseOutput(output, {template: this.str('template'), allowMissingKeys: this.bool('allow-missing-template-keys')})
      if (format.kind === 'wide' || format.kind === 'custom-columns') {
        throw new KctlError(`unable to match a printer suitable for the output format "${output}", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml`)
      }
    }
    const types = this.list('types')
    for (const t of types) if (t.toLowerCase() !== 'normal' && t.toLowerCase() !== 'warning') throw new KctlError(`valid --types are Normal or Warning`)
    const abort = new AbortController()
    const onSigint = () => abort.abort()
    process.once('SIGINT', onSigint)
    try {
      await runEvents(conn.client, {
        namespace: conn.namespace,
        allNamespaces: this.bool('all-namespaces'),
        fieldSelector,
        types,
        watch: this.bool('watch'),
        noHeaders: this.bool('no-headers'),
        format,
        showManagedFields: this.bool('show-managed-fields'),
        write: (s) => this.out(s),
        signal: abort.signal,
      })
      // kubectl's interrupt handler ends a watch stopped by Ctrl-C with exit code 1
      if (abort.signal.aborted) process.exitCode = 1
    } finally {
      process.off('SIGINT', onSigint)
    }
  }
}
