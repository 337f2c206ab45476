// FullEtcdClient over gRPC, derived from the method table (src/api/grpc-methods.ts): every
// method of every service is its gRPC method's name in lowerCamel case, and a unary, a
// server-streaming or a bidirectional caller by its kind. Watch and LeaseKeepAlive are wrapped
// so a dropped connection resumes on the next endpoint with no lost and no repeated event.
import {GrpcCode} from '../../../api/errors.js'
import {grpcServices, methodPath, type MethodSpec, type ServiceName} from '../../../api/grpc-methods.js'
import type {BidiStream, FullEtcdClient, KeepAliveStream, Req, WatchStream} from '../client.js'
import {resumingKeepAlive} from '../resuming-keepalive.js'
import {resumingWatch} from '../resuming-watch.js'
import {GrpcCallError, isInvalidToken} from './errors.js'
import type {GrpcClientOptions} from './options.js'
import {type CallPolicy, GrpcTransport} from './transport.js'

export type {GrpcClientOptions} from './options.js'

/** Reads: safe to send again on the next endpoint after UNAVAILABLE (etcd's repeatable RPCs). */
const repeatable = new Set([
  'Range', 'Status', 'HashKV', 'Hash', 'LeaseTimeToLive', 'LeaseLeases', 'MemberList', 'AuthStatus',
  'UserGet', 'UserList', 'RoleGet', 'RoleList', 'Leader',
])
/** Calls that wait for the world (a lock, an election): no deadline. */
const blocking = new Set(['Lock', 'Campaign'])

type AllMethodNames = {[S in ServiceName]: Uncapitalize<keyof (typeof grpcServices)[S] & string>}[ServiceName]
// Every method of the interface must come from the table (close aside): checked at compile time.
const everyMethodFromTable: Exclude<keyof FullEtcdClient, 'close'> extends AllMethodNames ? true : never = true

const lowerCamel = (name: string): string => name[0]!.toLowerCase() + name.slice(1)

/** A stream broken by the connection (or a token gone stale) is reopened. */
const streamResumable = (error: unknown): boolean => (error instanceof GrpcCallError && error.code === GrpcCode.UNAVAILABLE) || isInvalidToken(error)

/** The gRPC client: the whole v3 API, plus what a caller needs of the connection. */
export type GrpcEtcdClient = FullEtcdClient & {
  /** The endpoint in use (`host:port`). */
  readonly endpoint: string
  /** Authenticates now when a user is given; otherwise connects lazily, on the first call. */
  ready(): Promise<void>
}

export function createGrpcEtcdClient(options: GrpcClientOptions): GrpcEtcdClient {
  void everyMethodFromTable
  const transport = new GrpcTransport(options)
  const methods: Record<string, unknown> = {}
  for (const service of Object.keys(grpcServices) as ServiceName[]) {
    for (const [name, spec] of Object.entries(grpcServices[service]) as [string, MethodSpec][]) {
      const path = methodPath(service, name)
      const policy: CallPolicy = {repeatable: repeatable.has(name), blocking: blocking.has(name)}
      methods[lowerCamel(name)] =
        spec.kind === 'unary'
          ? (request?: Req<unknown>) => transport.unary(path, spec, request, policy)
          : spec.kind === 'serverStream'
            ? (request?: Req<unknown>) => transport.serverStream(path, spec, request)
            : () => plainBidi(transport, path, spec)
    }
  }
  const client = {
    ...methods,
    watch: (): WatchStream => {
      const open = streamOpener(transport, methodPath('etcdserverpb.Watch', 'Watch'), grpcServices['etcdserverpb.Watch'].Watch)
      return resumingWatch(deferred(open()), {retryable: open.retryable, open})
    },
    leaseKeepAlive: (): KeepAliveStream => {
      const open = streamOpener(transport, methodPath('etcdserverpb.Lease', 'LeaseKeepAlive'), grpcServices['etcdserverpb.Lease'].LeaseKeepAlive)
      return resumingKeepAlive(deferred(open()), {retryable: open.retryable, open})
    },
    close: async () => transport.close(),
    ready: () => transport.ready(),
    get endpoint() {
      return transport.endpoint
    },
  }
  return client as unknown as GrpcEtcdClient
}

/** Any other bidi method: opened on a connected endpoint, not resumed. */
function plainBidi<Request, Response>(transport: GrpcTransport, path: string, spec: MethodSpec<Request, Response>): BidiStream<Request, Response> {
  return deferred(transport.bidi(path, spec))
}

/**
 * Opens a stream on the endpoint in use; after a failure, on the next one (authenticating
 * again first if the token was the failure).
 */
function streamOpener<Request, Response>(transport: GrpcTransport, path: string, spec: MethodSpec<Request, Response>) {
  let opened = false
  const open = async (): Promise<BidiStream<Request, Response>> => {
    if (opened) transport.failed()
    opened = true
    return transport.bidi(path, spec)
  }
  return Object.assign(open, {
    retryable: (error: unknown): boolean => {
      if (isInvalidToken(error)) transport.forgetToken()
      return streamResumable(error)
    },
  })
}

/** A stream usable at once: requests sent before it is open are sent when it opens. */
function deferred<Request, Response>(opening: Promise<BidiStream<Request, Response>>): BidiStream<Request, Response> {
  let stream: BidiStream<Request, Response> | undefined
  let closed = false
  const early: Req<Request>[] = []
  opening.then(
    (opened) => {
      stream = opened
      if (closed) return opened.close()
      for (const request of early.splice(0)) opened.send(request)
    },
    () => undefined, // reported by iteration
  )
  return {
    send(request) {
      if (closed) return
      if (stream) stream.send(request)
      else early.push(request)
    },
    close() {
      closed = true
      stream?.close()
    },
    async *[Symbol.asyncIterator]() {
      yield* await opening
    },
  }
}
