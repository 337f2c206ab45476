import {KctlCommand} from '../../../../cli/kube/base.js'
import {generatorFlags, karray, kstring} from '../../../../cli/kube/flags.js'

export default class CreateSecretGeneric extends KctlCommand {
  static override description = `Create a secret based on a file, directory, or specified literal value.

A single secret may package one or more key/value pairs. When creating a secret based on a file, the key defaults to the basename of the file and the value to its content.`
  static override usage = 'create secret generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]'
  static override examples = [
    '# Create a new secret named my-secret with keys for each file in folder bar\n<%= config.bin %> create secret generic my-secret --from-file=path/to/bar',
    '# Create a new secret named my-secret with key1=supersecret and key2=topsecret\n<%= config.bin %> create secret generic my-secret --from-literal=key1=supersecret --from-literal=key2=topsecret',
  ]
  static override flags = {
    ...generatorFlags,
    'from-literal': karray({description: 'Specify a key and literal value to insert in secret (i.e. mykey=somevalue)'}),
    'from-file': karray({description: 'Key files can be specified using their file path, in which case a default name will be given to them, or optionally with a name and file path, in which case the given name will be used.'}),
    'from-env-file': karray({description: 'Specify the path to a file to read lines of key=val pairs to create a secret.'}),
    type: kstring({description: 'The type of secret to create'}),
  }

  async run(): Promise<void> {
    const name = this.oneName(this.readArgv())
    const {dataFrom, secretObject} = await import('../../../../cli/kube/generators.js')
    const ns = await this.namespace()
    const data = dataFrom(this.list('from-literal'), this.list('from-file'), this.list('from-env-file'))
    await this.submitGenerated(secretObject(name, ns.explicit ? ns.namespace : undefined, data, this.str('type')))
  }
}
