import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kslice, kstring} from '../../cli/kube/flags.js'

export default class Edit extends KctlCommand {
  static override description = `Edit a resource from the default editor.

The edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi'. The object is shown as YAML (or JSON with -o json); when you save, the changes are sent as a patch. If an error occurs while updating, the file is reopened with the error on top; leaving it unchanged gives up and keeps your edit in a temporary file.`
  static override usage = 'edit (RESOURCE/NAME | -f FILENAME)'
  static override examples = [
    "# Edit the service named 'registry'\n<%= config.bin %> edit svc/registry",
    "# Use an alternative editor\nKUBE_EDITOR=\"nano\" <%= config.bin %> edit svc/registry",
    "# Edit the deployment 'mydeployment' in YAML and save the modified config in its annotation\n<%= config.bin %> edit deployment/mydeployment -o json",
  ]
  static override flags = {
    filename: kslice({char: 'f', description: 'Filename, directory, or URL to files to use to edit the resource'}),
    recursive: kbool({char: 'R', description: 'Process the directory used in -f, --filename recursively.'}),
    output: kstring({char: 'o', description: 'Output format. One of: (json, yaml).', default: 'yaml'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const output = this.str('output') || 'yaml'
    if (output !== 'yaml' && output !== 'json') throw new KctlError(`the edit mode must be one of: yaml, json`)
    const conn = await this.connect()
    const ns = await this.namespace()
    const {resolveTargets} = await import('../../cli/kube/targets.js')
    const {runEdit} = await import('../../cli/kube/edit.js')
    const {targets} = await resolveTargets(conn.client, args, {
      filenames: this.list('filename'),
      recursive: this.bool('recursive'),
      all: false,
      namespace: conn.namespace,
      namespaceExplicit: ns.explicit,
    })
    await runEdit(conn.client, targets, {output, write: (s) => this.out(s), env: process.env})
  }
}
