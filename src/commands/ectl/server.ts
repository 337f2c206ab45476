import {Command, Flags} from '@oclif/core'
import {CliError} from '../../cli/exit.js'
import {checkEnvConflicts, normalizeServerArgv, runServer, serverConfig} from '../../cli/serve.js'

/** etcd's TLS flags: accepted by name so that giving one says plainly that TLS is not supported yet. */
const tlsFlagNames = [
  'cert-file',
  'key-file',
  'trusted-ca-file',
  'client-cert-auth',
  'client-crl-file',
  'auto-tls',
  'peer-cert-file',
  'peer-key-file',
  'peer-trusted-ca-file',
  'peer-client-cert-auth',
  'peer-crl-file',
  'peer-auto-tls',
] as const

/** etcd reads every flag from ETCD_<NAME> too (upper case, dashes as underscores). */
const env = (flag: string) => `ETCD_${flag.toUpperCase().replaceAll('-', '_')}`

/** Those of them that are switches rather than paths. */
const tlsSwitches = new Set<string>(['client-cert-auth', 'auto-tls', 'peer-client-cert-auth', 'peer-auto-tls'])

const tlsFlags = Object.fromEntries(
  tlsFlagNames.map((name) => {
    const common = {description: 'TLS is not supported yet', env: env(name), hidden: true}
    return [name, tlsSwitches.has(name) ? Flags.boolean(common) : Flags.string(common)]
  }),
)

export default class Server extends Command {
  static override summary = 'Runs the engine as an etcd server (gRPC, etcd v3 API)'
  static override description = `Serves the data dir over gRPC on the client URLs, wire-compatible with etcd 3.5:
etcdctl, the Go client and other etcd clients work against it. Flags are etcd's, with etcd's
defaults, and each can be given as an ETCD_* environment variable (ETCD_NAME, ETCD_DATA_DIR...).

The server holds the data dir: local "ectl --data-dir <dir>" commands still reach it (through
its local socket). SIGTERM or SIGINT stops it cleanly: it stops accepting, finishes the calls in
flight, ends watch streams, and closes the engine.

Not supported yet: TLS (https:// URLs and the --*-file flags), clusters of more than one
member (the peer URLs are only advertised). When --advertise-client-urls is not given, the
member advertises the URLs it listens on.`
  static override examples = [
    '<%= config.bin %> server',
    '<%= config.bin %> server --name n1 --data-dir /var/lib/ectl --listen-client-urls http://127.0.0.1:2379',
    'ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379 <%= config.bin %> server',
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
      description: 'List of URLs to listen on for peer traffic (advertised only: one member for now).',
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
    'max-request-bytes': Flags.integer({
      description: 'Maximum client request size in bytes the server will accept.',
      default: 1.5 * 1024 * 1024,
      env: env('max-request-bytes'),
    }),
    ...tlsFlags,
  }

  async run(): Promise<void> {
    const valueFlags = new Set(Object.entries(Server.flags).filter(([, flag]) => flag.type === 'option').map(([name]) => name))
    const argv = normalizeServerArgv(this.argv, valueFlags)
    try {
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
        maxRequestBytes: flags['max-request-bytes'],
        tlsFlagsGiven: tlsFlagNames.filter((name) => given[name] !== undefined && given[name] !== '' && given[name] !== false),
      })
      await runServer(config, {log: (line) => process.stderr.write(`${line}\n`)})
    } catch (error) {
      if (!(error instanceof CliError)) throw error
      process.stderr.write(`Error: ${error.message}\n`)
      process.exitCode = error.exitCode
    }
  }
}
