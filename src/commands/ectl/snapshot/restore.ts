import {Flags} from '@oclif/core'
import {join} from 'node:path'
import {EctlCommand} from '../../../cli/base.js'
import {badArgs, CliError, ExitCode} from '../../../cli/exit.js'
import {loadSnapshotFiles} from '../../../cli/snapshot-file.js'
import {goFileError, zapLine} from '../../../cli/zap-log.js'

export default class SnapshotRestore extends EctlCommand {
  static override summary = 'Restores an etcd member snapshot to an etcd directory'
  static override description = `Creates a new data dir (--data-dir, default NAME.etcd) from a snapshot file: every key and
revision of the snapshot, under a new cluster identity derived from --name,
--initial-cluster, --initial-cluster-token and --initial-advertise-peer-urls as etcd derives it
(members restored with the same flags agree on their ids). The data dir must not exist.

The snapshot's sha256 is checked; --skip-hash-check also takes a backend file copied out of a
data dir (member/db/backend.mdb), which has none.`
  static override examples = [
    '<%= config.bin %> snapshot restore backup.db --data-dir /var/lib/ectl-restored',
    '<%= config.bin %> snapshot restore backup.db --name m1 --initial-cluster m1=http://10.0.0.1:2380 --initial-advertise-peer-urls http://10.0.0.1:2380 --data-dir m1.etcd',
  ]
  static override usage = 'snapshot restore <filename> [options]'
  static override etcdctl = {use: 'restore <filename> [options]', short: 'Restores an etcd member snapshot to an etcd directory'}
  static override flags = {
    'initial-cluster': Flags.string({description: 'Initial cluster configuration for restore bootstrap', default: 'default=http://localhost:2380'}),
    'initial-cluster-token': Flags.string({description: 'Initial cluster token for the etcd cluster during restore bootstrap', default: 'etcd-cluster'}),
    'initial-advertise-peer-urls': Flags.string({
      description: "List of this member's peer URLs to advertise to the rest of the cluster",
      default: 'http://localhost:2380',
    }),
    name: Flags.string({description: 'Human-readable name for this member', default: 'default'}),
    'skip-hash-check': Flags.boolean({description: 'Ignore snapshot integrity hash value (required if copied from data directory)'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(SnapshotRestore)
    if (args.length !== 1) throw badArgs('snapshot restore requires exactly one argument')
    const file = args[0]!
    // --data-dir names the directory to create here (not a data dir to open)
    const dataDir = this.globals.dataDir || `${flags.name}.etcd`
    const {restoreSnapshot, SnapshotError} = await loadSnapshotFiles()
    const paths: [string, string][] = [
      ['path', file],
      ['wal-dir', join(dataDir, 'member', 'wal')],
      ['data-dir', dataDir],
      ['db-dir', join(dataDir, 'member', 'db')],
    ]
    try {
      const options = {
        dataDir,
        name: flags.name,
        initialCluster: flags['initial-cluster'],
        initialClusterToken: flags['initial-cluster-token'],
        initialAdvertisePeerUrls: flags['initial-advertise-peer-urls'],
        skipHashCheck: flags['skip-hash-check'],
      }
      const restored = await restoreSnapshot(file, options, () => process.stderr.write(zapLine('snapshot/v3_snapshot.go:296', 'restoring snapshot', paths)))
      for (const member of restored.members) {
        process.stderr.write(
          zapLine('membership/cluster.go:392', 'added member', [
            ['cluster-id', restored.clusterId.toString(16)],
            ['local-member-id', '0'],
            ['added-peer-id', member.id.toString(16)],
            ['added-peer-peer-urls', member.peerURLs],
          ]),
        )
      }
      process.stderr.write(zapLine('snapshot/v3_snapshot.go:309', 'restored snapshot', paths))
    } catch (error) {
      if (error instanceof SnapshotError) throw new CliError(ExitCode.error, error.message)
      if ((error as NodeJS.ErrnoException).code !== undefined) throw new CliError(ExitCode.error, goFileError('open', file, error))
      throw error
    }
  }
}
