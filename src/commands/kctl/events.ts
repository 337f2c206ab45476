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
    '# List recent events for the specified pod\n<%= config.bin %> events --for pod/web-pod-13je7',
    '# List recent events in YAML format\n<%= config.bin %> events -oyaml',
    "# List recent only events of type 'Warning' or 'Normal'\n<%= config.bin %> events --types=Warning,Normal",
  ]
  static override flags = {
    'all-namespaces': kbool({char: 'A', description: 'If present, list the requested object(s) across all namespaces.'}),
    for: kstring({description: 'Filter events to only those pertaining to the specified resource.'}),
    types: kslice({description: 'Output only events of given types.'}),
    watch: kbool({char: 'w', description: 'After listing the requested events, watch for more events.'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
    'no-headers': kbool({description: "When using the default output format, don't print headers."}),
    'chunk-size': kstring({description: 'Return large lists in chunks rather than all at once. Pass 0 to disable.', default: '500'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length > 0) throw new KctlError(`unknown command "${args[0]}" for "kctl events"`)
    const output = this.str('output')
    const {parseOutput, formatObjects} = await import('../../cli/kube/output.js')
    if (output !== undefined && output !== '') {
      const f = parseOutput(output)
      if (f.kind === 'wide' || f.kind === 'custom-columns') {
        throw new KctlError(`unable to match a printer suitable for the output format "${output}", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml`)
      }
    }
    const types = this.list('types')
    for (const t of types) if (t !== 'Normal' && t !== 'Warning') throw new KctlError(`valid --types are Normal or Warning`)
    const conn = await this.connect()
    const {runEvents} = await import('../../cli/kube/events.js')
    await runEvents(conn.client, {
      namespace: conn.namespace,
      allNamespaces: this.bool('all-namespaces'),
      forObject: this.str('for'),
      types,
      watch: this.bool('watch'),
      noHeaders: this.bool('no-headers'),
      format: output ? (items) => formatObjects(parseOutput(output), items, false) : undefined,
      write: (s) => this.out(s),
    })
  }
}
