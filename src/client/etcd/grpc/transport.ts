// Calls over a list of endpoints, as etcd's client balancer makes them: a call goes to the
// endpoint in use; when that one cannot be connected (refused, TLS failure, no answer within
// the dial timeout) the next is tried, round after round, until the call's deadline. A call
// that failed with UNAVAILABLE is sent again on the next endpoint only when it is safe: it was
// never sent, or it is a read. With a user, the first call authenticates and every call
// carries the token; a token the server no longer knows is renewed once per call.
import {Metadata} from '@grpc/grpc-js'
import {GrpcCode} from '../../../api/errors.js'
import {deserializer, grpcServices, methodPath, type MethodSpec, serializer} from '../../../api/grpc-methods.js'
import type {BidiStream, Req} from '../client.js'
import {Connection} from './connection.js'
import {parseEndpoints} from './endpoints.js'
import {fromServiceError, GrpcCallError, isInvalidToken, noConnection} from './errors.js'
import {defaults, type GrpcClientOptions} from './options.js'
import {bidiStream, serverStream} from './streams.js'

export interface CallPolicy {
  /** A read: sending it twice changes nothing, so it may go to the next endpoint after UNAVAILABLE. */
  repeatable?: boolean
  /** The call waits for something to happen (Lock, Campaign): no deadline once it is sent. */
  blocking?: boolean
}

/** How many times one call moves to another endpoint before its failure is final. */
const maxAttemptsPerCall = 16
/** The pause after a round in which no endpoint connected, doubling up to the max. */
const roundPauseMs = 50
const maxRoundPauseMs = 500

const authPath = methodPath('etcdserverpb.Auth', 'Authenticate')
const authSpec = grpcServices['etcdserverpb.Auth'].Authenticate
const authNotEnabled = 'etcdserver: authentication is not enabled'

/** A status the client produced before anything was written to the connection. */
const notSent = (error: GrpcCallError): boolean => /No connection established|ECONNREFUSED|Connection refused/i.test(error.description)

export class GrpcTransport {
  private readonly connections: Connection[]
  /** Index of the endpoint in use: calls go there first. */
  private current = 0
  private token: string | undefined
  private authenticating: Promise<string> | undefined
  private closed = false
  readonly dialTimeoutMs: number
  readonly commandTimeoutMs: number

  constructor(private readonly options: GrpcClientOptions) {
    this.connections = parseEndpoints(options.endpoints).map((endpoint) => new Connection(endpoint, options))
    this.dialTimeoutMs = options.dialTimeoutMs ?? defaults.dialTimeoutMs
    this.commandTimeoutMs = options.commandTimeoutMs ?? defaults.commandTimeoutMs
  }

  /** The endpoint in use, `host:port` (for messages). */
  get endpoint(): string {
    return this.connections[this.current]!.endpoint.address
  }

  async unary<Request, Response>(path: string, spec: MethodSpec<Request, Response>, request: Req<Request> | undefined, policy: CallPolicy = {}): Promise<Response> {
    const connectDeadlineMs = Date.now() + this.commandTimeoutMs
    const callDeadlineMs = policy.blocking ? Infinity : connectDeadlineMs
    let renewedToken = false
    for (let attempt = 1; ; attempt++) {
      const connection = await this.connected(connectDeadlineMs)
      const metadata = await this.metadata(connectDeadlineMs)
      try {
        return await this.send(connection, path, spec, request ?? {}, metadata, callDeadlineMs)
      } catch (error) {
        if (!(error instanceof GrpcCallError)) throw error
        if (isInvalidToken(error) && this.options.user !== undefined && !renewedToken) {
          renewedToken = true
          this.forgetToken(metadata)
          continue
        }
        const movable = error.code === GrpcCode.UNAVAILABLE && (policy.repeatable === true || notSent(error))
        if (!movable || attempt >= maxAttemptsPerCall || Date.now() >= connectDeadlineMs) throw error
        this.failed(connection)
      }
    }
  }

  /** A bidirectional stream on the endpoint in use (or the next that connects). */
  async bidi<Request, Response>(path: string, spec: MethodSpec<Request, Response>): Promise<BidiStream<Request, Response>> {
    const deadlineMs = Date.now() + this.commandTimeoutMs
    const connection = await this.connected(deadlineMs)
    const metadata = await this.metadata(deadlineMs)
    return bidiStream<Request, Response>(connection.client.makeBidiStreamRequest(path, serializer(spec.request) as (r: Req<Request>) => Buffer, deserializer(spec.response), metadata, {}))
  }

  async *serverStream<Request, Response>(path: string, spec: MethodSpec<Request, Response>, request: Req<Request> | undefined): AsyncGenerator<Response> {
    const deadlineMs = Date.now() + this.commandTimeoutMs
    const connection = await this.connected(deadlineMs)
    const metadata = await this.metadata(deadlineMs)
    const call = connection.client.makeServerStreamRequest(path, serializer(spec.request) as (r: Req<Request>) => Buffer, deserializer(spec.response), request ?? {}, metadata, {})
    yield* serverStream(call)
  }

  /** Authenticates now when a user is given (etcdctl does it before the command's first call). */
  async ready(): Promise<void> {
    await this.metadata(Date.now() + this.commandTimeoutMs)
  }

  /** A stream on `connection` broke: the next one opened goes elsewhere first. */
  failed(connection?: Connection): void {
    if (connection === undefined || this.connections[this.current] === connection) this.current = (this.current + 1) % this.connections.length
  }

  /** The token was refused: the next call authenticates again. */
  forgetToken(sentWith?: Metadata): void {
    const sent = sentWith?.get('token')[0]
    if (sentWith === undefined || sent === this.token) this.token = undefined
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const connection of this.connections) connection.close()
  }

  /** The endpoint in use if it connects, else the next that does; fails once `deadlineMs` passed. */
  private async connected(deadlineMs: number): Promise<Connection> {
    for (let round = 0; ; round++) {
      for (let i = 0; i < this.connections.length; i++) {
        if (this.closed) throw new GrpcCallError(GrpcCode.CANCELLED, 'grpc: the client connection is closing', 'grpc: the client connection is closing')
        const index = (this.current + i) % this.connections.length
        const connection = this.connections[index]!
        if (await connection.connect(Math.min(deadlineMs, Date.now() + this.dialTimeoutMs))) {
          this.current = index
          return connection
        }
        if (Date.now() >= deadlineMs) throw noConnection()
      }
      const pauseMs = Math.min(roundPauseMs * 2 ** round, maxRoundPauseMs, deadlineMs - Date.now())
      if (pauseMs <= 0) throw noConnection()
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
    }
  }

  private send<Request, Response>(
    connection: Connection,
    path: string,
    spec: MethodSpec<Request, Response>,
    request: Req<Request>,
    metadata: Metadata,
    deadlineMs: number,
  ): Promise<Response> {
    return new Promise((resolve, reject) => {
      connection.client.makeUnaryRequest(
        path,
        serializer(spec.request) as (r: Req<Request>) => Buffer,
        deserializer(spec.response),
        request,
        metadata,
        {deadline: deadlineMs},
        (error, response) => (error ? reject(fromServiceError(error)) : resolve(response!)),
      )
    })
  }

  /** Call metadata: the auth token when a user is given (authenticating first if needed). */
  private async metadata(deadlineMs: number): Promise<Metadata> {
    const metadata = new Metadata()
    if (this.options.user === undefined) return metadata
    if (this.token === undefined) {
      this.authenticating ??= this.authenticate(deadlineMs).finally(() => (this.authenticating = undefined))
      this.token = await this.authenticating
    }
    if (this.token !== '') metadata.set('token', this.token)
    return metadata
  }

  /** Authenticate (with failover like any call); '' when the server has auth disabled. */
  private async authenticate(deadlineMs: number): Promise<string> {
    const {name, password} = this.options.user!
    for (let attempt = 1; ; attempt++) {
      const connection = await this.connected(deadlineMs)
      try {
        const response = await this.send(connection, authPath, authSpec, {name, password}, new Metadata(), deadlineMs)
        return response.token
      } catch (error) {
        if (error instanceof GrpcCallError && error.message === authNotEnabled) return ''
        if (!(error instanceof GrpcCallError) || error.code !== GrpcCode.UNAVAILABLE || attempt >= maxAttemptsPerCall || Date.now() >= deadlineMs) throw error
        this.failed(connection)
      }
    }
  }
}
