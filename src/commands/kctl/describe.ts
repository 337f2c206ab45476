import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kstring} from '../../cli/kube/flags.js'

export default class Describe extends KctlCommand {
  static override description = `Show details of a specific resource or group of resources.

Print a detailed description of the selected resources, including related resources such as events. With a NAME that matches no object exactly, every object whose name starts with NAME is described. Pods, deployments, services, namespaces, config maps and nodes have their own layouts; other kinds print their fields.`
  static override usage = 'describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)'
  static override examples = [
    '# Describe a node\n<%= config.bin %> describe nodes kubernetes-node-emt8.c.myproject.internal',
    '# Describe a pod\n<%= config.bin %> describe pods/nginx',
    '# Describe all pods\n<%= config.bin %> describe pods',
    "# Describe pods by label name=myLabel\n<%= config.bin %> describe pods -l name=myLabel",
    "# Describe all pods managed by the 'frontend' replication controller\n<%= config.bin %> describe pods frontend",
  ]
  static override flags = {
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    'all-namespaces': kbool({char: 'A', description: 'If present, list the requested object(s) across all namespaces.'}),
    'show-events': kbool({description: 'If true, display events related to the described object.', default: true}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length === 0) {
      throw new KctlError(
        'Required resource not specified.',
        'You must specify the type of resource to describe. Use "kctl api-resources" for a complete list of supported resources.\n\n' +
          "error: Required resource not specified.\nSee 'kctl describe -h' for help and examples\n",
      )
    }
    const conn = await this.connect()
    const {resourceRequests} = await import('../../cli/kube/resources.js')
    const {runDescribe} = await import('../../cli/kube/describe/describe.js')
    await runDescribe(conn.client, await resourceRequests(conn.client, args), {
      namespace: conn.namespace,
      allNamespaces: this.bool('all-namespaces'),
      selector: this.str('selector'),
      showEvents: this.bool('show-events'),
      write: (s) => this.out(s),
      report: (e) => this.report(e),
    })
  }
}
