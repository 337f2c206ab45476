// Errors on the wire as etcd sends them: a gRPC status whose code and message are etcd's
// (`InvalidArgument` / `etcdserver: key is not provided`). etcd adds no trailing metadata to
// these: its Go client recognises an error by the message alone (rpctypes.Error matches the
// description), and etcdctl then prints `Error: <message>`. Anything that is not an EtcdError
// is a bug or an environment failure; gRPC-Go servers send those as Unknown with the error's
// text, and so do we.
import {Metadata, status, type ServiceError} from '@grpc/grpc-js'
import {EtcdError, GrpcCode} from '../../../api/errors.js'

/** What grpc-js needs to end a call with a status. */
export interface StatusError extends Partial<ServiceError> {
  code: status
  details: string
  metadata: Metadata
}

export function toStatusError(error: unknown): StatusError {
  if (error instanceof EtcdError) return statusError(error.code, error.message)
  return statusError(GrpcCode.UNKNOWN, error instanceof Error ? error.message : String(error))
}

export function statusError(code: number, details: string): StatusError {
  return {code: code as status, details, metadata: new Metadata()}
}

/** etcd's gRPC-Go server refuses a message over its receive limit with these words. */
export function receiveLimitError(messageBytes: number, limitBytes: number): StatusError {
  return statusError(GrpcCode.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${messageBytes} vs. ${limitBytes})`)
}

export function unimplementedError(path: string): StatusError {
  return statusError(GrpcCode.UNIMPLEMENTED, `ectl server does not implement ${path} yet`)
}
