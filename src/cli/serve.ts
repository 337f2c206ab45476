// `ectl server`: etcd's configuration (flags as etcd names them) checked and turned into what
// the engine's gRPC server needs, and the server's life: start, report ready, stop cleanly on
// SIGTERM or SIGINT. The engine is imported only here, lazily, so other commands never load it.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {parseRetention} from '../engine/etcd/compactor.js'
import {CliError, ExitCode} from './exit.js'
import {optimizeHotPathsSooner} from './jit-tiering.js'

/** The flags of `etcd` that `ectl server` reads, as strings (as etcd's ETCD_* variables are). */
export interface ServerFlags {
  name: string
  dataDir?: string
  listenClientUrls: string
  advertiseClientUrls?: string
  listenPeerUrls: string
  initialAdvertisePeerUrls: string
  initialCluster?: string
  initialClusterState: string
  initialClusterToken: string
  /** --heartbeat-interval, --election-timeout (ms) and --snapshot-count, as given. */
  heartbeatInterval?: string
  electionTimeout?: string
  snapshotCount?: string
  /** --experimental-snapshot-catchup-entries, as given. */
  snapshotCatchUpEntries?: string
  /** As given (etcd parses it as an int64 and refuses anything else). */
  maxRequestBytes: string
  quotaBackendBytes: string
  autoCompactionMode: string
  autoCompactionRetention: string
  certFile?: string
  keyFile?: string
  trustedCaFile?: string
  clientCertAuth: boolean
  /** --peer-cert-file, --peer-key-file, --peer-trusted-ca-file, --peer-client-cert-auth, --peer-auto-tls, --peer-cert-allowed-cn, --peer-crl-file. */
  peerCertFile?: string
  peerKeyFile?: string
  peerTrustedCaFile?: string
  peerClientCertAuth?: boolean
  peerAutoTls?: boolean
  peerCertAllowedCn?: string
  peerCrlFile?: string
  /** etcd's gRPC gateway switch (default on). */
  enableGrpcGateway: boolean
  /** TLS flags that were given (named as etcd names them) that we do not support. */
  tlsFlagsGiven: string[]
}

/** Client TLS as etcd's --cert-file, --key-file, --trusted-ca-file, --client-cert-auth. */
export interface ServerTlsFiles {
  certFile: string
  keyFile: string
  trustedCaFile?: string
  clientCertAuth: boolean
}

export interface ListenUrl {
  host: string
  port: number
  tls: boolean
}

export interface ServerConfig {
  name: string
  dataDir: string
  /** Where to listen, from --listen-client-urls. */
  listen: ListenUrl[]
  /** What MemberList says; undefined: the URLs we actually listen on. */
  advertiseClientUrls?: string[]
  peerUrls: string[]
  initialClusterState: 'new' | 'existing'
  initialClusterToken: string
  maxRequestBytes: number
  quotaBackendBytes: number
  autoCompaction?: {mode: 'periodic' | 'revision'; retention: number}
  tls?: ServerTlsFiles
  gateway: boolean
  /**
   * This member's Raft settings. It runs as a member of a Raft cluster when --initial-cluster
   * names more than one member, or when its data dir already holds a cluster member's data (a
   * cluster member ignores --initial-cluster once it has data, as etcd's; a cluster may have
   * shrunk to this member alone).
   */
  cluster: ServerClusterConfig
}

export interface ServerClusterConfig {
  /** Each member's peer URLs, by name (--initial-cluster). */
  initialCluster: Map<string, string[]>
  /** Where to listen for peers (the first --listen-peer-urls; tls: https://). */
  listenPeer: {host: string; port: number; tls: boolean}
  /** Peer TLS: the files of the --peer-* flags, or certificates of its own (--peer-auto-tls). */
  peerTls?: PeerTlsFiles | ({auto: true; clientCertAuth: boolean; hosts: string[]} & PeerTlsChecks)
  heartbeatMs: number
  electionMs: number
  snapshotCount: number
  catchUpEntries: number
}

/** Peer TLS as etcd's --peer-cert-file, --peer-key-file, --peer-trusted-ca-file, --peer-client-cert-auth. */
export interface PeerTlsFiles extends PeerTlsChecks {
  auto?: false
  certFile: string
  keyFile: string
  trustedCaFile?: string
  clientCertAuth: boolean
}

/** --peer-cert-allowed-cn and --peer-crl-file. */
export interface PeerTlsChecks {
  allowedCn?: string
  crlFile?: string
}

/** etcd's bound on --election-timeout. */
const maxElectionMs = 50_000

/**
 * Reads argv as etcd's Go flag package does: `-name` is `--name`, and a flag given twice takes
 * its last value (oclif would refuse both). `valueFlags` are the flags that take a value.
 */
export function normalizeServerArgv(argv: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const groups: {name: string | undefined; tokens: string[]}[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    const m = /^--?([a-z][a-z0-9-]*)(=.*)?$/s.exec(token)
    if (!m) {
      groups.push({name: undefined, tokens: [token]})
      continue
    }
    const name = m[1]!
    const tokens = [`--${name}${m[2] ?? ''}`]
    if (m[2] === undefined && valueFlags.has(name) && i + 1 < argv.length) tokens.push(argv[++i]!)
    groups.push({name, tokens})
  }
  const last = new Map<string, number>()
  groups.forEach((group, index) => group.name !== undefined && last.set(group.name, index))
  return groups.filter((group, index) => group.name === undefined || last.get(group.name) === index).flatMap((group) => group.tokens)
}

/** etcd warns about (and ignores) an ETCD_* variable that names no flag. */
export function unrecognizedEnv(env: NodeJS.ProcessEnv, known: ReadonlySet<string>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('ETCD_') && !known.has(name))
    .map((name) => `ectl server: unrecognized environment variable ${name}=${env[name]}`)
}

/** etcd refuses a flag given both ways, in these words (exit 1). */
export function checkEnvConflicts(argv: readonly string[], envName: (flag: string) => string, env: NodeJS.ProcessEnv): void {
  for (const token of argv) {
    const m = /^--([a-z][a-z0-9-]*)/.exec(token)
    if (!m) continue
    const variable = envName(m[1]!)
    if (env[variable] !== undefined) {
      throw new CliError(
        ExitCode.error,
        `conflicting environment variable "${variable}" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)`,
      )
    }
  }
}

const configError = (message: string) => new CliError(ExitCode.error, `ectl server: ${message}`)

function splitUrls(flag: string, value: string): URL[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '')
  if (items.length === 0) throw configError(`--${flag} is empty`)
  return items.map((item) => {
    let url: URL
    try {
      url = new URL(item)
    } catch {
      throw configError(`--${flag}: ${JSON.stringify(item)} is not a URL`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError(`--${flag}: only http:// and https:// URLs are supported (${item})`)
    if (url.port === '') throw configError(`--${flag}: ${item} has no port`)
    if (url.pathname !== '/' && url.pathname !== '') throw configError(`--${flag}: ${item} must not have a path`)
    return url
  })
}

/** `name=url,name=url` → each name's URLs, in order. */
function parseInitialCluster(value: string): Map<string, string[]> {
  const members = new Map<string, string[]>()
  for (const entry of value.split(',').filter((item) => item.trim() !== '')) {
    const equals = entry.indexOf('=')
    if (equals <= 0) throw configError(`--initial-cluster: ${JSON.stringify(entry)} is not name=url`)
    const name = entry.slice(0, equals).trim()
    members.set(name, [...(members.get(name) ?? []), entry.slice(equals + 1).trim()])
  }
  return members
}

/** Checks the flags as etcd checks them (and what we do not support yet) and derives the rest. */
/** What etcd prints after a flag error (Go's flag package prints the usage, then exits 2). */
const flagUsage = `Usage:

  ectl server [flags]
    Start an etcd-compatible server (see 'ectl server --help' for the flags).
`

/** A flag error as etcd's flag package reports it: the line, the usage, exit 2. */
export function flagError(line: string): CliError {
  return new CliError(ExitCode.badConnection, line, '', `${line}\n${flagUsage}`)
}

function int64Flag(flag: string, value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw flagError(`invalid value ${JSON.stringify(value)} for flag -${flag}: parse error`)
  }
  return Number(value)
}

/** etcd refuses a flag it does not define (`flag provided but not defined: -foo`). */
export function checkKnownFlags(argv: readonly string[], known: ReadonlySet<string>): void {
  for (const token of argv) {
    if (token === '--') return
    const m = /^--?([^=]+)/.exec(token)
    if (m && token !== '-' && !known.has(m[1]!)) throw flagError(`flag provided but not defined: -${m[1]}`)
  }
}

export function serverConfig(flags: ServerFlags): ServerConfig {
  if (flags.tlsFlagsGiven.length > 0) {
    throw configError(`not supported yet: ${flags.tlsFlagsGiven.map((name) => `--${name}`).join(', ')} cannot be used`)
  }
  if (flags.name === '') throw configError('--name must not be empty')
  const maxRequestBytes = int64Flag('max-request-bytes', flags.maxRequestBytes)
  if (maxRequestBytes <= 0) throw configError(`--max-request-bytes must be a positive number of bytes, not ${maxRequestBytes}`)
  // etcd: 0 takes the default quota (2 GiB), a negative one turns the quota off
  const quota = int64Flag('quota-backend-bytes', flags.quotaBackendBytes)
  const quotaBackendBytes = quota === 0 ? 2 * 1024 ** 3 : quota
  const mode = flags.autoCompactionMode
  if (mode !== 'periodic' && mode !== 'revision') {
    throw configError(`error verifying flags, unknown auto-compaction-mode ${JSON.stringify(mode)}. See 'ectl server --help'.`)
  }
  let retention: number
  try {
    retention = parseRetention(mode, flags.autoCompactionRetention)
  } catch (error) {
    throw configError((error as Error).message)
  }
  if (flags.initialClusterState !== 'new' && flags.initialClusterState !== 'existing') {
    throw configError(`--initial-cluster-state must be "new" or "existing", not ${JSON.stringify(flags.initialClusterState)}`)
  }
  const listenUrls = splitUrls('listen-client-urls', flags.listenClientUrls)
  const hasTlsPair = flags.certFile !== undefined && flags.certFile !== '' && flags.keyFile !== undefined && flags.keyFile !== ''
  for (const url of listenUrls) {
    if (url.protocol === 'https:' && !hasTlsPair) {
      throw configError(`TLS key/cert (--cert-file, --key-file) must be provided for client url ${url.href.replace(/\/$/, '')} with HTTPS scheme`)
    }
  }
  const listen = listenUrls.map((url) => ({host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), tls: url.protocol === 'https:'}))
  const advertise = flags.advertiseClientUrls === undefined ? undefined : splitUrls('advertise-client-urls', flags.advertiseClientUrls)
  const listenPeer = splitUrls('listen-peer-urls', flags.listenPeerUrls)[0]!
  const peerUrls = splitUrls('initial-advertise-peer-urls', flags.initialAdvertisePeerUrls).map((url) => url.href.replace(/\/$/, ''))

  // etcd's default initial cluster is this member alone at its advertised peer URLs.
  const cluster = parseInitialCluster(flags.initialCluster ?? peerUrls.map((url) => `${flags.name}=${url}`).join(','))
  if (!cluster.has(flags.name)) {
    throw configError(`couldn't find local name ${JSON.stringify(flags.name)} in the initial cluster configuration`)
  }
  const heartbeatMs = int64Flag('heartbeat-interval', flags.heartbeatInterval ?? '100')
  const electionMs = int64Flag('election-timeout', flags.electionTimeout ?? '1000')
  const snapshotCount = int64Flag('snapshot-count', flags.snapshotCount ?? '100000')
  if (heartbeatMs <= 0) throw configError(`--heartbeat-interval must be a positive number of milliseconds, not ${heartbeatMs}`)
  // etcd's checks, in etcd's words
  if (5 * heartbeatMs > electionMs) {
    throw configError(`--election-timeout[${electionMs}ms] should be at least as 5 times as --heartbeat-interval[${heartbeatMs}ms]`)
  }
  if (electionMs > maxElectionMs) throw configError(`--election-timeout[${electionMs}ms] is too long, and should be set less than ${maxElectionMs}ms`)
  if (snapshotCount <= 0) throw configError(`--snapshot-count must be a positive number of entries, not ${snapshotCount}`)
  const catchUpEntries = int64Flag('experimental-snapshot-catchup-entries', flags.snapshotCatchUpEntries ?? '5000')
  if (catchUpEntries < 0) {
    throw configError(`--experimental-snapshot-catchup-entries must not be negative, not ${catchUpEntries}`)
  }
  const clustered: ServerClusterConfig = {
    initialCluster: cluster,
    listenPeer: {host: listenPeer.hostname.replace(/^\[|\]$/g, ''), port: Number(listenPeer.port), tls: listenPeer.protocol === 'https:'},
    peerTls: peerTlsConfig(flags, listenPeer, peerUrls),
    heartbeatMs,
    electionMs,
    snapshotCount,
    catchUpEntries,
  }
  return {
    name: flags.name,
    dataDir: flags.dataDir ?? `${flags.name}.etcd`,
    listen,
    advertiseClientUrls: advertise?.map((url) => url.href.replace(/\/$/, '')),
    peerUrls,
    initialClusterState: flags.initialClusterState,
    initialClusterToken: flags.initialClusterToken,
    maxRequestBytes,
    quotaBackendBytes,
    autoCompaction: retention > 0 ? {mode, retention} : undefined,
    tls: hasTlsPair
      ? {certFile: flags.certFile!, keyFile: flags.keyFile!, trustedCaFile: flags.trustedCaFile || undefined, clientCertAuth: flags.clientCertAuth}
      : undefined,
    gateway: flags.enableGrpcGateway,
    cluster: clustered,
  }
}

export interface RunServerOptions {
  /** One line of the server's log (stderr). */
  log(line: string): void
  /** Settles when the server should stop (a signal); by default SIGTERM or SIGINT. */
  stopSignal?: Promise<string>
}

/** Serves until the stop signal, then stops accepting, finishes calls in flight and closes the engine. */
export async function runServer(config: ServerConfig, options: RunServerOptions): Promise<void> {
  optimizeHotPathsSooner()
  const {serveDataDir} = await import('../engine/net/grpc/serve-datadir.js')
  const tls = config.tls === undefined ? undefined : await readTls(config.tls)
  const scheme = (url: ListenUrl) => (url.tls ? 'https' : 'http')
  const hostOf = (host: string) => (host.includes(':') ? `[${host}]` : host)
  // The URLs clients reach us at; with no --advertise-client-urls, the ones we listen on.
  const listening = (ports: number[]) => config.listen.map((url, i) => `${scheme(url)}://${hostOf(url.host)}:${ports[i]}`)
  const member = {name: config.name, peerURLs: config.peerUrls, clientURLs: config.advertiseClientUrls ?? []}
  let serving
  try {
    serving = await serveDataDir({
      dataDir: config.dataDir,
      member,
      listen: config.listen.map((url) => ({host: url.host, port: url.port, tls: url.tls ? tls : undefined})),
      maxRequestBytes: config.maxRequestBytes,
      quotaBackendBytes: config.quotaBackendBytes,
      autoCompaction: config.autoCompaction,
      gateway: config.gateway,
      open: (await runsRaft(config)) ? await clusterOpener(config, options.log) : undefined,
    })
  } catch (error) {
    // a CliError (a peer certificate file that cannot be read) says it all already
    if (error instanceof CliError) throw error
    throw new CliError(ExitCode.error, `ectl server: ${(error as Error).message}`)
  }
  if (config.advertiseClientUrls === undefined) member.clientURLs.push(...listening(serving.ports))
  // as etcd publishes its attributes once serving: member list shows this name and these URLs
  await serving.publish(member)
  const stop = options.stopSignal ?? signalled()
  options.log(`ectl server: ready to serve client requests on ${listening(serving.ports).join(', ')} (member ${config.name}, data dir ${config.dataDir})`)
  // a member removed from its cluster stops on its own and exits 0, as etcd's
  const reason = await Promise.race([stop.then((signal) => `received ${signal}`), serving.halted])
  options.log(`ectl server: ${reason}, shutting down`)
  await serving.close()
  options.log('ectl server: stopped')
}

/** Whether this member runs Raft: see ServerConfig.cluster. */
async function runsRaft(config: ServerConfig): Promise<boolean> {
  if (config.cluster.initialCluster.size > 1) return true
  const {holdsClusterMember} = await import('../engine/cluster/snap-meta.js')
  return holdsClusterMember(join(config.dataDir, 'member'))
}

/** Opens this data dir as a member of the Raft cluster the flags describe. */
async function clusterOpener(config: ServerConfig, log: (line: string) => void) {
  const cluster = config.cluster
  const {openClusteredEtcd} = await import('../engine/cluster/open-cluster.js')
  const peerTls = cluster.peerTls === undefined ? undefined : await readPeerTls(cluster.peerTls, config.dataDir, log)
  return (dataDir: string, options: Parameters<typeof openClusteredEtcd>[2]) =>
    openClusteredEtcd(
      dataDir,
      {
        name: config.name,
        initialCluster: cluster.initialCluster,
        initialClusterToken: config.initialClusterToken,
        initialClusterState: config.initialClusterState,
        listenPeer: cluster.listenPeer,
        peerTls,
        timing: {heartbeatMs: cluster.heartbeatMs, electionMs: cluster.electionMs, snapshotCount: cluster.snapshotCount, catchUpEntries: cluster.catchUpEntries},
        log,
      },
      options,
    )
}

/** A PEM file, or etcd's words for a missing one. */
async function readPem(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (error) {
    throw new CliError(ExitCode.error, `ectl server: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? `open ${path}: no such file or directory` : (error as Error).message}`)
  }
}

/**
 * Peer TLS from the --peer-* flags, checked as etcd checks them: an https:// peer URL needs a
 * certificate and key (or --peer-auto-tls); given files win over --peer-auto-tls. Undefined
 * when no peer URL is https:// (etcd ignores peer certificates on http://).
 */
function peerTlsConfig(flags: ServerFlags, listenPeer: URL, peerUrls: string[]): ServerClusterConfig['peerTls'] {
  const hasPair = (flags.peerCertFile ?? '') !== '' && (flags.peerKeyFile ?? '') !== ''
  const anyTls = listenPeer.protocol === 'https:' || peerUrls.some((url) => url.startsWith('https:'))
  if (!anyTls) return undefined
  const clientCertAuth = flags.peerClientCertAuth ?? false
  const checks: PeerTlsChecks = {allowedCn: flags.peerCertAllowedCn || undefined, crlFile: flags.peerCrlFile || undefined}
  if (hasPair) {
    return {certFile: flags.peerCertFile!, keyFile: flags.peerKeyFile!, trustedCaFile: flags.peerTrustedCaFile || undefined, clientCertAuth, ...checks}
  }
  if (flags.peerAutoTls === true) {
    const hosts = [listenPeer.hostname, ...peerUrls.map((url) => new URL(url).hostname)].map((host) => host.replace(/^\[|\]$/g, ''))
    return {auto: true, clientCertAuth, hosts: [...new Set(hosts)], ...checks}
  }
  throw configError(`cannot listen on TLS for ${listenPeer.host}: KeyFile and CertFile are not presented`)
}

/** Reads the --peer-* PEM files, or makes (once, kept in DATA-DIR/fixtures/peer as etcd does) a self-signed certificate. */
async function readPeerTls(peer: NonNullable<ServerClusterConfig['peerTls']>, dataDir: string, log: (line: string) => void) {
  if (peer.auto === true) {
    const {selfSignedCert} = await import('./self-cert.js')
    const files = await selfSignedCert(join(dataDir, 'fixtures', 'peer'), peer.hosts)
    log(`ectl server: peer TLS with the self-signed certificate ${files.certFile} (peers' certificates are not verified)`)
    return {cert: await readPem(files.certFile), key: await readPem(files.keyFile), clientCertAuth: peer.clientCertAuth, skipVerify: true, ...(await peerChecks(peer))}
  }
  return {
    cert: await readPem(peer.certFile),
    key: await readPem(peer.keyFile),
    ca: peer.trustedCaFile === undefined ? undefined : await readPem(peer.trustedCaFile),
    clientCertAuth: peer.clientCertAuth,
    skipVerify: false,
    ...(await peerChecks(peer)),
  }
}

/**
 * --peer-cert-allowed-cn and --peer-crl-file. The list is read and parsed at start, so that a
 * missing or broken one stops the server with a clear error (etcd reads it only when a peer
 * dials, and then refuses every peer); it is read again whenever it changes (peer-crl.ts).
 */
async function peerChecks(peer: PeerTlsChecks): Promise<PeerTlsChecks> {
  if (peer.crlFile !== undefined) {
    const {parseCrl} = await import('../engine/cluster/peer-crl.js')
    try {
      parseCrl(await readPem(peer.crlFile))
    } catch (error) {
      if (error instanceof CliError) throw error
      throw new CliError(ExitCode.error, `ectl server: --peer-crl-file ${peer.crlFile}: ${(error as Error).message}`)
    }
  }
  return {allowedCn: peer.allowedCn, crlFile: peer.crlFile}
}

/** Reads the PEM files of --cert-file, --key-file and --trusted-ca-file. */
async function readTls(files: ServerTlsFiles) {
  const read = readPem
  return {
    cert: await read(files.certFile),
    key: await read(files.keyFile),
    ca: files.trustedCaFile === undefined ? undefined : await read(files.trustedCaFile),
    clientCertAuth: files.clientCertAuth,
  }
}

/** The first SIGTERM or SIGINT; a second one while shutting down exits at once. */
function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      resolve(signal)
      for (const name of ['SIGTERM', 'SIGINT'] as const) {
        process.removeListener(name, handler)
        process.once(name, () => process.exit(1))
      }
    }
    process.on('SIGTERM', handler)
    process.on('SIGINT', handler)
  })
}
