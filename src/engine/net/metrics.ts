// /metrics in Prometheus' text format, with etcd's metric names where this engine has the
// data, gRPC's server counters as go-grpc-prometheus names them, and the process metrics.
// Each server has its own registry (a test process may run several). Hot-path hooks add to a
// plain number; the counters take those counts when /metrics is read (their collect()), as a
// prom-client increment hashes its labels and checks its argument on every call.
import {collectDefaultMetrics, Counter, Gauge, Histogram, Registry} from 'prom-client'

/** What the gauges read at scrape time. */
export interface MetricsSource {
  isLeader(): boolean
  hasLeader(): boolean
  committedIndex(): bigint
  appliedIndex(): bigint
  dbSizeBytes(): number
  dbSizeInUseBytes(): number
  keysTotal(): Promise<number>
}

/** etcd's buckets for disk latencies: 1 ms doubling 14 times (to about 8 s). */
const diskBuckets = Array.from({length: 14}, (_, i) => 0.001 * 2 ** i)

const grpcCodeNames = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable',
  'DataLoss', 'Unauthenticated',
]

type GrpcType = 'unary' | 'client_stream' | 'server_stream' | 'bidi_stream'

/** The counters of one method, made once. */
export interface MethodMetrics {
  started(): void
  handled(code: number): void
}

export class ServerMetrics {
  readonly registry = new Registry()
  private readonly started: Counter<'grpc_type' | 'grpc_service' | 'grpc_method'>
  private readonly handled: Counter<'grpc_type' | 'grpc_service' | 'grpc_method' | 'grpc_code'>
  private readonly puts: Counter
  private readonly ranges: Counter
  readonly walFsyncSeconds: Histogram
  readonly backendCommitSeconds: Histogram
  /** Move the counts kept since the last read into the counters. */
  private readonly flushes: Array<() => void> = []
  private putsSince = 0
  private rangesSince = 0

  constructor(source: MetricsSource) {
    const registers = [this.registry]
    const flushes = this.flushes
    const collect = () => {
      for (const flush of flushes) flush()
    }
    collectDefaultMetrics({register: this.registry})
    this.started = new Counter({
      name: 'grpc_server_started_total',
      help: 'Total number of RPCs started on the server.',
      labelNames: ['grpc_type', 'grpc_service', 'grpc_method'],
      registers,
      collect,
    })
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'Total number of RPCs completed on the server, regardless of success or failure.',
      labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'],
      registers,
      collect,
    })
    this.puts = new Counter({name: 'etcd_mvcc_put_total', help: 'Total number of puts seen by this member.', registers, collect})
    this.ranges = new Counter({name: 'etcd_mvcc_range_total', help: 'Total number of ranges seen by this member.', registers, collect})
    flushes.push(() => {
      if (this.putsSince > 0) this.puts.inc(this.putsSince)
      if (this.rangesSince > 0) this.ranges.inc(this.rangesSince)
      this.putsSince = 0
      this.rangesSince = 0
    })
    this.walFsyncSeconds = new Histogram({
      name: 'etcd_disk_wal_fsync_duration_seconds',
      help: 'The latency distributions of fsync called by WAL.',
      buckets: diskBuckets,
      registers,
    })
    this.backendCommitSeconds = new Histogram({
      name: 'etcd_disk_backend_commit_duration_seconds',
      help: 'The latency distributions of commit called by backend.',
      buckets: diskBuckets,
      registers,
    })
    const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(await read())
        },
      })
    gauge('etcd_server_has_leader', 'Whether or not a leader exists. 1 is existence, 0 is not.', () => (source.hasLeader() ? 1 : 0))
    gauge('etcd_server_is_leader', 'Whether or not this member is a leader. 1 if is, 0 otherwise.', () => (source.isLeader() ? 1 : 0))
    gauge('etcd_server_proposals_committed_total', 'The total number of consensus proposals committed.', () => Number(source.committedIndex()))
    gauge('etcd_server_proposals_applied_total', 'The total number of consensus proposals applied.', () => Number(source.appliedIndex()))
    gauge('etcd_mvcc_db_total_size_in_bytes', 'Total size of the underlying database physically allocated in bytes.', () => source.dbSizeBytes())
    gauge('etcd_mvcc_db_total_size_in_use_in_bytes', 'Total size of the underlying database logically in use in bytes.', () =>
      source.dbSizeInUseBytes(),
    )
    gauge('etcd_debugging_mvcc_keys_total', 'Total number of keys.', () => source.keysTotal())
  }

  /** The counters of one gRPC method, made once when the server starts. */
  method(service: string, method: string, type: GrpcType): MethodMetrics {
    const started = this.started.labels(type, service, method)
    const handled = grpcCodeNames.map((code) => this.handled.labels(type, service, method, code))
    // go-grpc-prometheus reports every method at zero from the start
    for (const child of [started, handled[0]!]) child.inc(0)
    let startedSince = 0
    const handledSince = new Array<number>(handled.length).fill(0)
    this.flushes.push(() => {
      if (startedSince > 0) started.inc(startedSince)
      startedSince = 0
      for (let code = 0; code < handledSince.length; code++) {
        if (handledSince[code]! > 0) handled[code]!.inc(handledSince[code])
        handledSince[code] = 0
      }
    })
    return {
      started: () => void startedSince++,
      handled: (code) => void handledSince[code >= 0 && code < handledSince.length ? code : 2]!++,
    }
  }

  put(): void {
    this.putsSince++
  }

  range(): void {
    this.rangesSince++
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
