import {KctlCommand, requiredFlagError} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kint, kslice, kstring, kstringOpt} from '../../cli/kube/flags.js'

export default class Scale extends KctlCommand {
  static override description = `Set a new size for a deployment, replica set, replication controller, or stateful set.

Scale also allows users to specify one or more preconditions for the scale action: with --current-replicas or --resource-version, the scale is only done if the object still matches.`
  static override usage = 'scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)'
  static override examples = [
    "# Scale a replica set named 'foo' to 3\n<%= config.bin %> scale --replicas=3 rs/foo",
    "# If the deployment named mysql's current size is 2, scale mysql to 3\n<%= config.bin %> scale --current-replicas=2 --replicas=3 deployment/mysql",
    '# Scale multiple replication controllers\n<%= config.bin %> scale --replicas=5 rc/example1 rc/example2 rc/example3',
  ]
  static override flags = {
    replicas: kint({description: 'The new desired number of replicas. Required.', default: -1}),
    'current-replicas': kint({description: 'Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.', default: -1}),
    'resource-version': kstring({description: 'Precondition for resource version. Requires that the current resource version match this value in order to scale.'}),
    filename: kslice({char: 'f', description: 'Filename, directory, or URL to files identifying the resource to set a new size'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    all: kbool({description: 'Select all resources in the namespace of the specified resource types'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
    'dry-run': kstringOpt({description: 'Must be "none", "server", or "client".', default: 'none', noOptDefault: 'unchanged'}),
    timeout: kstring({description: 'The length of time to wait before giving up on a scale operation, zero means don\'t wait.', default: '0s'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (!this.given.has('replicas')) throw requiredFlagError('replicas')
    const replicas = this.int('replicas') ?? -1
    if (replicas < 0) throw new KctlError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0')
    const conn = await this.connect()
    const ns = await this.namespace()
    const {resolveTargets, targetName} = await import('../../cli/kube/targets.js')
    const {parseDryRun, dryRunSuffix} = await import('../../cli/kube/create-run.js')
    const {formatObjects, parseOutput} = await import('../../cli/kube/output.js')
    const dryRun = parseDryRun(this.str('dry-run'))
    const {targets} = await resolveTargets(conn.client, args, {
      filenames: this.list('filename'),
      recursive: this.bool('recursive'),
      selector: this.str('selector'),
      all: this.bool('all'),
      namespace: conn.namespace,
      namespaceExplicit: ns.explicit,
    })
    if (targets.length === 0) throw new KctlError('no objects passed to scale')
    const current = this.int('current-replicas') ?? -1
    for (const t of targets) {
      const scalePath = conn.client.path(t.resource, t.namespace, t.name, 'scale')
      if (current >= 0 || this.str('resource-version')) {
        const scale = await conn.client.json<{spec?: {replicas?: number}; metadata?: {resourceVersion?: string}}>('GET', scalePath)
        if (current >= 0 && (scale.spec?.replicas ?? 0) !== current) {
          throw new KctlError(`Expected replicas to be ${current}, was ${scale.spec?.replicas ?? 0}`)
        }
        const rv = this.str('resource-version')
        if (rv && scale.metadata?.resourceVersion !== rv) throw new KctlError(`Expected resource version to be ${rv}, was ${scale.metadata?.resourceVersion}`)
      }
      const patch = {spec: {replicas}}
      let result: Record<string, unknown> = {}
      if (dryRun !== 'client') {
        result = await conn.client.patch(t.resource, t.namespace, t.name, 'merge', patch, {dryRun: dryRun === 'server'}, 'scale')
      }
      const output = this.str('output')
      if (output) this.out(formatObjects(parseOutput(output), [result], true))
      else this.out(`${targetName(t)} scaled${dryRunSuffix(dryRun)}\n`)
    }
  }
}
