// A load generator's gRPC client, as light as gRPC over HTTP/2 can be in Node: requests are
// encoded once, ahead of the run, and sent as raw framed bytes on node:http2 sessions; a call
// is done when its status arrives. grpc-js's client spends ~0.7 ms of CPU per call on this
// machine (call objects, interceptors, metadata, channel state), which on two cores takes CPU
// from the server under test; this one spends a fraction of that, so the generator stays out
// of the measurement. Only what the benchmark needs: unary calls and bidirectional streams.
import {connect as netConnect} from 'node:net'
import {connect, constants, type ClientHttp2Session, type ClientHttp2Stream} from 'node:http2'

/** Frames one message: compressed flag 0, 4-byte big-endian length, the bytes. */
export function frame(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length)
  framed[0] = 0
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, 5)
  return framed
}

/** Splits framed messages out of a byte stream; a partial message waits for more bytes. */
export class MessageReader {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer, onMessage: (message: Buffer) => void): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32BE(1)
      if (this.pending.length < 5 + length) return
      onMessage(this.pending.subarray(5, 5 + length))
      this.pending = this.pending.subarray(5 + length)
    }
  }
}

export class LightGrpcClient {
  private readonly session: ClientHttp2Session
  private readonly authority: string

  /** `endpoint` is `host:port` (plaintext, prior knowledge, as gRPC clients connect). */
  constructor(endpoint: string) {
    this.authority = endpoint
    const colon = endpoint.lastIndexOf(':')
    const target = {host: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)), noDelay: true}
    this.session = connect(`http://${endpoint}`, {settings: {initialWindowSize: 16 * 1024 * 1024}, createConnection: () => netConnect(target)})
    this.session.on('error', () => undefined)
  }

  private open(path: string): ClientHttp2Stream {
    return this.session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_SCHEME]: 'http',
      [constants.HTTP2_HEADER_AUTHORITY]: this.authority,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_TE]: 'trailers',
    })
  }

  /** One unary call with a pre-framed request; resolves with the response message once the status is OK. */
  unary(path: string, framedRequest: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const stream = this.open(path)
      let status: string | undefined
      let message = ''
      let response: Buffer = Buffer.alloc(0)
      const take = (headers: Record<string, unknown>) => {
        if (headers['grpc-status'] !== undefined) {
          status = String(headers['grpc-status'])
          message = String(headers['grpc-message'] ?? '')
        }
      }
      stream.on('response', take)
      stream.on('trailers', take)
      const reader = new MessageReader()
      stream.on('data', (chunk: Buffer) => reader.push(chunk, (bytes) => (response = bytes)))
      stream.on('error', reject)
      stream.on('close', () => (status === '0' ? resolve(response) : reject(new Error(`${path}: grpc-status ${status ?? 'none'} ${decodeURIComponent(message)}`))))
      stream.end(framedRequest)
    })
  }

  /** A bidirectional stream: write framed requests, receive each response message's bytes. */
  bidi(path: string, onMessage: (message: Buffer) => void): {write(framed: Buffer): void; end(): void; cancel(): void} {
    const stream = this.open(path)
    const reader = new MessageReader()
    stream.on('data', (chunk: Buffer) => reader.push(chunk, onMessage))
    stream.on('error', () => undefined)
    return {
      write: (framed) => void stream.write(framed),
      end: () => stream.end(),
      cancel: () => stream.close(constants.NGHTTP2_CANCEL),
    }
  }

  close(): void {
    this.session.close()
  }
}
