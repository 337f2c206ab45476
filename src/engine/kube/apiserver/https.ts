// The KubeHandler served over HTTPS (or plain HTTP for tests and local use): this file only
// moves bytes between Node's server objects and handle(); every decision is the handler's.
import {createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import type {TLSSocket} from 'node:tls'
import type {KubeHandler, KubeMethod, KubeRequest} from '../../../client/kube/transport.js'
import {Status} from '../api/status.js'
import type {Caller} from './authz.js'
import {maxBodyBytes} from './request.js'

export interface TlsFiles {
  key: string | Buffer
  cert: string | Buffer
  /** The client CA: certificates it signed authenticate as CN (user) and O (groups). */
  ca?: string | Buffer
}

export interface ServeOptions {
  port?: number
  host?: string
  /** Without tls the server speaks plain HTTP. */
  tls?: TlsFiles
  /**
   * Who a request is made as, from its bearer token (undefined: not authenticated by token).
   * Client certificates are checked first.
   */
  authenticateToken?: (token: string) => Caller | undefined
  /** Callers that present nothing: refused (401) unless this is set. */
  anonymous?: Caller
}

export interface Serving {
  port: number
  close(): Promise<void>
}

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBodyBytes) {
        reject(Status.tooLarge(maxBodyBytes))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/**
 * The caller a connection's client certificate names, worked out once per connection: the
 * certificate cannot change on an open TLS connection, and reading it (getPeerCertificate
 * decodes the whole certificate into objects) is costly enough to show on every request.
 */
const certCallers = new WeakMap<TLSSocket, Caller | null>()

function certCaller(socket: TLSSocket): Caller | undefined {
  const known = certCallers.get(socket)
  if (known !== undefined) return known ?? undefined
  let caller: Caller | null = null
  const subject = (socket.getPeerCertificate()?.subject ?? {}) as unknown as Record<string, string | string[]>
  const cn = subject.CN
  if (cn) {
    const o = subject.O
    const groups = Array.isArray(o) ? o : o ? [o] : []
    caller = {user: Array.isArray(cn) ? cn[0] : cn, groups: [...groups, 'system:authenticated']}
  }
  certCallers.set(socket, caller)
  return caller ?? undefined
}

async function callerOf(req: IncomingMessage, opts: ServeOptions, handler: KubeHandler & TokenAuthenticating): Promise<Caller | undefined> {
  const socket = req.socket as TLSSocket
  if (typeof socket.getPeerCertificate === 'function' && socket.authorized) {
    const caller = certCaller(socket)
    if (caller) return {user: caller.user, groups: [...caller.groups]}
  }
  const auth = req.headers.authorization
  if (auth && /^bearer /i.test(auth)) {
    const token = auth.slice(7).trim()
    const caller = opts.authenticateToken?.(token) ?? (await handler.authenticateToken?.(token))
    if (caller) return {...caller, groups: [...caller.groups.filter((g) => g !== 'system:authenticated'), 'system:authenticated']}
    return undefined
  }
  return opts.anonymous
}

function sendStatus(res: ServerResponse, error: {code: number; toStatus(): unknown}): void {
  res.writeHead(error.code, {'content-type': 'application/json'})
  res.end(JSON.stringify(error.toStatus()))
}

/** A handler that also recognises tokens it issued itself (service account tokens). */
export interface TokenAuthenticating {
  authenticateToken?(token: string): Promise<Caller | undefined>
}

export function serveHttps(handler: KubeHandler & TokenAuthenticating, opts: ServeOptions = {}): Promise<Serving> {
  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const method = (req.method ?? 'GET').toUpperCase()
      if (!methods.has(method)) return sendStatus(res, Status.methodNotAllowed())
      const caller = await callerOf(req, opts, handler)
      if (!caller) return sendStatus(res, Status.unauthorized())
      const url = new URL(req.url ?? '/', 'http://localhost')
      const query: Record<string, string | string[]> = {}
      for (const [k, v] of url.searchParams) {
        const prev = query[k]
        query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
      }
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
      const body = method === 'GET' ? undefined : await readBody(req)
      const kreq: KubeRequest = {method: method as KubeMethod, path: url.pathname, query, headers, body}
      const response = await handler.handle(kreq, caller)
      const streaming = response.headers['transfer-encoding'] === 'chunked'
      const {'transfer-encoding': _te, ...outHeaders} = response.headers
      res.writeHead(response.status, outHeaders)
      if (streaming) res.flushHeaders()
      const stop = () => response.close()
      res.on('close', stop)
      for await (const chunk of response.body) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve))
      }
      res.end()
    } catch (error) {
      if (!res.headersSent) sendStatus(res, Status.internal((error as Error).message))
      else res.destroy()
    }
  }
  let server: Server
  if (opts.tls) {
    server = createHttpsServer({key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: Boolean(opts.tls.ca), rejectUnauthorized: false}, onRequest)
  } else server = createHttpServer(onRequest)
  server.keepAliveTimeout = 65_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections?.()
          }),
      })
    })
  })
}
