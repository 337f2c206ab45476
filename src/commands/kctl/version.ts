import {Command, Flags} from '@oclif/core'

export default class Version extends Command {
  static override description = 'Print the client version information'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version -o json']
  static override flags = {
    output: Flags.string({char: 'o', description: 'One of json, yaml', options: ['json', 'yaml']}),
    client: Flags.boolean({description: 'Only print the client version'}),
  }
  async run(): Promise<void> {
    this.log('hi')
  }
}
