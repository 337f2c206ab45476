// One HTTP/1.1 connection over TLS for the kube transport's unary requests: a request written
// in one piece, its response read by Http1ResponseReader, the connection kept for the next
// request of the command. It is only used after the server's certificate passed the
// transport's own check (`ready`), so no byte of a request reaches a server that failed it.
import type {TLSSocket} from 'node:tls'
import {Http1ResponseReader, type Http1Response} from './http1-response.js'

/** A header value node:http would refuse (CR, LF or NUL would split or end the header). */
const INVALID_HEADER_VALUE = /[\r\n\0]/

export interface Http1Request {
  method: string
  /** path and query, already encoded */
  target: string
  /** lower-case names */
  headers: Record<string, string>
  body?: Uint8Array
  maxBodyBytes: number
}

export class Http1Connection {
  /** When it last finished a request (or was opened): an idle connection may be near the server's keep-alive timeout. */
  idleSince = Date.now()
  private busy = false

  constructor(
    readonly socket: TLSSocket,
    /** the Host header: host[:port] as the URL names it */
    private readonly host: string,
    /** settles when the handshake is over and the certificate accepted; rejects with why not */
    readonly ready: Promise<void>,
  ) {
    // a rejection nobody awaits yet (a preconnect) is seen by the request that takes the connection
    ready.catch(() => {})
    // an idle connection's error (the server going away) only makes it unusable
    socket.on('error', () => {})
  }

  get usable(): boolean {
    return !this.busy && !this.socket.destroyed
  }

  async request(req: Http1Request): Promise<Http1Response> {
    this.busy = true
    try {
      await this.ready
      return await this.exchange(req)
    } finally {
      this.busy = false
      this.idleSince = Date.now()
    }
  }

  close(): void {
    this.socket.destroy()
  }

  private exchange(req: Http1Request): Promise<Http1Response> {
    const socket = this.socket
    let head = `${req.method} ${req.target} HTTP/1.1\r\nHost: ${this.host}\r\n`
    for (const [name, value] of Object.entries(req.headers)) {
      if (INVALID_HEADER_VALUE.test(value)) throw new TypeError(`Invalid character in header content ["${name}"]`)
      head += `${name}: ${value}\r\n`
    }
    if (req.body === undefined && req.method !== 'GET' && req.method !== 'DELETE') head += 'content-length: 0\r\n'
    head += '\r\n'
    const reader = new Http1ResponseReader(false, req.maxBodyBytes)
    return new Promise<Http1Response>((resolve, reject) => {
      const cleanup = () => {
        socket.off('data', onData)
        socket.off('end', onEnd)
        socket.off('error', onError)
        socket.off('close', onClose)
      }
      const done = (response: Http1Response) => {
        cleanup()
        if (!response.keepAlive) socket.destroy()
        resolve(response)
      }
      const fail = (err: Error) => {
        cleanup()
        socket.destroy()
        reject(err)
      }
      const onData = (data: Buffer) => {
        try {
          const response = reader.push(data)
          if (response !== undefined) done(response)
        } catch (err) {
          fail(err as Error)
        }
      }
      const onEnd = () => {
        try {
          done(reader.end())
        } catch {
          fail(hangUp())
        }
      }
      const onError = (err: Error) => fail(err)
      const onClose = () => fail(hangUp())
      socket.on('data', onData)
      socket.on('end', onEnd)
      socket.on('error', onError)
      socket.on('close', onClose)
      socket.write(req.body === undefined || req.body.length === 0 ? head : Buffer.concat([Buffer.from(head, 'latin1'), req.body]))
    })
  }
}

/** What node:http reports when the server closes the connection before the whole response. */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})
}
