import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kslice, kstring} from '../../cli/kube/flags.js'

export default class ApiResources extends KctlCommand {
  static override description = 'Print the supported API resources on the server.'
  static override usage = 'api-resources [flags]'
  static override examples = [
    '# Print the supported API resources\n<%= config.bin %> api-resources',
    '# Print the supported API resources with more information\n<%= config.bin %> api-resources -o wide',
    '# Print the supported namespaced resources\n<%= config.bin %> api-resources --namespaced=true',
    '# Print the supported API resources with a specific APIGroup\n<%= config.bin %> api-resources --api-group=rbac.authorization.k8s.io',
  ]
  static override flags = {
    output: kstring({char: 'o', description: 'Output format. One of: (wide, name).'}),
    namespaced: kbool({description: 'If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.', default: true}),
    'api-group': kstring({description: 'Limit to resources in the specified API group.'}),
    verbs: kslice({description: 'Limit to resources that support the specified verbs.'}),
    'no-headers': kbool({description: "When using the default or custom-column output format, don't print headers (default print headers)."}),
    'sort-by': kstring({description: "If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'."}),
    cached: kbool({description: 'Use the cached list of resources if available.'}),
  }

  async run(): Promise<void> {
    this.readArgv()
    const output = this.str('output') ?? ''
    if (output !== '' && output !== 'wide' && output !== 'name') throw new KctlError(`--output ${output} is not available`)
    const sortBy = this.str('sort-by') ?? ''
    if (sortBy !== '' && sortBy !== 'name' && sortBy !== 'kind') throw new KctlError(`--sort-by accepts only name or kind`)
    const data = await (await this.client()).discovery()
    const preferred = new Map(data.groups.map((g) => [g.name, g.preferredVersion]))
    let rows = data.resources.filter((r) => preferred.get(r.group) === r.version)
    if (this.given.has('namespaced')) rows = rows.filter((r) => r.namespaced === this.bool('namespaced'))
    if (this.given.has('api-group')) rows = rows.filter((r) => r.group === (this.str('api-group') ?? ''))
    const verbs = this.list('verbs')
    if (verbs.length > 0) rows = rows.filter((r) => verbs.every((v) => r.verbs.includes(v)))
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
    rows.sort((a, b) => cmp(a.group, b.group) || (sortBy === 'kind' ? cmp(a.kind, b.kind) : cmp(a.name, b.name)))
    if (output === 'name') {
      this.out(rows.map((r) => `${r.name}${r.group === '' ? '' : `.${r.group}`}\n`).join(''))
      return
    }
    const {tabulate} = await import('../../cli/kube/tabwriter.js')
    const wide = output === 'wide'
    let text = this.bool('no-headers') ? '' : `NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND${wide ? '\tVERBS\tCATEGORIES' : ''}\n`
    for (const r of rows) {
      const gv = r.group === '' ? r.version : `${r.group}/${r.version}`
      text += `${r.name}\t${r.shortNames.join(',')}\t${gv}\t${r.namespaced}\t${r.kind}`
      if (wide) text += `\t${[...r.verbs].sort().join(',')}\t${r.categories.join(',')}`
      text += '\n'
    }
    this.out(tabulate(text))
  }
}
