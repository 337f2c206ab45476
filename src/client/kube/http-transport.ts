// The KubeTransport over HTTP(S): one keep-alive agent per transport, so every request of a
// command (discovery, then the call) shares one TLS connection. Authenticates with a client
// certificate or a bearer token; trusts the kubeconfig's CA (or nothing, when told to skip).
// A server certificate issued directly by the kubeconfig's CA is checked in JavaScript first
// (./ca-verify.ts: Node's bundled root store, which OpenSSL's own check would build, costs more
// than the rest of a short command); anything that check does not decide is verified by OpenSSL
// on a new connection, before a byte of the request is sent.
import type {X509Certificate} from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type {Duplex} from 'node:stream'
import {isIP} from 'node:net'
import tls from 'node:tls'
import {issuedByTrustedCa, parseCaBundle} from './ca-verify.js'
import {KubeConnectionError} from './errors.js'
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

/** A connection whose certificate the JavaScript check did not accept; the request was not sent. */
class CaCheckDeclined extends Error {}

/**
 * Connects with an empty trust store and OpenSSL's verdict ignored, and keeps a connection only
 * if its certificate passes issuedByTrustedCa and the host name check. The check runs in
 * 'secureConnect', emitted synchronously when the handshake completes, before the request
 * queued on the socket is written (Node's own rejectUnauthorized works the same way).
 */
class CaCheckingAgent extends https.Agent {
  /** A connection opened before the first request (preconnect), and when. */
  private early: {socket: tls.TLSSocket; at: number; host: string; port: number} | undefined

  constructor(
    options: https.AgentOptions,
    private readonly cas: X509Certificate[],
  ) {
    // no session resumption: every connection's certificate is checked here (kubectl keeps no
    // sessions either)
    super({...options, ca: [], rejectUnauthorized: false, maxCachedSessions: 0})
  }

  /**
   * Starts the first connection now, so its handshake (mostly the server's work) runs while the
   * command still reads its caches and builds its request; the first request takes it. Until
   * then it keeps nothing alive, and an error on it is only noted: the request's own connection
   * meets the same error and reports it.
   */
  preconnect(host: string, port: number): void {
    const socket = this.createConnection({...this.options, host, port, servername: isIP(host) === 0 ? host : ''}) as tls.TLSSocket
    socket.on('error', ignoreEarlyError)
    socket.unref()
    this.early = {socket, at: Date.now(), host, port}
  }

  override destroy(): void {
    this.early?.socket.destroy()
    this.early = undefined
    super.destroy()
  }

  override createConnection(options: tls.ConnectionOptions & {hostname?: string}, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    const early = this.takeEarly(options)
    if (early !== undefined) return early
    const create = https.Agent.prototype.createConnection as (this: https.Agent, o: tls.ConnectionOptions, cb?: unknown) => tls.TLSSocket
    const socket = create.call(this, options, callback)
    socket.once('secureConnect', () => {
      const peer = socket.getPeerX509Certificate()
      // the host Node's own check names (tls.connect's onConnectSecure)
      const hostname = options.servername || options.host || options.hostname || 'localhost'
      if (peer === undefined || !issuedByTrustedCa(peer.raw, this.cas) || tls.checkServerIdentity(hostname, peer.toLegacyObject()) !== undefined) {
        socket.destroy(new CaCheckDeclined('certificate left to OpenSSL'))
        return
      }
      socket.authorized = true
    })
    return socket
  }

  /** The preconnected socket, if it is still open, young, and for this host and port. */
  private takeEarly(options: tls.ConnectionOptions): tls.TLSSocket | undefined {
    const early = this.early
    if (early === undefined) return undefined
    this.early = undefined
    const {socket, at, host, port} = early
    // an idle connection may be near the server's keep-alive timeout: connect afresh
    if (socket.destroyed || Date.now() - at > EARLY_CONNECTION_MAX_AGE_MS || options.host !== host || Number(options.port) !== port) {
      socket.destroy()
      return undefined
    }
    socket.off('error', ignoreEarlyError)
    socket.ref()
    return socket
  }
}

/** How long a preconnected socket waits for its first request before it is not trusted to be open. */
const EARLY_CONNECTION_MAX_AGE_MS = 5_000

function ignoreEarlyError(): void {
  // noted by the socket being destroyed; the request connects again and reports the error
}

export class HttpTransport implements KubeTransport {
  private readonly base: URL
  private readonly secure: boolean
  private readonly agentOptions: https.AgentOptions
  /** the kubeconfig's CA checked in JavaScript, until a connection is declined */
  private fastAgent: https.Agent | undefined
  private useFastAgent = false
  private verifyingAgent: http.Agent | undefined

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
    if (this.secure && options.caPem !== undefined && options.insecureSkipTlsVerify !== true) {
      try {
        const cas = parseCaBundle(options.caPem)
        if (cas.length > 0) {
          this.fastAgent = new CaCheckingAgent(this.agentOptions, cas)
          this.useFastAgent = true
        }
      } catch {
        // a CA file X509Certificate cannot read: OpenSSL reads it (and reports it) as before
      }
    }
  }

  /** Opens the first connection now (see CaCheckingAgent.preconnect); nothing when the kubeconfig's CA is not checked in JavaScript. */
  preconnect(): void {
    if (!this.useFastAgent || !(this.fastAgent instanceof CaCheckingAgent)) return
    const port = this.base.port !== '' ? Number(this.base.port) : 443
    this.fastAgent.preconnect(this.base.hostname.replace(/^\[(.*)\]$/, '$1'), port)
  }

  /** The agent with OpenSSL's verification (or plain HTTP), made when first needed. */
  private get agent(): http.Agent {
    this.verifyingAgent ??= this.secure ? new https.Agent(this.agentOptions) : new http.Agent({keepAlive: true, maxSockets: 16})
    return this.verifyingAgent
  }

  /** `host:port` as kubectl names the server in connection errors. */
  get hostPort(): string {
    const port = this.base.port !== '' ? this.base.port : this.secure ? '443' : '80'
    return `${this.base.hostname}:${port}`
  }

  async request(req: KubeRequest): Promise<KubeResponse> {
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
    this.fastAgent?.destroy()
    this.verifyingAgent?.destroy()
  }

  private async open(req: KubeRequest, timeoutMs: number): Promise<http.IncomingMessage> {
    if (!this.useFastAgent || this.fastAgent === undefined) return this.openWith(this.agent, req, timeoutMs)
    try {
      return await this.openWith(this.fastAgent, req, timeoutMs)
    } catch (err) {
      if (!(err instanceof CaCheckDeclined)) throw err
      // nothing was sent: from now on OpenSSL verifies, and reports a refusal in its words
      // (requests already on accepted connections finish there)
      this.useFastAgent = false
      return this.openWith(this.agent, req, timeoutMs)
    }
  }

  private openWith(agent: http.Agent, req: KubeRequest, timeoutMs: number): Promise<http.IncomingMessage> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + req.path, this.base)
    for (const [k, v] of Object.entries(req.query ?? {})) {
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one)
    }
    const headers: Record<string, string> = {...(req.headers ?? {})}
    headers['user-agent'] ??= this.options.userAgent ?? 'kctl'
    if (this.options.token !== undefined && this.options.token !== '') headers['authorization'] ??= `Bearer ${this.options.token}`
    else if (this.options.username !== undefined) {
      const basic = Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')
      headers['authorization'] ??= `Basic ${basic}`
    }
    if (req.body !== undefined) headers['content-length'] = String(req.body.byteLength)
    const lib = this.secure ? https : http
    return new Promise((resolve, reject) => {
      const r = lib.request(url, {method: req.method, headers, agent}, resolve)
      r.on('error', (err) => reject(err instanceof CaCheckDeclined ? err : this.connectionError(err)))
      if (timeoutMs > 0) {
        r.setTimeout(timeoutMs, () => r.destroy(new KubeConnectionError(`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, this.hostPort, 'ETIMEDOUT')))
      }
      r.end(req.body === undefined ? undefined : Buffer.from(req.body))
    })
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
