// The KubeTransport over HTTP(S): one keep-alive agent per transport, so every request of a
// command (discovery, then the call) shares one TLS connection. Authenticates with a client
// certificate or a bearer token; trusts the kubeconfig's CA (or nothing, when told to skip).
import http from 'node:http'
import https from 'node:https'
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

export class HttpTransport implements KubeTransport {
  private readonly base: URL
  private readonly agent: http.Agent
  private readonly secure: boolean

  constructor(private readonly options: HttpTransportOptions) {
    this.base = new URL(options.server)
    this.secure = this.base.protocol === 'https:'
    this.agent = this.secure
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 16,
          ca: options.caPem,
          cert: options.certPem,
          key: options.keyPem,
          rejectUnauthorized: options.insecureSkipTlsVerify !== true,
        })
      : new http.Agent({keepAlive: true, maxSockets: 16})
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
    this.agent.destroy()
  }

  private open(req: KubeRequest, timeoutMs: number): Promise<http.IncomingMessage> {
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
      const r = lib.request(url, {method: req.method, headers, agent: this.agent}, resolve)
      r.on('error', (err) => reject(this.connectionError(err)))
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
