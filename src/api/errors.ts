// Errors of the etcd v3 API. Every layer (engine, in-process client, gRPC client and server)
// speaks in these, so a message reads the same whichever way a request travelled. The codes
// are gRPC status codes, as etcd puts them on the wire.

export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const
export type GrpcCodeValue = (typeof GrpcCode)[keyof typeof GrpcCode]

/** An operating error: the request was refused or failed; the store is unchanged by it. */
export class EtcdError extends Error {
  constructor(
    readonly code: GrpcCodeValue,
    message: string,
  ) {
    super(message)
    this.name = 'EtcdError'
  }
}

// The messages, worded exactly as etcd words them (clients match on these strings).
export const ErrorMessage = {
  emptyKey: 'etcdserver: key is not provided',
  keyNotFound: 'etcdserver: key not found',
  valueProvided: 'etcdserver: value is provided',
  leaseProvided: 'etcdserver: lease is provided',
  tooManyOps: 'etcdserver: too many operations in txn request',
  duplicateKey: 'etcdserver: duplicate key given in txn request',
  compacted: 'etcdserver: mvcc: required revision has been compacted',
  futureRev: 'etcdserver: mvcc: required revision is a future revision',
  noSpace: 'etcdserver: mvcc: database space exceeded',
  leaseNotFound: 'etcdserver: requested lease not found',
  leaseExist: 'etcdserver: lease already exists',
  leaseTTLTooLarge: 'etcdserver: too large lease TTL',
  requestTooLarge: 'etcdserver: request is too large',
  stopped: 'etcdserver: server stopped',
  timeout: 'etcdserver: request timed out',
  tooManyRequests: 'etcdserver: too many requests',
  // auth (etcd's rpctypes, from auth.Err*)
  rootUserNotExist: 'etcdserver: root user does not exist',
  rootRoleNotExist: 'etcdserver: root user does not have root role',
  userAlreadyExist: 'etcdserver: user name already exists',
  userEmpty: 'etcdserver: user name is empty',
  userNotFound: 'etcdserver: user name not found',
  roleAlreadyExist: 'etcdserver: role name already exists',
  roleNotFound: 'etcdserver: role name not found',
  roleEmpty: 'etcdserver: role name is empty',
  authFailed: 'etcdserver: authentication failed, invalid user ID or password',
  permissionDenied: 'etcdserver: permission denied',
  roleNotGranted: 'etcdserver: role is not granted to the user',
  permissionNotGranted: 'etcdserver: permission is not granted to the role',
  authNotEnabled: 'etcdserver: authentication is not enabled',
  invalidAuthToken: 'etcdserver: invalid auth token',
  invalidAuthMgmt: 'etcdserver: invalid auth management',
} as const

export const Errors = {
  emptyKey: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.emptyKey),
  keyNotFound: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.keyNotFound),
  valueProvided: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.valueProvided),
  leaseProvided: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.leaseProvided),
  tooManyOps: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.tooManyOps),
  duplicateKey: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.duplicateKey),
  compacted: () => new EtcdError(GrpcCode.OUT_OF_RANGE, ErrorMessage.compacted),
  futureRev: () => new EtcdError(GrpcCode.OUT_OF_RANGE, ErrorMessage.futureRev),
  noSpace: () => new EtcdError(GrpcCode.RESOURCE_EXHAUSTED, ErrorMessage.noSpace),
  leaseNotFound: () => new EtcdError(GrpcCode.NOT_FOUND, ErrorMessage.leaseNotFound),
  leaseExist: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.leaseExist),
  requestTooLarge: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.requestTooLarge),
  leaseTTLTooLarge: () => new EtcdError(GrpcCode.OUT_OF_RANGE, ErrorMessage.leaseTTLTooLarge),
  stopped: () => new EtcdError(GrpcCode.UNAVAILABLE, ErrorMessage.stopped),
  tooManyRequests: () => new EtcdError(GrpcCode.RESOURCE_EXHAUSTED, ErrorMessage.tooManyRequests),
  rootUserNotExist: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.rootUserNotExist),
  rootRoleNotExist: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.rootRoleNotExist),
  userAlreadyExist: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.userAlreadyExist),
  userEmpty: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.userEmpty),
  userNotFound: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.userNotFound),
  roleAlreadyExist: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.roleAlreadyExist),
  roleNotFound: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.roleNotFound),
  roleEmpty: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.roleEmpty),
  authFailed: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.authFailed),
  permissionDenied: () => new EtcdError(GrpcCode.PERMISSION_DENIED, ErrorMessage.permissionDenied),
  roleNotGranted: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.roleNotGranted),
  permissionNotGranted: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.permissionNotGranted),
  authNotEnabled: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, ErrorMessage.authNotEnabled),
  invalidAuthToken: () => new EtcdError(GrpcCode.UNAUTHENTICATED, ErrorMessage.invalidAuthToken),
  invalidAuthMgmt: () => new EtcdError(GrpcCode.INVALID_ARGUMENT, ErrorMessage.invalidAuthMgmt),
} as const

/** Limits as etcd's defaults. */
export const Limits = {
  /** --max-request-bytes default: 1.5 MiB. */
  maxRequestBytes: 1.5 * 1024 * 1024,
  /** --max-txn-ops default. */
  maxTxnOps: 128,
} as const
