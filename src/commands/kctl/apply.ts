import {KctlCommand} from '../../cli/kube/base.js'
import {AlreadyReported, KctlError} from '../../cli/kube/errors.js'
import {kbool, kslice, kstring, kstringOpt} from '../../cli/kube/flags.js'

export default class Apply extends KctlCommand {
  static override description = `Apply a configuration to a resource by file name or stdin.

The resource name must be specified. This resource will be created if it doesn't exist yet. JSON and YAML formats are accepted; a file may hold several documents, and a JSON or YAML List holds several objects.

The change is a three-way merge of the last applied configuration (kept in the kubectl.kubernetes.io/last-applied-configuration annotation), the new configuration and the live object: a strategic merge patch for built-in kinds, a JSON merge patch for custom resources. Fields that others set are kept.`
  static override usage = 'apply (-f FILENAME | -k DIRECTORY)'
  static override examples = [
    '# Apply the configuration in pod.json to a pod\n<%= config.bin %> apply -f ./pod.json',
    '# Apply the JSON passed into stdin to a pod\ncat pod.json | <%= config.bin %> apply -f -',
    '# Apply every manifest in a folder and its subfolders\n<%= config.bin %> apply -R -f ./manifests/',
    '# Show what would change without changing anything\n<%= config.bin %> apply -f app.yaml --dry-run=server',
    '# Apply in the server, which tracks the fields each manager owns\n<%= config.bin %> apply --server-side -f app.yaml',
  ]
  static override flags = {
    filename: kslice({char: 'f', description: 'The files that contain the configurations to apply.'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.'}),
    'dry-run': kstringOpt({description: 'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.', default: 'none', noOptDefault: 'unchanged'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
    'field-manager': kstring({description: 'Name of the manager used to track field ownership.', default: 'kubectl-client-side-apply'}),
    validate: kstringOpt({description: 'Must be one of: strict (or true), warn, ignore (or false).', default: 'strict', noOptDefault: 'strict'}),
    selector: kstring({char: 'l', description: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'."}),
    prune: kbool({description: 'Automatically delete resource objects, that do not appear in the configs and are created by either apply or create --save-config. Should be used with either -l or --all.'}),
    all: kbool({description: 'Select all resources in the namespace of the specified resource types.'}),
    'server-side': kbool({description: 'If true, apply runs in the server instead of the client.'}),
    'force-conflicts': kbool({description: 'If true, server-side apply will force the changes against conflicts.'}),
    force: kbool({description: 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length > 0) throw new KctlError(`Unexpected args: [${args.join(' ')}]`, `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl apply -h' for help and examples\n`)
    const files = this.list('filename')
    if (files.length === 0) throw new KctlError('must specify one of -f and -k', "error: must specify one of -f and -k\n\n")
    const {parseDryRun} = await import('../../cli/kube/create-run.js')
    const dryRun = parseDryRun(this.str('dry-run'))
    const serverSide = this.bool('server-side')
    const {parseValidate} = await import('../../cli/kube/field-validation.js')
    const fieldValidation = parseValidate(this.str('validate'))
    if (this.bool('force-conflicts') && !serverSide) throw new KctlError('--force-conflicts only works with --server-side')
    if (serverSide && dryRun === 'client') throw new KctlError("--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)")
    const {readSources, parseSource} = await import('../../cli/kube/manifests.js')
    const sources = await readSources(files, this.bool('recursive'))
    const docs = []
    const errors: string[] = []
    for (const s of sources) {
      const parsed = parseSource(s.source, s.text)
      docs.push(...parsed.docs)
      errors.push(...parsed.errors.map((e) => e.message))
    }
    let ok = errors.length === 0
    if (docs.length > 0) {
      const conn = await this.connect()
      const ns = await this.namespace()
      let applied: boolean
      if (serverSide) {
        const {serverSideApplyDocs} = await import('../../cli/kube/server-side-apply.js')
        applied = await serverSideApplyDocs(conn.client, docs, {
          namespace: conn.namespace,
          namespaceExplicit: ns.explicit,
          dryRun,
          output: this.str('output'),
          // kubectl's server-side manager is "kubectl" unless --field-manager names another
          fieldManager: this.given.has('field-manager') ? this.str('field-manager')! : 'kubectl',
          forceConflicts: this.bool('force-conflicts'),
          fieldValidation,
          write: (s) => this.out(s),
          warn: (s) => process.stderr.write(s),
          report: (err) => this.report(err),
        })
      } else {
        const {applyDocs} = await import('../../cli/kube/apply.js')
        applied = await applyDocs(conn.client, docs, {
          namespace: conn.namespace,
          namespaceExplicit: ns.explicit,
          dryRun,
          output: this.str('output'),
          fieldManager: this.str('field-manager') ?? 'kubectl-client-side-apply',
          fieldValidation,
          write: (s) => this.out(s),
          warn: (s) => process.stderr.write(s),
          report: (err) => this.report(err),
        })
      }
      if (this.bool('prune') && applied) {
        const {prune} = await import('../../cli/kube/prune.js')
        await prune(conn.client, docs, {
          namespace: conn.namespace,
          selector: this.str('selector'),
          all: this.bool('all'),
          dryRun,
          write: (s) => this.out(s),
        })
      }
      ok &&= applied
    } else if (errors.length === 0) {
      throw new KctlError('no objects passed to apply')
    }
    for (const e of errors) process.stderr.write(`error: ${e}\n`)
    if (!ok) throw new AlreadyReported()
  }
}
