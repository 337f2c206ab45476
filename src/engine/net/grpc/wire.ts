// The gRPC-over-HTTP/2 wire details both fast paths (fast-unary.ts, fast-stream.ts) write:
// response headers as etcd's gRPC server (grpc-go) sends them, status trailers as grpc-js
// words them, and the length prefix of each message. Header lists are flat
// [name, value, name, value, …] arrays, as the HTTP/2 layer (../h2/) encodes them.

/**
 * A response's headers, as etcd sends them: the status and the content type, nothing else (no
 * date, no grpc-encoding): every header is one more entry each answer's client decodes.
 */
export const responseFields: readonly string[] = [':status', '200', 'content-type', 'application/grpc']

/** The gRPC message prefix: a compressed flag (1 byte) and the length (4 bytes, big-endian). */
export const PREFIX_BYTES = 5

/** A call's status as trailer fields (grpc-message percent-encoded, as grpc-js sends it). */
export function statusFields(status: {code: number; details: string}): string[] {
  return ['grpc-status', String(status.code), 'grpc-message', encodeURI(status.details)]
}

/** A trailers-only answer (a call that ends before any message): headers and status in one block. */
export function trailersOnlyFields(status: {code: number; details: string}): string[] {
  return [...responseFields, ...statusFields(status)]
}

/** The status of a call that went well. */
export const okFields: readonly string[] = statusFields({code: 0, details: 'OK'})

/** A gRPC call whose messages come uncompressed: the only kind the fast paths take. */
export function isPlainGrpc(headers: Record<string, string | undefined>): boolean {
  if (headers[':method'] !== 'POST') return false
  const contentType = headers['content-type']
  if (contentType === undefined || !contentType.startsWith('application/grpc')) return false
  const encoding = headers['grpc-encoding']
  return encoding === undefined || encoding === 'identity'
}

/** The caller's auth token from the request's metadata (`token`, or `authorization` as etcd also reads). */
export function tokenOf(headers: Record<string, string | undefined>): string | undefined {
  return headers.token ?? headers.authorization
}

const deadlineUnitMs: Record<string, number> = {H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001}
const DEADLINE = /^(\d{1,8})([HMSmun])$/

/** A grpc-timeout header in milliseconds; undefined when it is not one (grpc-js then answers INTERNAL). */
export function grpcTimeoutMs(value: string): number | undefined {
  const m = DEADLINE.exec(value)
  return m === null ? undefined : Math.trunc(Number(m[1]) * deadlineUnitMs[m[2]!]!)
}

export const GrpcStatus = {deadlineExceeded: 4, resourceExhausted: 8, internal: 13} as const
