// etcd's HTTP/1.1 face on the client port: the grpc-gateway (JSON over POST /v3/...), and
// /health, /version and /metrics. A gateway call goes through the same dispatcher as a gRPC
// call; requests and responses are mapped by proto-json.ts; errors are grpc-gateway's
// (`{"error","message","code"}` with the HTTP status of the gRPC code); streams are
// newline-delimited `{"result":...}` objects, as etcd's gateway writes them.
import type {IncomingMessage, ServerResponse} from 'node:http'
import {EtcdError, Errors, GrpcCode} from '../../../api/errors.js'
import {methodPath, type ServiceName} from '../../../api/grpc-methods.js'
import {unimplementedError} from '../grpc/status.js'
import {protoSchema} from '../../../api/proto/schema.js'
import {type AnyBidi, type Dispatcher, EngineLacksMethod, type MethodEntry} from '../dispatch.js'
import type {ServerMetrics} from '../metrics.js'
import {goQuote, JsonSyntaxError, parseOne} from './go-json.js'
import {JsonMappingError, ProtoJson} from './proto-json.js'
import {gatewayRoute} from './routes.js'

/** What /health reports. */
export interface HealthSource {
  /** Active alarms by name (NOSPACE, CORRUPT). */
  alarms(): string[]
  /** A read through the engine: rejects when the member cannot serve. */
  probe(): Promise<void>
}

export interface GatewayOptions {
  dispatcher: Dispatcher
  /** The dispatcher of the caller holding `token` (the Authorization header, as etcd's gateway passes it). */
  dispatcherFor?: (token: string | undefined) => Dispatcher
  /** Bodies larger than this are refused as gRPC refuses a message over its receive limit. */
  receiveLimitBytes: number
  /** What /version reports. */
  version: {server: string; cluster: string}
  health: HealthSource
  metrics?: ServerMetrics
  /** Whether the /v3/ routes are served (etcd's --enable-grpc-gateway). */
  routes: boolean
}

export interface Gateway {
  handle(request: IncomingMessage, response: ServerResponse): void
  /** Ends every open stream with `etcdserver: server stopped`. */
  stop(): void
}

/** grpc-gateway's HTTP status for each gRPC code (runtime.HTTPStatusFromCode). */
const httpStatusOfCode: Record<number, number> = {
  [GrpcCode.OK]: 200,
  [GrpcCode.CANCELLED]: 408,
  [GrpcCode.UNKNOWN]: 500,
  [GrpcCode.INVALID_ARGUMENT]: 400,
  [GrpcCode.DEADLINE_EXCEEDED]: 504,
  [GrpcCode.NOT_FOUND]: 404,
  [GrpcCode.ALREADY_EXISTS]: 409,
  [GrpcCode.PERMISSION_DENIED]: 403,
  [GrpcCode.UNAUTHENTICATED]: 401,
  [GrpcCode.RESOURCE_EXHAUSTED]: 429,
  [GrpcCode.FAILED_PRECONDITION]: 412,
  [GrpcCode.ABORTED]: 409,
  [GrpcCode.OUT_OF_RANGE]: 400,
  [GrpcCode.UNIMPLEMENTED]: 501,
  [GrpcCode.INTERNAL]: 500,
  [GrpcCode.UNAVAILABLE]: 503,
  [GrpcCode.DATA_LOSS]: 500,
}
const httpStatusText: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout',
  409: 'Conflict', 412: 'Precondition Failed', 429: 'Too Many Requests', 500: 'Internal Server Error',
  501: 'Not Implemented', 503: 'Service Unavailable', 504: 'Gateway Timeout',
}

/** etcd answers every HTTP request with these (its CORS handler). */
const corsHeaders: Record<string, string> = {
  'Access-Control-Allow-Headers': 'accept, content-type, authorization',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'Access-Control-Allow-Origin': '*',
}

/** Requests of one gateway stream parsed but not yet sent (a body of many small messages). */
const maxStreamBodyBufferBytes = 4 * 1024 * 1024

class GatewayError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

function errorOf(error: unknown): {code: number; message: string} {
  if (error instanceof EngineLacksMethod) return {code: GrpcCode.UNIMPLEMENTED, message: `ectl server does not implement ${error.message} yet`}
  if (error instanceof EtcdError || error instanceof GatewayError) return {code: error.code, message: error.message}
  if (error instanceof JsonSyntaxError || error instanceof JsonMappingError) return {code: GrpcCode.INVALID_ARGUMENT, message: error.message}
  return {code: GrpcCode.UNKNOWN, message: error instanceof Error ? error.message : String(error)}
}

const errorBody = (code: number, message: string) => `{"error":${goQuote(message)},"message":${goQuote(message)},"code":${code}}`
const streamErrorBody = (code: number, message: string) => {
  const http = httpStatusOfCode[code] ?? 500
  return `{"error":{"grpc_code":${code},"http_code":${http},"message":${goQuote(message)},"http_status":${goQuote(httpStatusText[http] ?? '')}}}\n`
}

export function createGateway(options: GatewayOptions): Gateway {
  const protoJson = new ProtoJson(protoSchema)
  const openStreams = new Set<(error: EtcdError) => void>()
  const hardBodyLimitBytes = options.receiveLimitBytes * 4

  const plain = (response: ServerResponse, status: number, text: string) => {
    response.writeHead(status, {...corsHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff'})
    response.end(text)
  }
  const json = (response: ServerResponse, status: number, body: string, extra: Record<string, string> = {}) => {
    response.writeHead(status, {...corsHeaders, 'Content-Type': 'application/json', ...extra})
    response.end(body)
  }
  const fail = (response: ServerResponse, error: unknown, code?: number) => {
    const found = errorOf(error)
    const finalCode = code ?? found.code
    json(response, httpStatusOfCode[finalCode] ?? 500, errorBody(finalCode, found.message))
  }

  /** Reads the whole body, refusing one past the hard limit. */
  const readBody = (request: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let bytes = 0
      request.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (bytes > hardBodyLimitBytes) {
          request.removeAllListeners('data')
          request.pause()
          reject(new GatewayError(GrpcCode.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${bytes} vs. ${options.receiveLimitBytes})`))
          return
        }
        chunks.push(chunk)
      })
      request.on('end', () => resolve(Buffer.concat(chunks)))
      request.on('error', reject)
    })

  /** The request message of `entry` from one JSON value (null or blank: the empty message). */
  const decodeRequest = (entry: MethodEntry, text: string, start = 0): {message: unknown; end: number} | undefined => {
    const parsed = parseOne(text, start)
    const requestType = protoSchema.services[entry.service]![entry.method]!.request
    if (parsed.kind === 'eof') return undefined
    const bytes = protoJson.toWire(requestType, parsed.value)
    if (bytes.length > options.receiveLimitBytes) {
      throw new GatewayError(GrpcCode.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${bytes.length} vs. ${options.receiveLimitBytes})`)
    }
    return {message: entry.spec.request.decode(bytes), end: parsed.end}
  }

  const responseJson = (entry: MethodEntry, message: unknown) => {
    const responseType = protoSchema.services[entry.service]![entry.method]!.response
    return protoJson.toJson(responseType, entry.spec.response.encode(message as never).finish())
  }

  const unary = async (entry: MethodEntry, request: IncomingMessage, response: ServerResponse) => {
    let message: unknown
    try {
      const body = await readBody(request)
      message = decodeRequest(entry, body.toString('utf8'))?.message ?? entry.spec.request.fromPartial({} as never)
    } catch (error) {
      return fail(response, error)
    }
    // A Lock or Campaign whose HTTP client hangs up gives its place back, as over gRPC.
    let signal: AbortSignal | undefined
    if (entry.waitsForOthers) {
      const gone = new AbortController()
      response.once('close', () => {
        if (!response.writableFinished) gone.abort()
      })
      signal = gone.signal
    }
    try {
      const answer = await entry.unary!(message, signal)
      json(response, 200, responseJson(entry, answer), {'Grpc-Metadata-Content-Type': 'application/grpc'})
    } catch (error) {
      fail(response, error)
    }
  }

  /** Writes the responses of a stream as `{"result":...}` lines until it ends or fails. */
  const pump = async (
    entry: MethodEntry,
    responses: AsyncIterable<unknown>,
    response: ServerResponse,
    ended: () => boolean,
    onResponse: () => void = () => undefined,
  ) => {
    let stopError: EtcdError | undefined
    const stop = (error: EtcdError) => {
      stopError = error
      response.write(streamErrorBody(error.code, error.message))
      response.end()
    }
    openStreams.add(stop)
    try {
      for await (const message of responses) {
        if (ended() || stopError) break
        const written = response.write(`{"result":${responseJson(entry, message)}}\n`)
        onResponse()
        if (!written) {
          await new Promise<void>((resolve) => {
            response.once('drain', resolve)
            response.once('close', resolve)
          })
        }
      }
      if (!ended() && !stopError) response.end()
    } catch (error) {
      if (!ended() && !stopError) {
        const found = errorOf(error)
        response.write(streamErrorBody(found.code, found.message))
        response.end()
      }
    } finally {
      openStreams.delete(stop)
    }
  }

  const startStream = (response: ServerResponse) => {
    response.writeHead(200, {...corsHeaders, 'Content-Type': 'application/json', 'Grpc-Metadata-Content-Type': 'application/grpc'})
    response.flushHeaders()
  }

  const serverStream = async (entry: MethodEntry, request: IncomingMessage, response: ServerResponse) => {
    let message: unknown
    try {
      const body = await readBody(request)
      message = decodeRequest(entry, body.toString('utf8'))?.message ?? entry.spec.request.fromPartial({} as never)
    } catch (error) {
      return fail(response, error)
    }
    let responses: AsyncIterable<unknown>
    try {
      responses = entry.serverStream!(message)
    } catch (error) {
      return fail(response, error)
    }
    let closed = false
    response.once('close', () => (closed = true))
    startStream(response)
    await pump(entry, responses, response, () => closed)
  }

  /**
   * A bidirectional stream over one request body: each JSON value in the body is one request,
   * sent as it arrives. As grpc-gateway: a first request that cannot be read fails the call
   * (code Unknown); a later one ends the sending side silently. LeaseKeepAlive ends when the
   * body does; Watch stays open until the client goes.
   */
  const bidi = (entry: MethodEntry, request: IncomingMessage, response: ServerResponse) => {
    let stream: AnyBidi | undefined
    let pending = ''
    let sendingDone = false
    let closed = false
    let bodyBytes = 0
    // LeaseKeepAlive answers each request once: after the body ends, the stream ends when
    // every request sent has its answer (etcd's server ends it on the client's half-close,
    // after answering what it read).
    const endOnHalfClose = entry.method === 'LeaseKeepAlive'
    let sent = 0
    let answered = 0
    const closeIfAnswered = () => {
      if (endOnHalfClose && sendingDone && answered >= sent) stream?.close()
    }
    const finishSending = () => {
      if (sendingDone) return
      sendingDone = true
      request.removeAllListeners('data')
      request.resume()
      closeIfAnswered()
    }
    const open = (): AnyBidi => {
      const opened = entry.bidi!()
      stream = opened
      startStream(response)
      void pump(entry, opened, response, () => closed, () => {
        answered++
        closeIfAnswered()
      })
      return opened
    }
    /** Sends every complete value buffered; returns false when the call already failed. */
    const drain = (atEnd: boolean): boolean => {
      while (!sendingDone) {
        let decoded
        try {
          decoded = decodeRequest(entry, pending)
        } catch (error) {
          if (error instanceof JsonSyntaxError && error.message === 'unexpected EOF' && !atEnd) return true
          if (stream === undefined) {
            fail(response, error, GrpcCode.UNKNOWN)
            sendingDone = true
            request.resume()
            return false
          }
          finishSending()
          return true
        }
        if (decoded === undefined) {
          if (atEnd) {
            if (stream === undefined) open()
            finishSending()
          }
          return true
        }
        pending = pending.slice(decoded.end)
        try {
          sent++
          ;(stream ?? open()).send(decoded.message as never)
        } catch (error) {
          finishSending()
          const found = errorOf(error)
          response.write(streamErrorBody(found.code, found.message))
          response.end()
          return false
        }
      }
      return true
    }
    response.once('close', () => {
      closed = true
      stream?.close()
    })
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      bodyBytes += Buffer.byteLength(chunk)
      pending += chunk
      if (pending.length > maxStreamBodyBufferBytes + options.receiveLimitBytes) {
        // one request larger than the receive limit, still incomplete
        const error = new GatewayError(GrpcCode.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${bodyBytes} vs. ${options.receiveLimitBytes})`)
        if (stream === undefined) fail(response, error)
        else finishSending()
        sendingDone = true
        return
      }
      drain(false)
    })
    request.on('end', () => drain(true))
  }

  const health = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const excluded = new Set(url.searchParams.getAll('exclude'))
    const answer = (ok: boolean, reason: string) =>
      json(response, ok ? 200 : 503, `{"health":${goQuote(String(ok))},"reason":${goQuote(reason)}}`)
    const alarm = options.health.alarms().find((name) => !excluded.has(name))
    if (alarm !== undefined) return answer(false, `ALARM ${alarm}`)
    try {
      await options.health.probe()
    } catch (error) {
      return answer(false, `RAFT ERROR: ${errorOf(error).message}`)
    }
    answer(true, '')
  }

  const metrics = async (response: ServerResponse) => {
    if (!options.metrics) return plain(response, 404, '404 page not found\n')
    try {
      const text = await options.metrics.text()
      response.writeHead(200, {'Content-Type': options.metrics.contentType})
      response.end(text)
    } catch (error) {
      plain(response, 500, `${errorOf(error).message}\n`)
    }
  }

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0]!
    const method = request.method ?? 'GET'
    if (path === '/health' || path === '/readyz' || path === '/livez') {
      if (method !== 'GET' && method !== 'HEAD') return plain(response, 405, 'Method Not Allowed\n')
      return void health(request, response)
    }
    if (path === '/version') {
      if (method !== 'GET' && method !== 'HEAD') return plain(response, 405, 'Method Not Allowed\n')
      return json(response, 200, `{"etcdserver":${goQuote(options.version.server)},"etcdcluster":${goQuote(options.version.cluster)}}`)
    }
    if (path === '/metrics') return void metrics(response)
    const route = options.routes ? gatewayRoute(path) : undefined
    if (route === undefined) return plain(response, 404, 'Not Found\n')
    if (method === 'OPTIONS') {
      response.writeHead(200, corsHeaders)
      return response.end()
    }
    if (method !== 'POST') return plain(response, 405, 'Method Not Allowed\n')
    const dispatcher = options.dispatcherFor?.(request.headers.authorization) ?? options.dispatcher
    const entry = dispatcher.entry(route.service as ServiceName, route.method)!
    if (!entry.unary && !entry.bidi && !entry.serverStream) {
      request.resume()
      return fail(response, new GatewayError(GrpcCode.UNIMPLEMENTED, unimplementedError(methodPath(route.service, route.method)).details))
    }
    if (entry.unary) return void unary(entry, request, response)
    if (entry.serverStream) return void serverStream(entry, request, response)
    bidi(entry, request, response)
  }

  return {
    handle: (request, response) => {
      try {
        handle(request, response)
      } catch (error) {
        if (!response.headersSent) fail(response, error)
        else response.destroy()
      }
    },
    stop: () => {
      for (const stop of [...openStreams]) stop(Errors.stopped())
    },
  }
}
