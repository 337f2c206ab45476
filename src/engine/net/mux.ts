// One client port, several protocols (etcd's cmux): each accepted connection is sniffed, and
// one that opens with the HTTP/2 client preface (gRPC, prior knowledge) goes to the gRPC
// server, anything else to the HTTP/1.1 server (the JSON gateway, /health, /version,
// /metrics). With TLS the connection is decrypted first (ALPN offers h2 and http/1.1) and the
// plaintext is sniffed the same way (ALPN picks h2 only for clients that speak nothing else).
import {createServer as createNetServer, type Server as NetServer, type Socket} from 'node:net'
import type {Duplex} from 'node:stream'
import {createServer as createTlsServer, type TLSSocket} from 'node:tls'
import {CLIENT_PREFACE} from './h2/frame.js'


/** A connection that has not said which protocol it speaks within this time is closed. */
const sniffTimeoutMs = 10_000
/** A TLS handshake that takes longer than this is abandoned. */
const handshakeTimeoutMs = 10_000

export interface ServerTls {
  cert: Buffer
  key: Buffer
  /** Trusted CAs for client certificates. */
  ca?: Buffer
  /** Refuse clients without a certificate signed by `ca` (etcd's --client-cert-auth). */
  clientCertAuth: boolean
}

export interface MuxTargets {
  /** An HTTP/2 connection (gRPC), with the bytes already read from it. */
  grpc(connection: Duplex, firstBytes: Buffer): void
  http(socket: Socket): void
}

/**
 * Hands a sniffed connection to a server with the bytes already read. Node's HTTP/1.1 server
 * reads from the socket's handle directly, so it is given the bytes as the socket's first
 * 'data' event.
 */
function handOver(socket: Socket, buffered: Buffer, isGrpc: boolean, targets: MuxTargets): void {
  if (isGrpc) {
    targets.grpc(socket, buffered)
    return
  }
  targets.http(socket)
  socket.emit('data', buffered)
  socket.resume()
}

export interface ListenAddress {
  host: string
  port: number
  tls?: ServerTls
}

export interface MuxListener {
  readonly port: number
  /** Stops accepting; connections already handed over are their servers' to close. */
  close(): Promise<void>
}

/** Reads just enough of a connection to tell gRPC from HTTP/1.1, then hands it over with the bytes read put back. */
export function sniff(socket: Socket, targets: MuxTargets): void {
  socket.setNoDelay(true)
  let buffered: Buffer = Buffer.alloc(0)
  const timer = setTimeout(() => socket.destroy(), sniffTimeoutMs)
  timer.unref()
  const cleanup = () => {
    clearTimeout(timer)
    socket.removeListener('data', onData)
    socket.removeListener('error', onError)
    socket.removeListener('end', onEnd)
  }
  const onError = () => {
    cleanup()
    socket.destroy()
  }
  const onEnd = () => {
    cleanup()
    socket.destroy()
  }
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
    const compared = Math.min(buffered.length, CLIENT_PREFACE.length)
    const isGrpc = buffered.subarray(0, compared).equals(CLIENT_PREFACE.subarray(0, compared))
    if (isGrpc && buffered.length < CLIENT_PREFACE.length) return
    cleanup()
    socket.pause()
    handOver(socket, buffered, isGrpc, targets)
  }
  socket.on('data', onData)
  socket.on('error', onError)
  socket.on('end', onEnd)
}

/**
 * gRPC clients offer only h2; a client that also offers http/1.1 (curl, browsers) is given
 * HTTP/1.1, so its requests reach the gateway, /health and /metrics rather than the gRPC
 * server. The plaintext is sniffed either way.
 */
function chooseAlpn({protocols}: {protocols: string[]}): string | undefined {
  if (protocols.includes('http/1.1')) return 'http/1.1'
  if (protocols.includes('h2')) return 'h2'
  return undefined
}

export function listen(address: ListenAddress, targets: MuxTargets): Promise<MuxListener> {
  let server: NetServer
  if (address.tls) {
    const tls = address.tls
    server = createTlsServer(
      {
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        requestCert: tls.clientCertAuth,
        rejectUnauthorized: tls.clientCertAuth,
        ALPNCallback: chooseAlpn,
        handshakeTimeout: handshakeTimeoutMs,
      },
      (socket: TLSSocket) => sniff(socket, targets),
    )
    // a failed handshake is the client's problem: never the server's
    server.on('tlsClientError', (_error, socket) => socket.destroy())
  } else {
    server = createNetServer((socket) => sniff(socket, targets))
  }
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${address.host}:${address.port}: ${error.message}`)))
    server.listen(address.port, address.host, () => {
      const bound = server.address()
      const port = typeof bound === 'object' && bound !== null ? bound.port : address.port
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
          }),
      })
    })
  })
}
