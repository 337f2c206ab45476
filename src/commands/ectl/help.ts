import {Command, loadHelpClass} from '@oclif/core'

export default class Help extends Command {
  static override summary = 'Help about any command'
  static override description = 'Shows the description, flags and examples of a command, or the list of commands.'
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help get', '<%= config.bin %> help txn']
  static override strict = false
  static override usage = 'help [command]'

  async run(): Promise<void> {
    // the command words come first; global flags (`ectl --data-dir d help get`) follow them
    const firstFlag = this.argv.findIndex((a) => a.startsWith('-'))
    const argv = firstFlag < 0 ? this.argv : this.argv.slice(0, firstFlag)
    const HelpClass = await loadHelpClass(this.config)
    const help = new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? this.config.pjson.helpOptions)
    await help.showHelp(argv)
  }
}
