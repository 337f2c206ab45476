import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kslice, kstring, kstringOpt} from '../../cli/kube/flags.js'

export default class Patch extends KctlCommand {
  static override description = `Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

JSON and YAML formats are accepted for the patch. Custom resources take --type=merge or --type=json (strategic merge patch is for built-in kinds).`
  static override usage = 'patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]'
  static override examples = [
    '# Partially update a node using a strategic merge patch, specifying the patch as JSON\n<%= config.bin %> patch node k8s-node-1 -p \'{"spec":{"unschedulable":true}}\'',
    '# Update a container\'s image; spec.containers[*].name is required because it\'s a merge key\n<%= config.bin %> patch pod valid-pod -p \'{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}\'',
    '# Update a container\'s image using a JSON patch with positional arrays\n<%= config.bin %> patch pod valid-pod --type=\'json\' -p=\'[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]\'',
    '# Update a deployment\'s replicas through the scale subresource using a merge patch\n<%= config.bin %> patch deployment nginx-deployment --subresource=\'scale\' --type=\'merge\' -p \'{"spec":{"replicas":2}}\'',
  ]
  static override flags = {
    patch: kstring({char: 'p', description: 'The patch to be applied to the resource JSON file.'}),
    'patch-file': kstring({description: 'A file containing a patch to be applied to the resource.'}),
    type: kstring({description: 'The type of patch being provided; one of [json merge strategic]', default: 'strategic'}),
    filename: kslice({char: 'f', description: 'Filename, directory, or URL to files identifying the resource to update'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
    'dry-run': kstringOpt({description: 'Must be "none", "server", or "client".', default: 'none', noOptDefault: 'unchanged'}),
    subresource: kstring({description: "If specified, patch will operate on the subresource of the requested object. Must be one of [status scale]."}),
    'field-manager': kstring({description: 'Name of the manager used to track field ownership.', default: 'kubectl-patch'}),
    local: kbool({description: 'If true, patch will operate on the content of the file, not the server-side resource.'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const type = this.str('type') ?? 'strategic'
    if (!['json', 'merge', 'strategic'].includes(type)) throw new KctlError(`--type must be one of [json merge strategic], not "${type}"`)
    let patchText = this.str('patch') ?? ''
    const file = this.str('patch-file')
    if (file) patchText = (await import('node:fs')).readFileSync(file, 'utf8')
    if (patchText === '') throw new KctlError('Must specify -p to patch')
    const {parseYaml} = await import('../../cli/kube/yaml.js')
    let patch: unknown
    try {
      patch = parseYaml(patchText)
    } catch (err) {
      throw new KctlError(`unable to parse "${patchText}": ${(err as Error).message}`)
    }
    const conn = await this.connect()
    const ns = await this.namespace()
    const {resolveTargets, targetName} = await import('../../cli/kube/targets.js')
    const {parseDryRun, dryRunSuffix} = await import('../../cli/kube/create-run.js')
    const {formatObjects, parseOutput} = await import('../../cli/kube/output.js')
    const {deepEqual} = await import('../../cli/kube/merge-patch.js')
    const dryRun = parseDryRun(this.str('dry-run'))
    const {targets} = await resolveTargets(conn.client, args, {
      filenames: this.list('filename'),
      recursive: this.bool('recursive'),
      all: false,
      namespace: conn.namespace,
      namespaceExplicit: ns.explicit,
    })
    if (targets.length === 0) throw new KctlError('no objects passed to patch')
    const subresource = this.str('subresource') || undefined
    for (const t of targets) {
      const before = await conn.client.json<Record<string, unknown>>('GET', conn.client.path(t.resource, t.namespace, t.name, subresource))
      const after = await conn.client.patch(t.resource, t.namespace, t.name, type as 'json' | 'merge' | 'strategic', patch, {dryRun: dryRun !== 'none', fieldManager: this.str('field-manager')}, subresource)
      const output = this.str('output')
      if (output) {
        this.out(formatObjects(parseOutput(output), [after], true))
        continue
      }
      const strip = (o: Record<string, unknown>) => {
        const m = {...((o['metadata'] as Record<string, unknown>) ?? {})}
        delete m['resourceVersion']
        delete m['managedFields']
        delete m['generation']
        return {...o, metadata: m}
      }
      const changed = !deepEqual(strip(before), strip(after))
      this.out(`${targetName(t)} patched${changed ? '' : ' (no change)'}${dryRunSuffix(dryRun)}\n`)
    }
  }
}
