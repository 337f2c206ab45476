// etcd 3.4's Go client logs one zap warning line to stderr whenever a unary call fails, before
// etcdctl prints its own `Error:` line. Scripts and golden tests see both, so ectl writes the
// same line for a refused request (only its time stamp, client id and endpoint differ by
// nature, as they differ between any two etcdctl runs).
import {randomUUID} from 'node:crypto'
import type {EtcdError} from '../api/errors.js'

// Go's codes.Code String() names, by gRPC status number
const CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
]

export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`
}

/** The warning line (with its newline) the Go client logs for a failed unary call. */
export function unaryFailureWarning(err: EtcdError, endpoint: string, now: Date): string {
  const record = {
    level: 'warn',
    ts: now.toISOString(),
    caller: 'clientv3/retry_interceptor.go:62',
    msg: 'retrying of unary invoker failed',
    target: `endpoint://client-${randomUUID()}/${endpoint}`,
    attempt: 0,
    // over gRPC the description on the wire (GrpcCallError) can differ from the message printed
    error: `rpc error: code = ${grpcCodeName(err.code)} desc = ${(err as EtcdError & {description?: string}).description ?? err.message}`,
  }
  return JSON.stringify(record) + '\n'
}
