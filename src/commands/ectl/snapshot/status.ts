import {EctlCommand} from '../../../cli/base.js'
import {protobufUnsupported} from '../../../cli/cluster-print.js'
import {badArgs, CliError, ExitCode} from '../../../cli/exit.js'
import {snapshotFields, snapshotHeader, snapshotJson, snapshotRow} from '../../../cli/printers/cluster.js'
import {renderTable} from '../../../cli/printers/table.js'
import {loadSnapshotFiles} from '../../../cli/snapshot-file.js'
import {goFileError} from '../../../cli/zap-log.js'

export default class SnapshotStatus extends EctlCommand {
  static override summary = 'Gets backend snapshot status of a given file'
  static override description = `Prints the hash of the backend inside FILE (a CRC-32 of its databases, equal for equal
data), the revision it was taken at, its total number of keys (stored entries) and its size.

When --write-out is set to simple, this command prints out comma-separated status lists:
hash (hex), revision, total keys, total size.`
  static override examples = ['<%= config.bin %> snapshot status backup.db', '<%= config.bin %> snapshot status backup.db -w table']
  static override usage = 'snapshot status <filename>'
  static override etcdctl = {use: 'status <filename>', short: 'Gets backend snapshot status of a given file'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(SnapshotStatus)
    if (args.length !== 1) throw badArgs('snapshot status requires exactly one argument')
    const format = this.format
    if (format === 'protobuf') throw protobufUnsupported()
    const file = args[0]!
    const {snapshotStatus} = await loadSnapshotFiles()
    let status
    try {
      status = await snapshotStatus(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== undefined) throw new CliError(ExitCode.error, goFileError('stat', file, error))
      throw new CliError(ExitCode.error, (error as Error).message)
    }
    switch (format) {
      case 'json':
        return this.write(snapshotJson(status) + '\n')
      case 'fields':
        return this.write(snapshotFields(status))
      case 'table':
        return this.write(await renderTable(snapshotHeader, [snapshotRow(status)]))
      default:
        return this.write(snapshotRow(status).join(', ') + '\n')
    }
  }
}
