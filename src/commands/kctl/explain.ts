import {KctlCommand} from '../../cli/kube/base.js'
import {KctlError} from '../../cli/kube/errors.js'
import {kbool, kstring} from '../../cli/kube/flags.js'

export default class Explain extends KctlCommand {
  static override description = `Get documentation for a resource.

Describe fields and structure of various resources. This command describes the fields associated with each supported API resource. Fields are identified via a simple JSONPath identifier:

  <type>.<fieldName>[.<fieldName>]

Information about each field is retrieved from the server in OpenAPI format.

Use "kctl api-resources" for a complete list of supported resources.`
  static override usage = 'explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]'
  static override examples = [
    '# Get the documentation of the resource and its fields\n<%= config.bin %> explain pods',
    '# Get all the fields in the resource\n<%= config.bin %> explain pods --recursive',
    '# Get the explanation for deployment in supported api versions\n<%= config.bin %> explain deployments --api-version=apps/v1',
    '# Get the documentation of a specific field of a resource\n<%= config.bin %> explain pods.spec.containers',
    '# Get the documentation of resources in different format\n<%= config.bin %> explain deployment --output=plaintext-openapiv2',
  ]
  static override flags = {
    recursive: kbool({description: 'When true, print the name of all the fields recursively. Otherwise, print the available fields with their description.'}),
    'api-version': kstring({description: 'Use given api-version (group/version) of the resource.'}),
    output: kstring({char: 'o', description: 'Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2).', default: 'plaintext'}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    if (args.length === 0) throw new KctlError('You must specify the type of resource to explain. Use "kctl api-resources" for a complete list of supported resources.')
    if (args.length > 1) throw new KctlError('We accept only this format: explain RESOURCE')
    const conn = await this.connect()
    const {runExplain} = await import('../../cli/kube/explain/run.js')
    await runExplain(conn.client, args[0]!, {
      apiVersion: this.str('api-version'),
      recursive: this.bool('recursive'),
      output: this.str('output') ?? 'plaintext',
      write: (s) => this.out(s),
    })
  }
}
