import {KctlCommand} from '../../../cli/kube/base.js'
import {generatorFlags, karray, kbool} from '../../../cli/kube/flags.js'

export default class CreateConfigMap extends KctlCommand {
  static override description = `Create a config map based on a file, directory, or specified literal value.

A single config map may package one or more key/value pairs. When creating a config map based on a file, the key defaults to the basename of the file and the value to its content; with a directory, each regular file in it becomes a key.`
  static override aliases = ['create:cm']
  static override usage = 'create configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]'
  static override examples = [
    '# Create a new config map named my-config based on folder bar\n<%= config.bin %> create configmap my-config --from-file=path/to/bar',
    '# Create a new config map named my-config with specified keys instead of file basenames on disk\n<%= config.bin %> create configmap my-config --from-file=key1=/path/to/bar/file1.txt --from-file=key2=/path/to/bar/file2.txt',
    '# Create a new config map named my-config with key1=config1 and key2=config2\n<%= config.bin %> create configmap my-config --from-literal=key1=config1 --from-literal=key2=config2',
  ]
  static override flags = {
    ...generatorFlags,
    'from-literal': karray({description: 'Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)'}),
    'from-file': karray({description: 'Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.'}),
    'from-env-file': karray({description: 'Specify the path to a file to read lines of key=val pairs to create a configmap.'}),
    'append-hash': kbool({description: 'Append a hash of the configmap to its name.'}),
  }

  async run(): Promise<void> {
    const name = this.oneName(this.readArgv())
    const {configMapObject, dataFrom} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    const data = dataFrom(this.list('from-literal'), this.list('from-file'), this.list('from-env-file'))
    await this.submitGenerated(configMapObject(name, ns.explicit ? ns.namespace : undefined, data))
  }
}
