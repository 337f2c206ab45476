// gRPC failures as EtcdErrors worded as etcd's Go client words them, so ectl over the network
// prints what etcdctl prints: the server's `etcdserver: ...` description as the message, and
// `context deadline exceeded` when the call's deadline passed. The description on the wire is
// kept too, for the client's warning line (`rpc error: code = ... desc = ...`).
import type {ServiceError} from '@grpc/grpc-js'
import {EtcdError, GrpcCode, type GrpcCodeValue} from '../../../api/errors.js'

/** What the Go client says while no endpoint could be connected. */
export const noConnectionDescription = 'latest balancer error: all SubConns are in TransientFailure'

export class GrpcCallError extends EtcdError {
  constructor(
    code: GrpcCodeValue,
    message: string,
    /** the status description as it came over the wire (or as the Go client words it) */
    readonly description: string,
  ) {
    super(code, message)
    this.name = 'GrpcCallError'
  }
}

// Go's codes.Code names, as clientv3 prints an error it does not know
const codeNames = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal',
  'Unavailable', 'DataLoss', 'Unauthenticated']

/** The message etcdctl prints for a status: etcd's own errors as their text, others as Go prints them. */
export function statusMessage(code: number, description: string): string {
  if (code === GrpcCode.DEADLINE_EXCEEDED) return 'context deadline exceeded'
  if (code === GrpcCode.CANCELLED) return 'context canceled'
  if (description.startsWith('etcdserver: ') || description.startsWith('mvcc: ')) return description
  return `rpc error: code = ${codeNames[code] ?? `Code(${code})`} desc = ${description}`
}

export function fromServiceError(error: ServiceError): GrpcCallError {
  const code = error.code as GrpcCodeValue
  const description = code === GrpcCode.DEADLINE_EXCEEDED && /^Deadline exceeded/.test(error.details) ? 'context deadline exceeded' : error.details
  return new GrpcCallError(code, statusMessage(code, description), description)
}

/** The deadline passed before any endpoint could be connected. */
export function noConnection(): GrpcCallError {
  return new GrpcCallError(GrpcCode.DEADLINE_EXCEEDED, 'context deadline exceeded', noConnectionDescription)
}

/** The server refused the auth token (expired, or the server restarted): authenticate again. */
export function isInvalidToken(error: unknown): boolean {
  return error instanceof EtcdError && error.code === GrpcCode.UNAUTHENTICATED && /invalid auth token/.test(error.message)
}
