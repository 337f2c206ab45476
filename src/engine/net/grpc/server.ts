// The client port, as etcd serves it: the v3 API over gRPC (every service of the method table
// registered; what neither a handler nor the engine implements answers UNIMPLEMENTED), and on
// the same port the HTTP/JSON gateway with /health, /version and /metrics (mux.ts tells the
// protocols apart). Both reach the engine through one dispatcher.
import {
  type Metadata,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js'
import {createServer as createHttpServer} from 'node:http'
import type {ClientHttp2Session} from 'node:http2'
import type {Socket} from 'node:net'
import type {Duplex} from 'node:stream'
import assert from 'node:assert/strict'
import {encodeAfterPrefix} from '../../../api/encode-pooled.js'
import {GrpcCode, Limits} from '../../../api/errors.js'
import type {ResponseHeader} from '../../../api/proto/rpc.js'
import {type HandlerContext, type MemberInfo, type ServedEngine} from './handlers.js'
import {grpcServices, type MethodSpec, methodPath, type ServiceName, serviceDefinition} from '../../../api/grpc-methods.js'
import {createDispatcher, type Dispatcher, EngineLacksMethod, type MethodEntry} from '../dispatch.js'
import {createGateway, type HealthSource} from '../gateway/gateway.js'
import type {ServerMetrics} from '../metrics.js'
import {listen, type ListenAddress, type MuxListener} from '../mux.js'
import {H2ServerConnection} from '../h2/connection.js'
import {asPullable, serveFastStream, type StreamRoute} from './fast-stream.js'
import {serveFastUnary, type UnaryRoute} from './fast-unary.js'
import {openRelaySession, relayStream} from './grpc-js-relay.js'
import {PREFIX_BYTES} from './wire.js'
import {pumpServerStream} from './server-stream.js'
import {type Bridge, bridgeStream} from './stream-bridge.js'
import {receiveLimitError, statusError, type StatusError, toStatusError, unimplementedError} from './status.js'
import {frameKeepAliveResponse} from './keepalive-frame.js'
import {frameMessage, frameWatchResponse} from './watch-frame.js'

/**
 * etcd lets a gRPC message be this much larger than --max-request-bytes (its
 * grpcOverheadBytes), so that a request just over the limit reaches the server and is refused
 * in etcd's words (`etcdserver: request is too large`) rather than by gRPC.
 */
export const grpcOverheadBytes = 512 * 1024

/**
 * Beyond this multiple of etcd's receive limit grpc-js itself drops a message before it is
 * buffered whole; between the two we refuse it with gRPC-Go's words, as etcd does.
 */
const hardReceiveLimitFactor = 4
/** Concurrent streams (calls) on one HTTP/2 connection. */
const maxConcurrentStreams = 4096
/** A request's header list (HPACK's measure): the method, the path, the caller's token and metadata. */
const maxHeaderListBytes = 64 * 1024
/**
 * Unary requests a connection's calls may hold together while they are read: room for a few
 * requests at the hard receive limit at once, past which a call is refused.
 */
const maxHeldRequestBytesPerConnection = 256 * 1024 * 1024
/** Each stream's receive window: a large request comes in without waiting on WINDOW_UPDATEs. */
const streamWindowBytes = 1024 * 1024
/** The connection's receive window. */
const connectionWindowBytes = 16 * 1024 * 1024
const watchPath = '/etcdserverpb.Watch/Watch'
const keepAlivePath = '/etcdserverpb.Lease/LeaseKeepAlive'
/** Bidirectional streams served on the HTTP/2 stream itself (fast-stream.ts); the others go through grpc-js. */
const fastStreamPaths = new Set([watchPath, keepAlivePath])
/** Responses these streams frame with an encoder of their own; others take the generated one. */
const streamFramers: Record<string, (response: never) => Buffer> = {
  [watchPath]: frameWatchResponse,
  [keepAlivePath]: frameKeepAliveResponse,
}
/** How long a shutdown waits for calls in flight before cutting connections. */
const shutdownGraceMs = 5_000
/** An HTTP/1.1 client has this long to send its request headers. */
const httpHeadersTimeoutMs = 60_000

export interface GrpcServerOptions {
  engine: ServedEngine
  member: MemberInfo
  /** Addresses to listen on (`host:port`, or with TLS); port 0 takes a free port. */
  listen: Array<string | ListenAddress>
  /** --max-request-bytes (default etcd's 1.5 MiB). */
  maxRequestBytes?: number
  /** The member's current header: fills in what a response's header lacks. */
  header?: () => ResponseHeader
  /** /health's view of the member; without it /health only probes the engine with a read. */
  health?: HealthSource
  metrics?: ServerMetrics
  /** What /version reports. */
  version?: {server: string; cluster: string}
  /** Serve the JSON gateway (etcd's --enable-grpc-gateway, default on); /health, /version and /metrics are always served. */
  gateway?: boolean
  /** Whether the member is a Raft learner now (it then serves only Status and serializable Range). */
  isLearner?: () => boolean
}

export interface RunningGrpcServer {
  /** The bound port of each `listen` address, in order. */
  readonly ports: number[]
  /** Stops accepting, lets unary calls in flight finish, ends streams, closes the listeners. */
  close(): Promise<void>
}

/** A request over the receive limit, kept undecoded so the handler can refuse it. */
class OversizeMessage {
  constructor(readonly bytes: number) {}
}

/** A request refused before it reached its handler, carrying the status to answer with. */
class Refused {
  constructor(readonly status: StatusError) {}
}

/** A request whose bytes are not its message: refused as an invalid argument, naming why. */
class MalformedMessage {
  constructor(readonly reason: string) {}
}

function parseAddress(address: string | ListenAddress): ListenAddress {
  if (typeof address !== 'string') return address
  const colon = address.lastIndexOf(':')
  assert.ok(colon > 0, `listen address ${address} has no port`)
  return {host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1))}
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const maxRequestBytes = options.maxRequestBytes ?? Limits.maxRequestBytes
  assert.ok(Number.isSafeInteger(maxRequestBytes) && maxRequestBytes > 0, 'maxRequestBytes must be a positive integer')
  const receiveLimitBytes = maxRequestBytes + grpcOverheadBytes
  const server = new Server({
    'grpc.max_receive_message_length': receiveLimitBytes * hardReceiveLimitFactor,
    'grpc.max_send_message_length': -1,
    'grpc.max_concurrent_streams': maxConcurrentStreams,
    // per-call bookkeeping for channelz, which nothing here reads
    'grpc.enable_channelz': 0,
  })
  const context: HandlerContext = {engine: options.engine, member: options.member, maxRequestBytes}
  const header = options.header
  const dispatcherContext = {...context, header: header ?? (() => undefined as never), fillHeaders: header !== undefined, metrics: options.metrics, isLearner: options.isLearner}
  const dispatcher = createDispatcher(dispatcherContext)
  // Each call runs on the engine as its caller sees it (auth): the view of the token in its
  // metadata (`token`, or `authorization` as etcd also reads), with one dispatcher per view.
  const dispatchers = new WeakMap<ServedEngine, Dispatcher>()
  const dispatcherFor = (token: string | undefined): Dispatcher => {
    const engine = options.engine
    if (engine.asCaller === undefined) return dispatcher
    const view = engine.asCaller(token)
    let found = dispatchers.get(view)
    if (found === undefined) {
      found = createDispatcher({...dispatcherContext, engine: view})
      dispatchers.set(view, found)
    }
    return found
  }
  const tokenOf = (metadata: Metadata): string | undefined => {
    const token = metadata.get('token')[0] ?? metadata.get('authorization')[0]
    return typeof token === 'string' ? token : undefined
  }
  const callerEntry = (metadata: Metadata, service: ServiceName, method: string): MethodEntry => dispatcherFor(tokenOf(metadata)).entry(service, method)!
  /** Unary methods by path, answered without grpc-js (fast-unary.ts). */
  const fastRoutes = new Map<string, UnaryRoute>()
  /** Bidirectional methods by path, likewise (fast-stream.ts). */
  const fastStreamRoutes = new Map<string, StreamRoute>()
  const bridges = new Set<Bridge>()
  const refuse = (message: unknown): StatusError | undefined => {
    if (message instanceof OversizeMessage) return receiveLimitError(message.bytes, receiveLimitBytes)
    if (message instanceof MalformedMessage) return statusError(GrpcCode.INVALID_ARGUMENT, `grpc: error unmarshalling request: ${message.reason}`)
    return undefined
  }
  const decodeRequest = (spec: MethodSpec, bytes: Buffer): unknown => {
    if (bytes.length > receiveLimitBytes) return new OversizeMessage(bytes.length)
    try {
      return spec.request.decode(bytes)
    } catch (error) {
      return new MalformedMessage(error instanceof Error ? error.message : String(error))
    }
  }
  const statusOf = (error: unknown, path: string) => (error instanceof EngineLacksMethod ? unimplementedError(path) : toStatusError(error))

  for (const service of Object.keys(grpcServices) as ServiceName[]) {
    const implementation: UntypedServiceImplementation = {}
    for (const [method, spec] of Object.entries(grpcServices[service]) as [string, MethodSpec][]) {
      const path = methodPath(service, method)
      const entry = dispatcher.entry(service, method)!
      if (entry.unary) {
        const handleUnary = entry.unary
        const run = (request: unknown, token: string | undefined, signal?: AbortSignal): Promise<unknown> => {
          const refusal = refuse(request)
          if (refusal) return Promise.reject(new Refused(refusal))
          const handle = dispatcherFor(token).entry(service, method)!.unary ?? handleUnary
          // A handler may throw before its first await: that is a refusal too, not a crash.
          try {
            return handle(request, signal)
          } catch (error) {
            return Promise.reject(error)
          }
        }
        const unaryStatus = (error: unknown) => (error instanceof Refused ? error.status : statusOf(error, path))
        fastRoutes.set(path, {
          decode: (bytes) => decodeRequest(spec, bytes),
          call: run,
          encodeAfterPrefix: (response) => encodeAfterPrefix(spec.response, response as never, PREFIX_BYTES),
          statusOf: unaryStatus,
          waits: entry.waitsForOthers,
        })
        implementation[method] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
          let signal: AbortSignal | undefined
          if (entry.waitsForOthers) {
            const gone = new AbortController()
            call.once('cancelled', () => gone.abort())
            signal = gone.signal
          }
          run(call.request, tokenOf(call.metadata), signal).then(
            (response) => callback(null, response),
            (error: unknown) => callback(unaryStatus(error)),
          )
        }
      } else if (entry.bidi) {
        const openStream = entry.bidi
        if (fastStreamPaths.has(path)) {
          fastStreamRoutes.set(path, {
            decode: (bytes) => decodeRequest(spec, bytes),
            refuse,
            open: (token) => asPullable((dispatcherFor(token).entry(service, method)!.bidi ?? openStream)()),
            frame: streamFramers[path] ?? ((response) => frameMessage(spec.response.encode(response as never).finish())),
            statusOf: (error) => statusOf(error, path),
            endOnHalfClose: method === 'LeaseKeepAlive',
            afterAnswers: path === watchPath,
          })
        }
        implementation[method] = (call: ServerDuplexStream<unknown, unknown>) => {
          let stream
          try {
            stream = (callerEntry(call.metadata, service, method).bidi ?? openStream)()
          } catch (error) {
            call.emit('error', statusOf(error, path))
            return
          }
          const bridge = bridgeStream(call, stream, {endOnHalfClose: method === 'LeaseKeepAlive', refuse})
          bridges.add(bridge)
          void bridge.done.finally(() => bridges.delete(bridge))
        }
      } else if (entry.serverStream) {
        const openStream = entry.serverStream
        implementation[method] = (call: ServerWritableStream<unknown, unknown>) => {
          const refusal = refuse(call.request)
          if (refusal) return call.emit('error', refusal)
          const open = callerEntry(call.metadata, service, method).serverStream ?? openStream
          void streamOut(call, () => open(call.request), (error) => statusOf(error, path))
        }
      } else {
        implementation[method] = (call: {emit(event: 'error', error: unknown): void}, callback?: sendUnaryData<unknown>) => {
          if (callback) callback(unimplementedError(path))
          else call.emit('error', unimplementedError(path))
        }
      }
    }
    server.addService(serviceDefinition(service, decodeRequest), implementation)
  }

  const gateway = createGateway({
    dispatcher,
    dispatcherFor,
    receiveLimitBytes,
    routes: options.gateway ?? true,
    version: options.version ?? {server: '3.5.0', cluster: '3.5.0'},
    metrics: options.metrics,
    health: options.health ?? {
      alarms: () => [],
      probe: async () => {
        await options.engine.range({key: Buffer.from('health')})
      },
    },
  })
  const http = createHttpServer({headersTimeout: httpHeadersTimeoutMs, requestTimeout: 0}, (request, response) => gateway.handle(request, response))
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure())
  const hardLimitBytes = receiveLimitBytes * hardReceiveLimitFactor
  const connections = new Set<H2ServerConnection>()
  let allGone: (() => void) | undefined
  const serveGrpc = (socket: Duplex, firstBytes: Buffer) => {
    let relay: ClientHttp2Session | undefined
    const connection = new H2ServerConnection(socket, firstBytes, {
      onStream: (stream, fields) => {
        const path = stream.headers[':path']!
        if (serveFastUnary(stream, fastRoutes.get(path), path, hardLimitBytes)) return
        const served = serveFastStream(stream, fastStreamRoutes.get(path), hardLimitBytes)
        if (served !== undefined) {
          bridges.add(served)
          void served.done.finally(() => bridges.delete(served))
          return
        }
        relay ??= openRelaySession(injector)
        relayStream(relay, stream, fields)
      },
      maxConcurrentStreams,
      maxHeaderListBytes,
      maxHeldRequestBytes: maxHeldRequestBytesPerConnection,
      streamWindowBytes,
      connectionWindowBytes,
    })
    connections.add(connection)
    connection.onClose = () => {
      connections.delete(connection)
      relay?.destroy()
      if (connections.size === 0) allGone?.()
    }
  }
  const targets = {
    grpc: serveGrpc,
    http: (socket: Socket) => http.emit('connection', socket),
  }

  const listeners: MuxListener[] = []
  try {
    for (const address of options.listen) listeners.push(await listen(parseAddress(address), targets))
  } catch (error) {
    await Promise.all(listeners.map((listener) => listener.close()))
    injector.destroy()
    server.forceShutdown()
    throw error
  }

  let closing: Promise<void> | undefined
  return {
    ports: listeners.map((listener) => listener.port),
    close() {
      closing ??= (async () => {
        // stop accepting; the listeners' close settles once every connection is gone
        const listenersClosed = Promise.all(listeners.map((listener) => listener.close()))
        const force = setTimeout(() => {
          for (const connection of connections) connection.destroy()
          server.forceShutdown()
          injector.destroy()
          http.closeAllConnections()
        }, shutdownGraceMs)
        const connectionsGone = new Promise<void>((resolve) => {
          allGone = resolve
          if (connections.size === 0) resolve()
        })
        // no new calls (GOAWAY); each connection ends once its calls are over
        for (const connection of connections) connection.shutdown()
        const grpcDone = new Promise<void>((resolve) => server.tryShutdown(() => resolve()))
        const httpDone = new Promise<void>((resolve) => http.close(() => resolve()))
        http.closeIdleConnections()
        // Streams never finish by themselves: end them once no new call can start.
        for (const bridge of bridges) bridge.stop()
        gateway.stop()
        await connectionsGone
        await grpcDone
        injector.destroy()
        await httpDone
        await listenersClosed
        clearTimeout(force)
      })()
      return closing
    },
  }
}

/**
 * A server-streaming call fed from an async iterable, with back-pressure; a caller that goes
 * away stops the source (its return() runs: a snapshot's staged copy is removed, an observer's
 * watch ends).
 */
async function streamOut(call: ServerWritableStream<unknown, unknown>, open: () => AsyncIterable<unknown>, statusOf: (error: unknown) => StatusError) {
  await pumpServerStream(call, open, statusOf).done
}
