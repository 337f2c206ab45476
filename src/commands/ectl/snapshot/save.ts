import {EctlCommand} from '../../../cli/base.js'
import {endpointsOf} from '../../../cli/endpoints.js'
import {badArgs, CliError, ExitCode} from '../../../cli/exit.js'
import {humanizeBytes} from '../../../cli/humanize.js'
import {goFileError, zapLine} from '../../../cli/zap-log.js'
import {saveSnapshot, SnapshotFileError} from '../../../client/etcd/snapshot-save.js'

export default class SnapshotSave extends EctlCommand {
  static override summary = 'Stores an etcd node backend snapshot to a given file'
  static override description = `Streams a point-in-time copy of one member's backend to FILE (through FILE.part, renamed
once whole and synced), logging its progress on stderr as etcdctl does.

The file is ectl's snapshot format: the backend followed by a trailer with the revision, the
consistent index and a sha256; "snapshot status" reads it and "snapshot restore" checks and
restores it. Without --endpoints the member is the data dir's.`
  static override examples = ['<%= config.bin %> snapshot save backup.db', '<%= config.bin %> --endpoints=127.0.0.1:2379 snapshot save /var/backups/etcd.db']
  static override usage = 'snapshot save <filename>'
  static override etcdctl = {use: 'save <filename>', short: 'Stores an etcd node backend snapshot to a given file'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(SnapshotSave)
    if (args.length !== 1) throw badArgs('snapshot save expects one argument')
    const path = args[0]!
    void this.format // checks -w before anything is written
    const given = this.globals.endpoints ?? []
    if (given.length > 1) throw new CliError(ExitCode.interrupted, `snapshot must be requested to one selected node, not multiple [${given.join(' ')}]`)
    const [endpoint] = await endpointsOf(this.globals, false)
    const log = (line: string) => process.stderr.write(line)
    const started = process.hrtime.bigint()
    const client = await endpoint!.open()
    try {
      const bytes = await saveSnapshot(client, path, {
        created: (part) => log(zapLine('snapshot/v3_snapshot.go:119', 'created temporary db file', [['path', part]])),
        opened: () => {
          log(zapLine('clientv3/maintenance.go:200', 'opened snapshot stream; downloading', [], true))
          log(zapLine('snapshot/v3_snapshot.go:127', 'fetching snapshot', [['endpoint', endpoint!.name]]))
        },
        received: () => log(zapLine('clientv3/maintenance.go:208', 'completed snapshot read; closing', [], true)),
      })
      const took = Number(process.hrtime.bigint() - started) / 1e9
      log(zapLine('snapshot/v3_snapshot.go:142', 'fetched snapshot', [['endpoint', endpoint!.name], ['size', humanizeBytes(bytes)], ['took', took]]))
      log(zapLine('snapshot/v3_snapshot.go:152', 'saved', [['path', path]]))
    } catch (error) {
      if (error instanceof SnapshotFileError) throw new CliError(ExitCode.interrupted, error.message)
      if ((error as NodeJS.ErrnoException).code !== undefined) throw new CliError(ExitCode.interrupted, goFileError('rename', path, error))
      throw new CliError(ExitCode.interrupted, (error as Error).message)
    } finally {
      await client.close()
    }
    this.write(`Snapshot saved at ${path}\n`)
  }
}
