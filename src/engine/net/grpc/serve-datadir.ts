// `ectl server`'s engine side: hold the data dir (local `ectl --data-dir` commands keep reaching
// it through the holder's socket) and serve it on the client URLs: gRPC, the JSON gateway,
// /health, /version and /metrics.
import {EtcdError, GrpcCode} from '../../../api/errors.js'
import {AlarmType} from '../../../api/proto/rpc.js'
import {type CompactionMode, Compactor} from '../../etcd/compactor.js'
import {tryHoldDataDir} from '../../etcd/holder.js'
import {apiClusterVersion, serverVersion} from '../../etcd/version.js'
import type {EmbeddedEtcd, EmbeddedOptions} from '../../etcd/embedded.js'
import {ServerMetrics} from '../metrics.js'
import type {ListenAddress} from '../mux.js'
import type {MemberInfo, ServedEngine} from './handlers.js'
import {startGrpcServer} from './server.js'

export interface ServeDataDirOptions {
  dataDir: string
  member: MemberInfo
  /** `host:port` addresses, or addresses with TLS (from --listen-client-urls). */
  listen: Array<string | ListenAddress>
  maxRequestBytes: number
  /** --quota-backend-bytes (etcd's 2 GiB by default; 0 or less: none). */
  quotaBackendBytes?: number
  /** --auto-compaction-mode and the parsed --auto-compaction-retention (ms or revisions). */
  autoCompaction?: {mode: CompactionMode; retention: number}
  /** etcd's --enable-grpc-gateway (default on). */
  gateway?: boolean
  /** Opens the engine in the held data dir (a cluster member); one member by default. */
  open?: (dataDir: string, options: EmbeddedOptions) => Promise<EmbeddedEtcd>
}

export interface ServingDataDir {
  readonly ports: number[]
  /** Records this member's name and URLs in the member list (etcd publishes them on start). */
  publish(member: MemberInfo): Promise<void>
  /** Stops accepting, finishes the calls in flight, ends streams, then releases the data dir. */
  close(): Promise<void>
  /** Settles with the reason when the member stops on its own (removed from its cluster): the server should then close. */
  readonly halted: Promise<string>
}

/** The gauges of /metrics, read from the member at scrape time. */
function metricsOf(engine: EmbeddedEtcd): ServerMetrics {
  const member = engine.member
  const metrics = new ServerMetrics({
    isLeader: () => engine.leadership().isLeader,
    hasLeader: () => engine.leadership().hasLeader,
    committedIndex: () => member.appliedIndex,
    appliedIndex: () => member.appliedIndex,
    dbSizeBytes: () => member.dbSizeBytes(),
    dbSizeInUseBytes: () => member.dbSizeBytes(),
    keysTotal: async () => Number((await engine.range({key: Buffer.from([0]), rangeEnd: Buffer.from([0]), countOnly: true})).count),
  })
  member.observe({
    walSyncSeconds: (seconds) => metrics.walFsyncSeconds.observe(seconds),
    backendCommitSeconds: (seconds) => metrics.backendCommitSeconds.observe(seconds),
  })
  return metrics
}

export async function serveDataDir(options: ServeDataDirOptions): Promise<ServingDataDir> {
  const held = await tryHoldDataDir(options.dataDir, {
    limits: {
      maxRequestBytes: options.maxRequestBytes,
      ...(options.quotaBackendBytes === undefined ? {} : {quotaBackendBytes: options.quotaBackendBytes}),
    },
  }, options.open)
  if (!held) {
    throw new EtcdError(GrpcCode.FAILED_PRECONDITION, `data dir ${options.dataDir} is already in use by another process (an ectl server or command)`)
  }
  const engine = held.engine
  let grpc
  try {
    await held.engine.publishMember({name: options.member.name, clientURLs: options.member.clientURLs, peerURLs: options.member.peerURLs})
    grpc = await startGrpcServer({
      engine: engine as ServedEngine,
      member: options.member,
      listen: options.listen,
      maxRequestBytes: options.maxRequestBytes,
      gateway: options.gateway,
      header: () => engine.member.header(),
      isLearner: () => engine.leadership().isLearner,
      metrics: metricsOf(engine),
      version: {server: serverVersion, cluster: apiClusterVersion},
      health: {
        alarms: () => engine.member.store.alarms().map((alarm) => AlarmType[alarm.alarm] ?? String(alarm.alarm)),
        // a read of one key through the engine, as etcd's health check does (linearizable)
        probe: async () => {
          await engine.range({key: Buffer.from('health')})
        },
      },
    })
  } catch (error) {
    await held.release()
    throw error
  }
  const server = grpc
  const compactor = options.autoCompaction && new Compactor(options.autoCompaction.mode, options.autoCompaction.retention, {
    currentRevision: () => engine.member.store.currentRevision,
    compact: async (revision) => {
      await engine.compact({revision: BigInt(revision)})
    },
  })
  compactor?.start()
  let closing: Promise<void> | undefined
  return {
    ports: server.ports,
    halted: engine.halted(),
    publish: (member) => held.engine.publishMember({name: member.name, clientURLs: member.clientURLs, peerURLs: member.peerURLs}),
    close() {
      closing ??= (async () => {
        try {
          await compactor?.stop()
          await server.close()
        } finally {
          await held.release()
        }
      })()
      return closing
    },
  }
}
