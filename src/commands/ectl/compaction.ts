import {Flags} from '@oclif/core'
import {EctlCommand} from '../../cli/base.js'
import {badArgs, CliError, ExitCode} from '../../cli/exit.js'
import {goParseInt} from '../../cli/go-format.js'

export default class Compaction extends EctlCommand {
  static override summary = 'Compacts the event history in etcd'
  static override description = `Compacts the event history in etcd: revisions before REVISION are discarded
(reads and watches at older revisions fail with "required revision has been compacted").

Prints "compacted revision REVISION" in every output format, as etcdctl does.`
  static override examples = ['<%= config.bin %> compaction 1234', '<%= config.bin %> compaction 1234 --physical']
  static override usage = 'compaction [options] <revision>'
  static override etcdctl = {use: 'compaction [options] <revision>', short: 'Compacts the event history in etcd'}
  static override flags = {
    physical: Flags.boolean({description: "'true' to wait for compaction to physically remove all old revisions"}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Compaction)
    if (args.length !== 1) throw badArgs('compaction command needs 1 argument')
    let revision: bigint
    try {
      revision = goParseInt(args[0]!, 10)
    } catch (err) {
      throw new CliError(ExitCode.error, (err as Error).message)
    }
    await (await this.client()).compact({revision, physical: flags.physical})
    this.write(`compacted revision ${revision}\n`)
  }
}
