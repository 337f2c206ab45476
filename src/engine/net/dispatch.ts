// One entry point per method of the v3 API for every protocol on the client port: the gRPC
// server and the HTTP/JSON gateway both call through here, so a method answers the same
// whichever way it was reached. A method is answered by its handler in grpc/handlers.ts if it
// has one, else by the engine's method of the same name in lowerCamel case (Auth/UserAdd →
// engine.userAdd), so a service the engine grows is served without touching the server.
import {type MethodSpec, grpcServices, type ServiceName} from '../../api/grpc-methods.js'
import type {ResponseHeader} from '../../api/proto/rpc.js'
import {type BidiStream, isPullable, type PullableStream} from '../../client/etcd/client.js'
import {EngineLacksMethod, type HandlerContext, streamOpeners, unaryHandlers} from './grpc/handlers.js'
import {EtcdError, GrpcCode} from '../../api/errors.js'
import type {MethodMetrics, ServerMetrics} from './metrics.js'

export type AnyBidi = BidiStream<unknown, unknown>

export interface MethodEntry {
  service: ServiceName
  method: string
  spec: MethodSpec
  /**
   * Absent when neither a handler nor the engine implements the method. `signal` aborts when the
   * caller goes away (a Lock or Campaign still waiting gives its place back).
   */
  unary?: (request: unknown, signal?: AbortSignal) => Promise<unknown>
  /**
   * The call may wait on other clients (a lock held, an election led): every protocol gives it a
   * signal that aborts when its caller goes away, so it gives its place back instead of taking
   * it later.
   */
  waitsForOthers: boolean
  bidi?: () => AnyBidi
  serverStream?: (request: unknown) => AsyncIterable<unknown>
}

export interface Dispatcher {
  entry(service: ServiceName, method: string): MethodEntry | undefined
  entries(): MethodEntry[]
}

const waitingMethods = new Set(['v3lockpb.Lock/Lock', 'v3electionpb.Election/Campaign'])

const lowerCamel = (method: string) => method[0]!.toLowerCase() + method.slice(1)

/**
 * Every response's header carries the cluster and member ids, the raft term and the revision
 * (an engine method that left one out gets the current ones).
 */
export function fillHeader(response: unknown, current: () => ResponseHeader): void {
  if (response === null || typeof response !== 'object') return
  const holder = response as {header?: ResponseHeader}
  const header = holder.header
  if (header === undefined) {
    holder.header = current()
    return
  }
  if (header.clusterId !== 0n && header.memberId !== 0n && header.raftTerm !== 0n && header.revision !== 0n) return
  const now = current()
  if (header.clusterId === 0n) header.clusterId = now.clusterId
  if (header.memberId === 0n) header.memberId = now.memberId
  if (header.raftTerm === 0n) header.raftTerm = now.raftTerm
  if (header.revision === 0n) header.revision = now.revision
}

export interface DispatcherContext extends HandlerContext {
  /** The member's current header (ids, term, revision). */
  header(): ResponseHeader
  /** Whether responses get their headers completed from header(). */
  fillHeaders: boolean
  metrics?: ServerMetrics
  /**
   * Whether this member is a learner now. A learner answers only Status and serializable
   * Range (etcd 3.4/3.5's isRPCSupportedForLearner); any other call, and every stream, is
   * refused with `etcdserver: rpc not supported for learner`.
   */
  isLearner?: () => boolean
}

/** What a learner serves (etcd's isRPCSupportedForLearner). */
function servedByLearner(service: string, method: string, request: unknown): boolean {
  if (service === 'etcdserverpb.Maintenance' && method === 'Status') return true
  return service === 'etcdserverpb.KV' && method === 'Range' && (request as {serializable?: boolean}).serializable === true
}

export const learnerRefusal = () => new EtcdError(GrpcCode.UNAVAILABLE, 'etcdserver: rpc not supported for learner')

export function createDispatcher(context: DispatcherContext): Dispatcher {
  const unary = unaryHandlers(context)
  const streams = streamOpeners(context)
  const engine = context.engine as unknown as Record<string, unknown>
  const table = new Map<string, MethodEntry>()

  for (const service of Object.keys(grpcServices) as ServiceName[]) {
    for (const [method, spec] of Object.entries(grpcServices[service]) as [string, MethodSpec][]) {
      const entry: MethodEntry = {service, method, spec, waitsForOthers: waitingMethods.has(`${service}/${method}`)}
      // Only responses whose message has a header get one.
      const hasHeader = 'header' in (spec.response.fromPartial({} as never) as object)
      // etcd's Cluster service answers with ids and term but no revision (its cs.header())
      const current = service === 'etcdserverpb.Cluster' ? () => ({...context.header(), revision: 0n}) : context.header
      const fill = (response: unknown) => {
        if (hasHeader && context.fillHeaders) fillHeader(response, current)
      }
      const own = engine[lowerCamel(method)]
      const engineMethod = typeof own === 'function' ? (own as (...args: unknown[]) => unknown).bind(context.engine) : undefined
      const counted: MethodMetrics | undefined = context.metrics?.method(
        service,
        method,
        spec.kind === 'unary' ? 'unary' : spec.kind === 'bidi' ? 'bidi_stream' : 'server_stream',
      )
      const mvcc = mvccCounter(service, method, context.metrics)
      if (spec.kind === 'unary') {
        const handler =
          (unary[service] as Record<string, ((request: never, signal?: AbortSignal) => Promise<unknown>) | undefined> | undefined)?.[method] ??
          (engineMethod as ((request: unknown, signal?: AbortSignal) => Promise<unknown>) | undefined)
        if (handler) {
          const isLearner = context.isLearner
          entry.unary = async (request, signal) => {
            counted?.started()
            let response
            try {
              if (isLearner?.() === true && !servedByLearner(service, method, request)) throw learnerRefusal()
              response = await handler(request as never, signal)
            } catch (error) {
              counted?.handled(codeOf(error))
              throw error
            }
            counted?.handled(GrpcCode.OK)
            mvcc?.(request, response)
            fill(response)
            return response
          }
        }
      } else if (spec.kind === 'bidi') {
        const opener = (streams[service] as Record<string, (() => AnyBidi) | undefined> | undefined)?.[method] ?? (engineMethod as (() => AnyBidi) | undefined)
        if (opener) {
          entry.bidi = () => {
            if (context.isLearner?.() === true) throw learnerRefusal()
            counted?.started()
            return withHeaders(opener(), fill, counted)
          }
        }
      } else if (engineMethod) {
        const open = engineMethod as (request: unknown) => AsyncIterable<unknown>
        entry.serverStream = (request) => {
          if (context.isLearner?.() === true) throw learnerRefusal()
          counted?.started()
          return headersOn(open(request), fill, counted)
        }
      }
      table.set(`${service}/${method}`, entry)
    }
  }
  return {
    entry: (service, method) => table.get(`${service}/${method}`),
    entries: () => [...table.values()],
  }
}

const codeOf = (error: unknown) => (error instanceof EtcdError ? error.code : error instanceof EngineLacksMethod ? GrpcCode.UNIMPLEMENTED : GrpcCode.UNKNOWN)

/** etcd counts ranges and puts in its mvcc layer: a txn's count as their own ops. */
function mvccCounter(service: string, method: string, metrics: ServerMetrics | undefined) {
  if (metrics === undefined || service !== 'etcdserverpb.KV') return undefined
  if (method === 'Range') return () => metrics.range()
  if (method === 'Put') return () => metrics.put()
  if (method !== 'Txn') return undefined
  type Op = {requestRange?: unknown; requestPut?: unknown}
  return (request: unknown, response: unknown) => {
    const txn = request as {success?: Op[]; failure?: Op[]}
    const ops = (response as {succeeded?: boolean}).succeeded ? txn.success : txn.failure
    for (const op of ops ?? []) {
      if (op.requestRange !== undefined) metrics.range()
      else if (op.requestPut !== undefined) metrics.put()
    }
  }
}

async function* headersOn(source: AsyncIterable<unknown>, fill: (response: unknown) => void, counted: MethodMetrics | undefined): AsyncIterable<unknown> {
  try {
    for await (const response of source) {
      fill(response)
      yield response
    }
  } catch (error) {
    counted?.handled(codeOf(error))
    throw error
  }
  counted?.handled(GrpcCode.OK)
}

function withHeaders(stream: AnyBidi, fill: (response: unknown) => void, counted: MethodMetrics | undefined): AnyBidi {
  return isPullable(stream) ? pulledWithHeaders(stream, fill, counted) : iteratedWithHeaders(stream, fill, counted)
}

function iteratedWithHeaders(stream: AnyBidi, fill: (response: unknown) => void, counted: MethodMetrics | undefined): AnyBidi {
  return {
    send: (request) => stream.send(request),
    close: () => stream.close(),
    [Symbol.asyncIterator]: () => {
      const inner = stream[Symbol.asyncIterator]()
      return {
        next: async () => {
          let result
          try {
            result = await inner.next()
          } catch (error) {
            counted?.handled(codeOf(error))
            throw error
          }
          if (result.done) counted?.handled(GrpcCode.OK)
          else fill(result.value)
          return result
        },
        return: async (value?: unknown) => (inner.return ? inner.return(value) : {done: true as const, value: undefined}),
      }
    },
  }
}


/** withHeaders for a stream a transport pulls: the same headers and counts, without a promise per response. */
function pulledWithHeaders(stream: PullableStream<unknown, unknown>, fill: (response: unknown) => void, counted: MethodMetrics | undefined): PullableStream<unknown, unknown> {
  let handled = false
  return {
    ...iteratedWithHeaders(stream, fill, counted),
    tryNext() {
      const response = stream.tryNext()
      if (response !== undefined) fill(response)
      return response
    },
    ending() {
      const ended = stream.ending()
      if (ended !== undefined && !handled) {
        handled = true
        counted?.handled(ended.error === undefined ? GrpcCode.OK : codeOf(ended.error))
      }
      return ended
    },
    onReadable: (listener) => stream.onReadable(listener),
  }
}

export {EngineLacksMethod}
