import {KctlCommand} from '../../cli/kube/base.js'
import {AlreadyReported, KctlError} from '../../cli/kube/errors.js'
import {kbool, kslice, kstring} from '../../cli/kube/flags.js'

export default class Diff extends KctlCommand {
  static override description = `Diff configurations specified by file name or stdin between the current online configuration, and the configuration as it would be if applied.

The output is always YAML. KUBECTL_EXTERNAL_DIFF names the diff program and its flags (default: diff -u -N). Exit status: 0 no differences were found, 1 differences were found, >1 kctl or diff failed with an error.`
  static override usage = 'diff -f FILENAME'
  static override examples = [
    '# Diff resources included in pod.json\n<%= config.bin %> diff -f pod.json',
    '# Diff file read from stdin\ncat service.yaml | <%= config.bin %> diff -f -',
    '# Use another diff program\nKUBECTL_EXTERNAL_DIFF="colordiff -N -u" <%= config.bin %> diff -f app.yaml',
  ]
  static override flags = {
    filename: kslice({char: 'f', description: 'Filename, directory, or URL to files contains the configuration to diff'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    'field-manager': kstring({description: 'Name of the manager used to track field ownership.', default: 'kubectl-client-side-apply'}),
    'server-side': kbool({description: 'If true, apply runs in the server instead of the client.'}),
  }

  /** kubectl diff fails with exit code 2: 1 means "there are differences". */
  protected override async catch(err: Error): Promise<void> {
    await super.catch(err)
    if (process.exitCode === 1) process.exitCode = 2
  }

  async run(): Promise<void> {
    this.readArgv()
    const files = this.list('filename')
    if (files.length === 0) throw new KctlError('must specify one of -f and -k')
    const {readSources, parseSource} = await import('../../cli/kube/manifests.js')
    const docs = []
    for (const s of await readSources(files, this.bool('recursive'))) {
      const parsed = parseSource(s.source, s.text)
      if (parsed.errors.length > 0) throw new KctlError(parsed.errors[0]!.message)
      docs.push(...parsed.docs)
    }
    const conn = await this.connect()
    const ns = await this.namespace()
    const {runDiff} = await import('../../cli/kube/diff.js')
    const code = await runDiff(conn.client, docs, {namespace: conn.namespace, namespaceExplicit: ns.explicit, fieldManager: this.str('field-manager') ?? 'kubectl-client-side-apply'})
    if (code === 1) {
      process.exitCode = 1
      return
    }
    if (code > 1) {
      process.stderr.write(`error: exit status ${code}\n`)
      throw new AlreadyReported()
    }
  }
}
