import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'
import {kbool, kstring} from '../../../cli/kube/flags.js'

export default class ConfigGetContexts extends KctlCommand {
  static override description = 'Display one or many contexts from the kubeconfig file.'
  static override examples = [
    '# List all the contexts in your kubeconfig file\n<%= config.bin %> config get-contexts',
    '# Describe one context in your kubeconfig file\n<%= config.bin %> config get-contexts my-context',
  ]
  static override flags = {
    output: kstring({char: 'o', description: 'Output format. One of: (name).', options: ['name']}),
    'no-headers': kbool({description: "When using the default or custom-column output format, don't print headers (default print headers)."}),
  }

  async run(): Promise<void> {
    const names = this.readArgv()
    const output = this.str('output')
    if (output !== undefined && output !== '' && output !== 'name') throw new KctlError(`output must be one of '' or 'name': ${output}`)
    const {loadRaw, sortedConfig} = await import('../../../cli/kube/kubeconfig-edit.js')
    const {tabulate} = await import('../../../cli/kube/tabwriter.js')
    const config = sortedConfig(loadRaw(this.str('kubeconfig')).config)
    const current = config['current-context']
    let contexts = config.contexts
    const missing: string[] = []
    if (names.length > 0) {
      contexts = []
      for (const n of names) {
        const c = config.contexts.find((x) => x.name === n)
        if (c === undefined) missing.push(n)
        else contexts.push(c)
      }
    }
    if (output === 'name') {
      this.out(contexts.map((c) => `${c.name}\n`).join(''))
    } else {
      let text = this.bool('no-headers') ? '' : 'CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n'
      for (const c of contexts) {
        text += `${c.name === current ? '*' : ''}\t${c.name}\t${c.context.cluster ?? ''}\t${c.context.user ?? ''}\t${c.context.namespace ?? ''}\n`
      }
      this.out(tabulate(text))
    }
    if (missing.length > 0) throw new KctlError(`context ${missing.join(', ')} not found`)
  }
}
