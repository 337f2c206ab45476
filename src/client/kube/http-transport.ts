// The KubeTransport over HTTP(S). Authenticates with a client certificate or a bearer token;
// trusts the kubeconfig's CA (or nothing, when told to skip). Every request of a command
// (discovery, then the call) shares one kept-alive connection.
//
// A server certificate issued directly by the kubeconfig's CA is checked in JavaScript
// (./ca-verify.ts: Node's bundled root store, which OpenSSL's own check would build, costs more
// than the rest of a short command), and on such a server unary requests go over this module's
// own HTTP/1.1 connections (./http1.ts), so a short command does not load node:http and
// node:https at all. Streams (watch, logs), plain HTTP, --insecure-skip-tls-verify and anything
// the JavaScript check does not decide use node:https (loaded then); a certificate the check
// declines is verified by OpenSSL on a new connection, before a byte of the request is sent.
import type {X509Certificate} from 'node:crypto'
import type http from 'node:http'
import type https from 'node:https'
import {isIP} from 'node:net'
import type {Duplex} from 'node:stream'
import tls from 'node:tls'
import {CaBundleError, issuedByTrustedCa, parseCaBundle} from './ca-verify.js'
import {KubeConfigError, KubeConnectionError} from './errors.js'
import {Http1Connection} from './http1.js'
import type {KubeRequest, KubeResponse, KubeStreamResponse, KubeTransport} from './transport.js'

export interface HttpTransportOptions {
  /** `https://host:port` or `http://host:port`, optionally with a path prefix. */
  server: string
  caPem?: Buffer
  certPem?: Buffer
  keyPem?: Buffer
  token?: string
  username?: string
  password?: string
  insecureSkipTlsVerify?: boolean
  /** Whole-request limit for unary calls (not for watches); 0 = none. */
  timeoutMs?: number
  /** The largest response body accepted, in bytes. */
  maxResponseBytes?: number
  userAgent?: string
}

const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

/** An idle connection older than this is not trusted to be open (servers time keep-alives out). */
const IDLE_CONNECTION_MAX_AGE_MS = 5_000

/** A connection whose certificate the JavaScript check did not accept; the request was not sent. */
class CaCheckDeclined extends Error {}

/** The JavaScript check: issued directly by one of `cas`, and for `hostname` as Node checks it. */
function certificateAccepted(socket: tls.TLSSocket, hostname: string, cas: X509Certificate[]): boolean {
  const peer = socket.getPeerX509Certificate()
  return peer !== undefined && issuedByTrustedCa(peer.raw, cas) && tls.checkServerIdentity(hostname, peer.toLegacyObject()) === undefined
}

/**
 * An https.Agent (for streams) that connects with an empty trust store and OpenSSL's verdict
 * ignored, and keeps a connection only if certificateAccepted. The check runs in
 * 'secureConnect', emitted synchronously when the handshake completes, before the request
 * queued on the socket is written (Node's own rejectUnauthorized works the same way).
 */
async function caCheckingAgent(options: https.AgentOptions, cas: X509Certificate[]): Promise<https.Agent> {
  const {Agent} = await import('node:https')
  class CaCheckingAgent extends Agent {
    override createConnection(options: tls.ConnectionOptions & {hostname?: string}, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
      const create = Agent.prototype.createConnection as (this: https.Agent, o: tls.ConnectionOptions, cb?: unknown) => tls.TLSSocket
      const socket = create.call(this, options, callback)
      socket.once('secureConnect', () => {
        // the host Node's own check names (tls.connect's onConnectSecure)
        const hostname = options.servername || options.host || options.hostname || 'localhost'
        if (!certificateAccepted(socket, hostname, cas)) {
          socket.destroy(new CaCheckDeclined('certificate left to OpenSSL'))
          return
        }
        socket.authorized = true
      })
      return socket
    }
  }
  // no session resumption: every connection's certificate is checked here (kubectl keeps no
  // sessions either)
  return new CaCheckingAgent({...options, ca: [], rejectUnauthorized: false, maxCachedSessions: 0})
}

export class HttpTransport implements KubeTransport {
  private readonly base: URL
  private readonly secure: boolean
  private readonly agentOptions: https.AgentOptions
  /** the kubeconfig's CAs, checked in JavaScript until a connection is declined */
  private cas: X509Certificate[] | undefined
  /** this module's own connections for unary requests, idle ones kept for the next request */
  private idle: Http1Connection[] = []
  private fastAgent: Promise<https.Agent> | undefined
  private verifyingAgent: Promise<http.Agent> | undefined

  constructor(private readonly options: HttpTransportOptions) {
    this.base = new URL(options.server)
    this.secure = this.base.protocol === 'https:'
    this.agentOptions = {
      keepAlive: true,
      maxSockets: 16,
      ca: options.caPem,
      cert: options.certPem,
      key: options.keyPem,
      rejectUnauthorized: options.insecureSkipTlsVerify !== true,
    }
    if (options.caPem !== undefined && options.insecureSkipTlsVerify !== true) {
      let cas: X509Certificate[]
      try {
        cas = parseCaBundle(options.caPem)
      } catch (err) {
        throw err instanceof CaBundleError ? new KubeConfigError(err.message) : err
      }
      if (this.secure) this.cas = cas
    }
  }

  /**
   * Starts the first connection now, so its handshake (mostly the server's work) runs while the
   * command still reads its caches and builds its request; the first request takes it. Until
   * then it keeps nothing alive, and its error, if any, is the first request's. Nothing when
   * the kubeconfig's CA is not checked in JavaScript.
   */
  preconnect(): void {
    if (this.cas === undefined) return
    const connection = this.connect(this.cas)
    connection.socket.unref()
    this.idle.push(connection)
  }

  /** `host:port` as kubectl names the server in connection errors. */
  get hostPort(): string {
    const port = this.base.port !== '' ? this.base.port : this.secure ? '443' : '80'
    return `${this.base.hostname}:${port}`
  }

  async request(req: KubeRequest): Promise<KubeResponse> {
    const cas = this.cas
    if (cas !== undefined) {
      try {
        return await this.requestOwn(req, cas)
      } catch (err) {
        if (!(err instanceof CaCheckDeclined)) throw this.connectionError(err)
        this.declined()
      }
    }
    return this.requestWithAgent(req)
  }

  async stream(req: KubeRequest): Promise<KubeStreamResponse> {
    const res = await this.open(req, 0)
    let closed = false
    const body = (async function* (): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of res) yield chunk as Buffer
      } catch (err) {
        if (!closed) throw err
      }
    })()
    return {
      status: res.statusCode ?? 0,
      headers: flatHeaders(res.headers),
      body,
      close: () => {
        closed = true
        res.destroy()
      },
    }
  }

  async close(): Promise<void> {
    for (const connection of this.idle) connection.close()
    this.idle = []
    const agents = await Promise.allSettled([this.fastAgent, this.verifyingAgent])
    for (const a of agents) if (a.status === 'fulfilled') a.value?.destroy()
  }

  /** From now on OpenSSL verifies, and reports a refusal in its words; nothing was sent on the declined connection. */
  private declined(): void {
    this.cas = undefined
    for (const connection of this.idle) connection.close()
    this.idle = []
  }

  /** A TLS connection of our own whose `ready` settles once certificateAccepted (or not). */
  private connect(cas: X509Certificate[]): Http1Connection {
    const host = this.base.hostname.replace(/^\[(.*)\]$/, '$1')
    const port = this.base.port !== '' ? Number(this.base.port) : 443
    const socket = tls.connect({host, port, servername: isIP(host) === 0 ? host : undefined, ca: [], rejectUnauthorized: false, cert: this.options.certPem, key: this.options.keyPem})
    socket.setNoDelay(true)
    const ready = new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => {
        if (!certificateAccepted(socket, host, cas)) {
          socket.destroy()
          reject(new CaCheckDeclined('certificate left to OpenSSL'))
          return
        }
        socket.authorized = true
        resolve()
      })
      socket.once('error', reject)
      socket.once('close', () => reject(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})))
    })
    return new Http1Connection(socket, this.base.host, ready)
  }

  /** An idle connection young enough to trust, else a new one. */
  private takeConnection(cas: X509Certificate[]): Http1Connection {
    for (let connection = this.idle.pop(); connection !== undefined; connection = this.idle.pop()) {
      if (connection.usable && Date.now() - connection.idleSince <= IDLE_CONNECTION_MAX_AGE_MS) return connection
      connection.close()
    }
    return this.connect(cas)
  }

  private async requestOwn(req: KubeRequest, cas: X509Certificate[]): Promise<KubeResponse> {
    const connection = this.takeConnection(cas)
    connection.socket.ref()
    const url = this.url(req)
    const exchange = connection.request({
      method: req.method,
      target: url.pathname + url.search,
      headers: this.headers(req),
      body: req.body,
      maxBodyBytes: this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    })
    const timeoutMs = this.options.timeoutMs ?? 0
    let timer: NodeJS.Timeout | undefined
    const timeout =
      timeoutMs > 0
        ? new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              connection.close()
              reject(this.timeoutError())
            }, timeoutMs)
          })
        : undefined
    try {
      const res = await (timeout === undefined ? exchange : Promise.race([exchange, timeout]))
      if (res.keepAlive && connection.usable) {
        connection.socket.unref()
        this.idle.push(connection)
      }
      return {status: res.status, headers: res.headers, body: res.body}
    } finally {
      clearTimeout(timer)
      exchange.catch(() => {})
    }
  }

  private async requestWithAgent(req: KubeRequest): Promise<KubeResponse> {
    const res = await this.open(req, this.options.timeoutMs ?? 0)
    const limit = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const chunk of res) {
        size += (chunk as Buffer).length
        if (size > limit) {
          res.destroy()
          throw new KubeConnectionError(`response larger than ${limit} bytes`, this.hostPort)
        }
        chunks.push(chunk as Buffer)
      }
    } catch (err) {
      throw this.connectionError(err)
    }
    return {status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks)}
  }

  /** The agent with OpenSSL's verification (or plain HTTP), made when first needed. */
  private agent(): Promise<http.Agent> {
    this.verifyingAgent ??= this.secure
      ? import('node:https').then(({Agent}) => new Agent(this.agentOptions))
      : import('node:http').then(({Agent}) => new Agent({keepAlive: true, maxSockets: 16}))
    return this.verifyingAgent
  }

  private async open(req: KubeRequest, timeoutMs: number): Promise<http.IncomingMessage> {
    const cas = this.cas
    if (cas === undefined) return this.openWith(await this.agent(), req, timeoutMs)
    try {
      this.fastAgent ??= caCheckingAgent(this.agentOptions, cas)
      return await this.openWith(await this.fastAgent, req, timeoutMs)
    } catch (err) {
      if (!(err instanceof CaCheckDeclined)) throw err
      this.declined()
      return this.openWith(await this.agent(), req, timeoutMs)
    }
  }

  private url(req: KubeRequest): URL {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + req.path, this.base)
    for (const [k, v] of Object.entries(req.query ?? {})) {
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one)
    }
    return url
  }

  private headers(req: KubeRequest): Record<string, string> {
    const headers: Record<string, string> = {...(req.headers ?? {})}
    headers['user-agent'] ??= this.options.userAgent ?? 'kctl'
    if (this.options.token !== undefined && this.options.token !== '') headers['authorization'] ??= `Bearer ${this.options.token}`
    else if (this.options.username !== undefined) {
      const basic = Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')
      headers['authorization'] ??= `Basic ${basic}`
    }
    if (req.body !== undefined) headers['content-length'] = String(req.body.byteLength)
    return headers
  }

  private async openWith(agent: http.Agent, req: KubeRequest, timeoutMs: number): Promise<http.IncomingMessage> {
    const lib = this.secure ? await import('node:https') : await import('node:http')
    const url = this.url(req)
    const headers = this.headers(req)
    return new Promise((resolve, reject) => {
      const r = lib.request(url, {method: req.method, headers, agent}, resolve)
      r.on('error', (err) => reject(err instanceof CaCheckDeclined ? err : this.connectionError(err)))
      if (timeoutMs > 0) r.setTimeout(timeoutMs, () => r.destroy(this.timeoutError()))
      r.end(req.body === undefined ? undefined : Buffer.from(req.body))
    })
  }

  private timeoutError(): KubeConnectionError {
    return new KubeConnectionError(`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, this.hostPort, 'ETIMEDOUT')
  }

  private connectionError(err: unknown): Error {
    if (err instanceof KubeConnectionError) return err
    const e = err as NodeJS.ErrnoException
    return new KubeConnectionError(e.message, this.hostPort, e.code)
  }
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}
