// The v3 API over gRPC, as etcd serves it on its client URLs: every service of the method table
// is registered; what the engine implements is answered by it, the rest with UNIMPLEMENTED.
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js'
import assert from 'node:assert/strict'
import {Limits} from '../../../api/errors.js'
import {EngineLacksMethod, type HandlerContext, type MemberInfo, type ServedEngine, streamOpeners, unaryHandlers} from './handlers.js'
import {grpcServices, type MethodSpec, methodPath, type ServiceName, serviceDefinition} from '../../../api/grpc-methods.js'
import {type Bridge, bridgeStream} from './stream-bridge.js'
import {receiveLimitError, type StatusError, toStatusError, unimplementedError} from './status.js'

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
/** How long a shutdown waits for calls in flight before cutting connections. */
const shutdownGraceMs = 5_000

export interface GrpcServerOptions {
  engine: ServedEngine
  member: MemberInfo
  /** `host:port` addresses to listen on; port 0 takes a free port. */
  listen: string[]
  /** --max-request-bytes (default etcd's 1.5 MiB). */
  maxRequestBytes?: number
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

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const maxRequestBytes = options.maxRequestBytes ?? Limits.maxRequestBytes
  assert.ok(Number.isSafeInteger(maxRequestBytes) && maxRequestBytes > 0, 'maxRequestBytes must be a positive integer')
  const receiveLimitBytes = maxRequestBytes + grpcOverheadBytes
  const server = new Server({
    'grpc.max_receive_message_length': receiveLimitBytes * hardReceiveLimitFactor,
    'grpc.max_send_message_length': -1,
    'grpc.max_concurrent_streams': maxConcurrentStreams,
  })
  const context: HandlerContext = {engine: options.engine, member: options.member, maxRequestBytes}
  const unary = unaryHandlers(context)
  const streams = streamOpeners(context)
  const bridges = new Set<Bridge>()
  const refuse = (message: unknown): StatusError | undefined =>
    message instanceof OversizeMessage ? receiveLimitError(message.bytes, receiveLimitBytes) : undefined
  const decodeRequest = (spec: MethodSpec, bytes: Buffer): unknown =>
    bytes.length > receiveLimitBytes ? new OversizeMessage(bytes.length) : spec.request.decode(bytes)

  for (const service of Object.keys(grpcServices) as ServiceName[]) {
    const implementation: UntypedServiceImplementation = {}
    for (const [method, spec] of Object.entries(grpcServices[service]) as [string, MethodSpec][]) {
      const path = methodPath(service, method)
      const handleUnary = (unary[service] as Record<string, ((request: never) => Promise<unknown>) | undefined> | undefined)?.[method]
      const openStream = (streams[service] as Record<string, (() => never) | undefined> | undefined)?.[method]
      if (spec.kind === 'unary' && handleUnary) {
        implementation[method] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
          const refusal = refuse(call.request)
          if (refusal) return callback(refusal)
          // A handler may throw before its first await: that is a refusal too, not a crash.
          Promise.resolve(call.request as never).then(handleUnary).then(
            (response) => callback(null, response),
            (error: unknown) => callback(error instanceof EngineLacksMethod ? unimplementedError(path) : toStatusError(error)),
          )
        }
      } else if (spec.kind === 'bidi' && openStream) {
        implementation[method] = (call: ServerDuplexStream<unknown, unknown>) => {
          let stream
          try {
            stream = openStream()
          } catch (error) {
            call.emit('error', error instanceof EngineLacksMethod ? unimplementedError(path) : toStatusError(error))
            return
          }
          const bridge = bridgeStream(call, stream, {endOnHalfClose: method === 'LeaseKeepAlive', refuse})
          bridges.add(bridge)
          void bridge.done.finally(() => bridges.delete(bridge))
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

  const ports: number[] = []
  try {
    for (const address of options.listen) ports.push(await bind(server, address))
  } catch (error) {
    server.forceShutdown()
    throw error
  }

  let closing: Promise<void> | undefined
  return {
    ports,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), shutdownGraceMs)
        server.tryShutdown(() => {
          clearTimeout(force)
          resolve()
        })
        // Streams never finish by themselves: end them once no new call can start.
        for (const bridge of bridges) bridge.stop()
      })
      return closing
    },
  }
}

function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(new Error(`cannot listen on ${address}: ${error.message}`))
      else resolve(port)
    })
  })
}
