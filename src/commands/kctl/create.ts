import {KctlCommand} from '../../cli/kube/base.js'
import {AlreadyReported, KctlError} from '../../cli/kube/errors.js'
import {generatorFlags, kbool, kslice} from '../../cli/kube/flags.js'

export default class Create extends KctlCommand {
  static override description = `Create a resource from a file or from stdin.

JSON and YAML formats are accepted. Subcommands create common kinds from flags: namespace, configmap, secret generic, deployment, service clusterip, serviceaccount, role, rolebinding, clusterrole, clusterrolebinding, job, cronjob.`
  static override usage = 'create -f FILENAME'
  static override examples = [
    '# Create a pod using the data in pod.json\n<%= config.bin %> create -f ./pod.json',
    '# Create a pod based on the JSON passed into stdin\ncat pod.json | <%= config.bin %> create -f -',
    '# Create a namespace\n<%= config.bin %> create namespace staging',
  ]
  static override flags = {
    ...generatorFlags,
    filename: kslice({char: 'f', description: 'Filename, directory, or URL to files to use to create the resource'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length > 0) throw new KctlError(`Unexpected args: [${args.join(' ')}]`, `error: Unexpected args: [${args.join(' ')}]\nSee 'kctl create -h' for help and examples\n`)
    const files = this.list('filename')
    if (files.length === 0) throw new KctlError('must specify one of -f and -k', 'error: must specify one of -f and -k\n\n')
    const {parseDryRun, submitObject} = await import('../../cli/kube/create-run.js')
    const dryRun = parseDryRun(this.str('dry-run'))
    const {parseValidate} = await import('../../cli/kube/field-validation.js')
    const fieldValidation = parseValidate(this.str('validate'))
    const {readSources, parseSource} = await import('../../cli/kube/manifests.js')
    const {withLastApplied} = await import('../../cli/kube/apply.js')
    const {KubeApiError} = await import('../../client/kube/errors.js')
    let ok = true
    const errors: string[] = []
    const ns = await this.namespace()
    for (const s of await readSources(files, this.bool('recursive'))) {
      const parsed = parseSource(s.source, s.text)
      errors.push(...parsed.errors.map((e) => e.message))
      for (const doc of parsed.docs) {
        try {
          const obj = this.bool('save-config') ? withLastApplied(doc.object) : doc.object
          this.out(await submitObject(obj, {dryRun, output: this.str('output'), namespace: ns.namespace, fieldManager: this.str('field-manager'), fieldValidation, client: () => this.client()}))
        } catch (err) {
          ok = false
          if (err instanceof KubeApiError) this.report(new KubeApiError(err.code, {...err.status, message: `error when creating "${doc.source}": ${err.message}`}))
          else this.report(err)
        }
      }
    }
    for (const e of errors) process.stderr.write(`error: ${e}\n`)
    if (!ok || errors.length > 0) throw new AlreadyReported()
  }
}
