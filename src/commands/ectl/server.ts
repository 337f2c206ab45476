import {Command, Flags} from '@oclif/core'
import {CliError} from '../../cli/exit.js'
import {checkEnvConflicts, checkKnownFlags, normalizeServerArgv, runServer, serverConfig, unrecognizedEnv} from '../../cli/serve.js'

/** etcd's TLS flags we do not support: accepted by name so that giving one says so plainly. */
const tlsFlagNames = ['client-crl-file', 'auto-tls'] as const

/** etcd reads every flag from ETCD_<NAME> too (upper case, dashes as underscores). */
const env = (flag: string) => `ETCD_${flag.toUpperCase().replaceAll('-', '_')}`

/** Those of them that are switches rather than paths. */
const tlsSwitches = new Set<string>(['auto-tls'])

const tlsFlags = Object.fromEntries(
  tlsFlagNames.map((name) => {
    const common = {description: 'not supported yet', env: env(name), hidden: true}
    return [name, tlsSwitches.has(name) ? Flags.boolean(common) : Flags.string(common)]
  }),
)

/**
 * etcd flags that tune what a one-member engine without Raft or logs of etcd's kind does not
 * have: accepted (so etcd command lines run unchanged) and without effect.
 */
const noEffectFlags = Object.fromEntries(
  ['logger', 'log-level', 'log-outputs', 'max-snapshots', 'max-wals', 'listen-metrics-urls']
    .map((name) => [name, Flags.string({description: 'accepted for etcd compatibility; no effect', env: env(name), hidden: true})]),
)

/** Go's flag package takes `--switch=true|false`; oclif takes `--switch` and `--no-switch`. */
function goBooleans(argv: readonly string[], switches: ReadonlySet<string>): string[] {
  return argv.flatMap((token) => {
    const m = /^--?([a-z][a-z0-9-]*)=(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.exec(token)
    if (!m || !switches.has(m[1]!)) return [token]
    const on = /^(true|1|t)$/i.test(m[2]!)
    if (on) return [`--${m[1]}`]
    return m[1] === 'enable-grpc-gateway' ? ['--no-enable-grpc-gateway'] : []
  })
}

export default class Server extends Command {
  static override summary = 'Runs the engine as an etcd server (gRPC, etcd v3 API)'
  static override description = `Serves the data dir over gRPC on the client URLs, wire-compatible with etcd 3.5:
etcdctl, the Go client and other etcd clients work against it. Flags are etcd's, with etcd's
defaults, and each can be given as an ETCD_* environment variable (ETCD_NAME, ETCD_DATA_DIR...).

The server holds the data dir: local "ectl --data-dir <dir>" commands still reach it (through
its local socket). SIGTERM or SIGINT stops it cleanly: it stops accepting, finishes the calls in
flight, ends watch streams, and closes the engine.

One port serves every protocol, as etcd's does: gRPC, the HTTP/JSON gateway (POST /v3/kv/range,
/v3/watch, ... with etcd's JSON), /health, /version and /metrics (Prometheus, etcd's metric
names). With --cert-file and --key-file, https:// client URLs serve the same over TLS;
--client-cert-auth refuses clients without a certificate signed by --trusted-ca-file.

--quota-backend-bytes raises the NOSPACE alarm when the backend would pass it; writes are then
refused ("etcdserver: mvcc: database space exceeded") until the alarm is disarmed.
--auto-compaction-mode periodic keeps --auto-compaction-retention of history ('1h', '30m', or
hours as a number); revision keeps that many revisions.

--initial-cluster naming more than one member runs this member of a Raft cluster: members
talk on --listen-peer-urls, writes go through the leader, reads are linearizable by ReadIndex
(--consistency=s reads the local member); --heartbeat-interval and --election-timeout (ms),
--snapshot-count and --experimental-snapshot-catchup-entries as etcd's: a follower further
behind than the entries kept is sent the leader's store. One member runs without Raft. A
member added with \`member add\` starts with the --initial-cluster that command prints and
--initial-cluster-state existing: it asks the running members for the cluster's ids and
members, then catches up from the leader. A member with data ignores the initial flags; a
member removed from its cluster stops (exit 0).
https:// peer URLs talk TLS with --peer-cert-file and --peer-key-file (or certificates of
their own with --peer-auto-tls); peers' certificates are checked against
--peer-trusted-ca-file, and --peer-client-cert-auth refuses a peer that dials without one;
--peer-cert-allowed-cn refuses a peer whose certificate has another common name, and
--peer-crl-file one whose certificate the revocation list names.

Not supported yet: --auto-tls and --client-crl-file. When --advertise-client-urls is not given, the member advertises the
URLs it listens on. An unknown flag is refused as etcd refuses it (exit 2).`
  static override examples = [
    '<%= config.bin %> server',
    '<%= config.bin %> server --name n1 --data-dir /var/lib/ectl --listen-client-urls http://127.0.0.1:2379',
    'ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379 <%= config.bin %> server',
    '<%= config.bin %> server --listen-client-urls https://127.0.0.1:2379 --cert-file server.crt --key-file server.key --trusted-ca-file ca.crt --client-cert-auth',
    '<%= config.bin %> server --quota-backend-bytes 8589934592 --auto-compaction-mode periodic --auto-compaction-retention 1h',
    'curl -s localhost:2379/v3/kv/range -X POST -d \'{"key":"Zm9v"}\'',
  ]
  static override flags = {
    name: Flags.string({description: 'Human-readable name for this member.', default: 'default', env: env('name')}),
    'data-dir': Flags.string({description: 'Path to the data directory (default: ${name}.etcd).', env: env('data-dir')}),
    'listen-client-urls': Flags.string({
      description: 'List of URLs to listen on for client traffic.',
      default: 'http://localhost:2379',
      env: env('listen-client-urls'),
    }),
    'advertise-client-urls': Flags.string({
      description: 'List of this member\'s client URLs to advertise to the public (default: the URLs listened on).',
      env: env('advertise-client-urls'),
    }),
    'listen-peer-urls': Flags.string({
      description: 'List of URLs to listen on for peer traffic.',
      default: 'http://localhost:2380',
      env: env('listen-peer-urls'),
    }),
    'initial-advertise-peer-urls': Flags.string({
      description: "List of this member's peer URLs to advertise to the rest of the cluster.",
      default: 'http://localhost:2380',
      env: env('initial-advertise-peer-urls'),
    }),
    'initial-cluster': Flags.string({
      description: 'Initial cluster configuration for bootstrapping (default: ${name}=${initial-advertise-peer-urls}).',
      env: env('initial-cluster'),
    }),
    'initial-cluster-state': Flags.string({
      description: "Initial cluster state ('new' or 'existing').",
      default: 'new',
      env: env('initial-cluster-state'),
    }),
    'initial-cluster-token': Flags.string({
      description: 'Initial cluster token for the etcd cluster during bootstrap.',
      default: 'etcd-cluster',
      env: env('initial-cluster-token'),
    }),
    'heartbeat-interval': Flags.string({
      description: 'Time (in milliseconds) of a heartbeat interval.',
      default: '100',
      env: env('heartbeat-interval'),
    }),
    'election-timeout': Flags.string({
      description: 'Time (in milliseconds) for an election to timeout.',
      default: '1000',
      env: env('election-timeout'),
    }),
    'snapshot-count': Flags.string({
      description: 'Number of committed transactions to trigger a snapshot to disk.',
      default: '100000',
      env: env('snapshot-count'),
    }),
    'experimental-snapshot-catchup-entries': Flags.string({
      description: 'Number of entries for a slow follower to catch-up after compacting the raft storage entries.',
      default: '5000',
      env: env('experimental-snapshot-catchup-entries'),
    }),
    'max-request-bytes': Flags.string({
      description: 'Maximum client request size in bytes the server will accept.',
      default: String(1.5 * 1024 * 1024),
      env: env('max-request-bytes'),
    }),
    'quota-backend-bytes': Flags.string({
      description: 'Raise alarms when backend size exceeds the given quota (0 defaults to low space quota).',
      default: '0',
      env: env('quota-backend-bytes'),
    }),
    'auto-compaction-mode': Flags.string({
      description: "Interpret 'auto-compaction-retention' one of: periodic|revision.",
      default: 'periodic',
      env: env('auto-compaction-mode'),
    }),
    'auto-compaction-retention': Flags.string({
      description: "Auto compaction retention for mvcc key value store. 0 means disable auto compaction (e.g. '1h', '30m', 1 = 1 hour, or revisions).",
      default: '0',
      env: env('auto-compaction-retention'),
    }),
    'cert-file': Flags.string({description: 'Path to the client server TLS cert file.', env: env('cert-file')}),
    'key-file': Flags.string({description: 'Path to the client server TLS key file.', env: env('key-file')}),
    'trusted-ca-file': Flags.string({description: 'Path to the client server TLS trusted CA cert file.', env: env('trusted-ca-file')}),
    'client-cert-auth': Flags.boolean({description: 'Enable client cert authentication.', env: env('client-cert-auth')}),
    'peer-cert-file': Flags.string({description: 'Path to the peer server TLS cert file.', env: env('peer-cert-file')}),
    'peer-key-file': Flags.string({description: 'Path to the peer server TLS key file.', env: env('peer-key-file')}),
    'peer-trusted-ca-file': Flags.string({description: 'Path to the peer server TLS trusted CA file.', env: env('peer-trusted-ca-file')}),
    'peer-client-cert-auth': Flags.boolean({description: 'Enable peer client cert authentication.', env: env('peer-client-cert-auth')}),
    'peer-auto-tls': Flags.boolean({description: 'Peer TLS using self-generated certificates.', env: env('peer-auto-tls')}),
    'peer-cert-allowed-cn': Flags.string({description: 'Required CN for client certs connecting to the peer endpoint.', env: env('peer-cert-allowed-cn')}),
    'peer-crl-file': Flags.string({description: 'Path to the peer certificate revocation list file.', env: env('peer-crl-file')}),
    'enable-grpc-gateway': Flags.boolean({
      description: 'Enable GRPC gateway.',
      default: true,
      allowNo: true,
      env: env('enable-grpc-gateway'),
    }),
    ...tlsFlags,
    ...noEffectFlags,
  }

  async run(): Promise<void> {
    const valueFlags = new Set(Object.entries(Server.flags).filter(([, flag]) => flag.type === 'option').map(([name]) => name))
    const switches = new Set(Object.entries(Server.flags).filter(([, flag]) => flag.type === 'boolean').map(([name]) => name))
    const argv = normalizeServerArgv(goBooleans(this.argv, switches), valueFlags)
    try {
      checkKnownFlags(argv, new Set([...Object.keys(Server.flags), 'help', 'h', 'no-enable-grpc-gateway']))
      checkEnvConflicts(argv, env, process.env)
      const {flags} = await this.parse(Server, argv)
      const given = flags as Record<string, unknown>
      const config = serverConfig({
        name: flags.name,
        dataDir: flags['data-dir'],
        listenClientUrls: flags['listen-client-urls'],
        advertiseClientUrls: flags['advertise-client-urls'],
        listenPeerUrls: flags['listen-peer-urls'],
        initialAdvertisePeerUrls: flags['initial-advertise-peer-urls'],
        initialCluster: flags['initial-cluster'],
        initialClusterState: flags['initial-cluster-state'],
        initialClusterToken: flags['initial-cluster-token'],
        heartbeatInterval: flags['heartbeat-interval'],
        electionTimeout: flags['election-timeout'],
        snapshotCount: flags['snapshot-count'],
        snapshotCatchUpEntries: flags['experimental-snapshot-catchup-entries'],
        maxRequestBytes: flags['max-request-bytes'],
        quotaBackendBytes: flags['quota-backend-bytes'],
        autoCompactionMode: flags['auto-compaction-mode'],
        autoCompactionRetention: flags['auto-compaction-retention'],
        certFile: flags['cert-file'],
        keyFile: flags['key-file'],
        trustedCaFile: flags['trusted-ca-file'],
        clientCertAuth: flags['client-cert-auth'],
        peerCertFile: flags['peer-cert-file'],
        peerKeyFile: flags['peer-key-file'],
        peerTrustedCaFile: flags['peer-trusted-ca-file'],
        peerClientCertAuth: flags['peer-client-cert-auth'],
        peerAutoTls: flags['peer-auto-tls'],
        peerCertAllowedCn: flags['peer-cert-allowed-cn'],
        peerCrlFile: flags['peer-crl-file'],
        enableGrpcGateway: flags['enable-grpc-gateway'],
        tlsFlagsGiven: tlsFlagNames.filter((name) => given[name] !== undefined && given[name] !== '' && given[name] !== false),
      })
      for (const warning of unrecognizedEnv(process.env, new Set(Object.keys(Server.flags).map(env)))) process.stderr.write(`${warning}\n`)
      await runServer(config, {log: (line) => process.stderr.write(`${line}\n`)})
    } catch (error) {
      if (!(error instanceof CliError)) throw error
      process.stderr.write(error.stderr ?? `Error: ${error.message}\n`)
      process.exitCode = error.exitCode
    }
  }
}
