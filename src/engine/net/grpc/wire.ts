// The gRPC-over-HTTP/2 wire details both fast paths (fast-unary.ts, fast-stream.ts) write:
// response headers as etcd's gRPC server (grpc-go) sends them, status trailers as grpc-js
// words them, and the length prefix of each message.
import {constants, type IncomingHttpHeaders, type ServerStreamResponseOptions} from 'node:http2'

/**
 * A response's headers, as etcd sends them: the status and the content type, nothing else (no
 * date, no grpc-encoding): every header is one more entry each answer's client decodes.
 */
export const baseHeaders = {
  [constants.HTTP2_HEADER_STATUS]: constants.HTTP_STATUS_OK,
  [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
}

/** respond()'s options for a trailers-only answer, without the date Node would add (etcd sends none). */
export const trailersOnly = {endStream: true, sendDate: false} as ServerStreamResponseOptions

/** respond()'s options for an answer whose trailers follow its messages, without a date either. */
export const awaitingTrailers = {waitForTrailers: true, sendDate: false} as ServerStreamResponseOptions

/** The gRPC message prefix: a compressed flag (1 byte) and the length (4 bytes, big-endian). */
export const PREFIX_BYTES = 5

/** A call's status as trailers (grpc-message percent-encoded, as grpc-js sends it). */
export function statusTrailers(status: {code: number; details: string}): {'grpc-status': string; 'grpc-message': string} {
  return {'grpc-status': String(status.code), 'grpc-message': encodeURI(status.details)}
}

/** A gRPC call whose messages come uncompressed: the only kind the fast paths take. */
export function isPlainGrpc(headers: IncomingHttpHeaders): boolean {
  const contentType = headers[constants.HTTP2_HEADER_CONTENT_TYPE]
  if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) return false
  const encoding = headers['grpc-encoding']
  return encoding === undefined || encoding === 'identity'
}

const deadlineUnitMs: Record<string, number> = {H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001}
const DEADLINE = /^(\d{1,8})([HMSmun])$/

/** A grpc-timeout header in milliseconds; undefined when it is not one (grpc-js then answers INTERNAL). */
export function grpcTimeoutMs(value: string): number | undefined {
  const m = DEADLINE.exec(value)
  return m === null ? undefined : Math.trunc(Number(m[1]) * deadlineUnitMs[m[2]!]!)
}

export const GrpcStatus = {deadlineExceeded: 4, resourceExhausted: 8, internal: 13} as const
