// The engine as one network caller sees it: every request checked as etcd 3.4's server checks
// it, for the user named by the caller's token (gRPC metadata `token`). While auth is disabled
// nothing is checked and the view costs one flag test per call.
//
// What is checked (as etcd 3.4):
//   Range, and the read parts of Put/DeleteRange (prev_kv) and Txn (compares, range ops)   READ
//   Put, DeleteRange, Txn ops; LeaseRevoke (on every key attached to the lease, checked
//     again when the revoke is applied)                                                  WRITE
//   Watch create: READ on the watched range, refused with a canceled watch response
//   Lock, Unlock, Campaign, Proclaim, Resign, Leader, Observe: their key operations, as above
//     (caller-recipes.ts)
//   Auth management (enable, disable, user and role changes, lists)                       root role
//   UserGet of oneself and RoleGet of a role one holds                                     allowed
//   Hash, HashKV, Defragment, Snapshot, MoveLeader                                         root role
//   Status, Alarm, member list, compaction, lease grant/keep-alive/time-to-live, AuthStatus   nothing
// A request without a token is refused with `user name is empty`, one with an unknown or
// expired token with `invalid auth token`. Writes also carry the caller to the apply loop, which
// checks again against the permissions of that point of the log.
import {EtcdError, GrpcCode, Errors} from '../../api/errors.js'
import type {RequestHeader} from '../../api/proto/internal.js'
import {
  DeleteRangeRequest,
  type DeleteRangeResponse,
  LeaseRevokeRequest,
  type LeaseRevokeResponse,
  PutRequest,
  type PutResponse,
  RangeRequest,
  TxnRequest,
  type TxnResponse,
  WatchRequest,
  type WatchResponse,
} from '../../api/proto/rpc.js'
import {type BidiStream, type EtcdClient, type EtcdWatchLeaseClient, isPullable, type PullableStream, type Req, type WatchStream} from '../../client/etcd/client.js'
import type {AuthStore} from '../auth/auth-store.js'
import type {ConcurrencyClient} from '../../client/etcd/concurrency/index.js'
import type {AuthApi} from './auth-api.js'
import {callerRecipes} from './caller-recipes.js'
import type {MemberApi} from './member-api.js'

const EMPTY = Buffer.alloc(0)

/** Maintenance methods only a root-role caller may use (etcd's authMaintenanceServer). */
const ADMIN_MAINTENANCE = new Set(['hash', 'hashKV', 'defragment', 'snapshot', 'moveLeader'])
/** Those of them that are server streams (an AsyncIterable, not a promise). */
const ADMIN_STREAMS = new Set(['snapshot'])

/** gRPC-Go's text of a status error, which etcd puts in a watch's cancel_reason. */
const grpcCodeNames: Record<number, string> = {
  [GrpcCode.INVALID_ARGUMENT]: 'InvalidArgument',
  [GrpcCode.PERMISSION_DENIED]: 'PermissionDenied',
  [GrpcCode.UNAUTHENTICATED]: 'Unauthenticated',
  [GrpcCode.FAILED_PRECONDITION]: 'FailedPrecondition',
}

/** What a view needs of the engine (EmbeddedEtcd). */
export interface ViewedEngine extends EtcdClient, EtcdWatchLeaseClient {
  readonly member: MemberApi
  readonly authStore: AuthStore
  readonly auth: AuthApi
  writeAs<T>(
    request: {put?: PutRequest; deleteRange?: DeleteRangeRequest; txn?: TxnRequest; leaseRevoke?: LeaseRevokeRequest},
    header: RequestHeader | undefined,
  ): Promise<T>
}

/**
 * Builds the view of `engine` for the caller holding `token` (undefined: no token). The view
 * has every method of the engine: those listed above check first, the rest pass through.
 */
export function callerView<E extends ViewedEngine>(engine: E, token: string | undefined): E {
  const auth = engine.authStore
  const api = engine.auth

  /** The caller's user name ('' without a token); only asked while auth is enabled. */
  const caller = (): string => {
    if (token === undefined) return ''
    const user = auth.tokens.use(token)
    if (user === undefined) throw Errors.invalidAuthToken()
    return user
  }
  const header = (username: string): RequestHeader => ({username, authRevision: auth.revision})
  /** Runs `check` with the caller while auth is enabled; answers the header to propose with. */
  const checked = (check: (username: string) => void): RequestHeader | undefined => {
    if (!auth.enabled) return undefined
    const username = caller()
    check(username)
    return header(username)
  }
  const admin = () => checked((username) => auth.checkAdmin(username))

  const view: Record<string, unknown> = {}
  // Everything the engine offers passes through unless overridden below.
  for (const name of methodNames(engine)) {
    const method = (engine as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!
    if (!ADMIN_MAINTENANCE.has(name)) view[name] = method.bind(engine)
    else if (ADMIN_STREAMS.has(name)) {
      // A server stream answers an iterable at once; the check runs when it is first read.
      view[name] = async function* (...args: unknown[]) {
        maintenanceAdmin(() => admin())
        yield* method.apply(engine, args) as AsyncIterable<unknown>
      }
    } else {
      view[name] = async (...args: unknown[]) => {
        maintenanceAdmin(() => admin())
        return method.apply(engine, args)
      }
    }
  }

  Object.assign(view, {
    range: async (req: Req<RangeRequest>) => {
      const request = RangeRequest.fromPartial(req)
      checked((username) => auth.checkRange(username, request.key, request.rangeEnd, 'read'))
      return engine.range(request)
    },
    put: async (req: Req<PutRequest>) => {
      const request = PutRequest.fromPartial(req)
      const as = checked((username) => {
        auth.checkRange(username, request.key, EMPTY, 'write')
        if (request.prevKv) auth.checkRange(username, request.key, EMPTY, 'read')
      })
      return engine.writeAs<PutResponse>({put: request}, as)
    },
    deleteRange: async (req: Req<DeleteRangeRequest>) => {
      const request = DeleteRangeRequest.fromPartial(req)
      const as = checked((username) => {
        auth.checkRange(username, request.key, request.rangeEnd, 'write')
        if (request.prevKv) auth.checkRange(username, request.key, request.rangeEnd, 'read')
      })
      return engine.writeAs<DeleteRangeResponse>({deleteRange: request}, as)
    },
    txn: async (req: Req<TxnRequest>) => {
      const request = TxnRequest.fromPartial(req)
      const as = checked((username) => auth.checkTxn(username, request))
      return engine.writeAs<TxnResponse>({txn: request}, as)
    },
    // checked here and again where the revoke is applied, against the keys the lease has then
    leaseRevoke: async (req: Req<LeaseRevokeRequest>) => {
      const request = LeaseRevokeRequest.fromPartial(req)
      const as = checked((username) => {
        for (const key of engine.member.lessor.keysOf(request.ID)) auth.checkRange(username, Buffer.from(key, 'latin1'), EMPTY, 'write')
      })
      return engine.writeAs<LeaseRevokeResponse>({leaseRevoke: request}, as)
    },
    watch: () => checkedWatch(engine.watch(), (request) => {
      const create = request.createRequest
      if (create === undefined || !auth.enabled) return undefined
      try {
        auth.checkRange(caller(), create.key, create.rangeEnd, 'read')
        return undefined
      } catch (error) {
        if (!(error instanceof EtcdError)) throw error
        const reason = `rpc error: code = ${grpcCodeNames[error.code] ?? 'Unknown'} desc = ${error.message}`
        return {header: engine.member.header(), watchId: -1n, created: true, canceled: true, compactRevision: 0n, cancelReason: reason, fragment: false, events: []}
      }
    }),
    // ---- Auth service ----
    authEnable: async () => api.authEnable(admin()),
    authDisable: async () => api.authDisable(admin()),
    authStatus: async () => api.authStatus(),
    authenticate: async (req: Parameters<typeof api.authenticate>[0]) => api.authenticate(req),
    userAdd: async (req: Parameters<typeof api.userAdd>[0]) => api.userAdd(req, admin()),
    userGet: async (req: {name?: string}) => {
      if (auth.enabled) {
        const username = caller()
        if (username !== (req.name ?? '') || username === '') auth.checkAdmin(username)
      }
      return api.userGet(req)
    },
    userList: async () => {
      admin()
      return api.userList()
    },
    userDelete: async (req: Parameters<typeof api.userDelete>[0]) => api.userDelete(req, admin()),
    userChangePassword: async (req: Parameters<typeof api.userChangePassword>[0]) => api.userChangePassword(req, admin()),
    userGrantRole: async (req: Parameters<typeof api.userGrantRole>[0]) => api.userGrantRole(req, admin()),
    userRevokeRole: async (req: Parameters<typeof api.userRevokeRole>[0]) => api.userRevokeRole(req, admin()),
    roleAdd: async (req: Parameters<typeof api.roleAdd>[0]) => api.roleAdd(req, admin()),
    roleGet: async (req: {role?: string}) => {
      if (auth.enabled) {
        const username = caller()
        if (username === '' || !auth.hasRole(username, req.role ?? '')) auth.checkAdmin(username)
      }
      return api.roleGet(req)
    },
    roleList: async () => {
      admin()
      return api.roleList()
    },
    roleDelete: async (req: Parameters<typeof api.roleDelete>[0]) => api.roleDelete(req, admin()),
    roleGrantPermission: async (req: Parameters<typeof api.roleGrantPermission>[0]) => api.roleGrantPermission(req, admin()),
    roleRevokePermission: async (req: Parameters<typeof api.roleRevokePermission>[0]) => api.roleRevokePermission(req, admin()),
    asCaller: () => {
      throw new Error('a caller view cannot take another caller')
    },
  })
  // Lock and Election run their recipes through this view, so each key operation is checked.
  Object.assign(view, callerRecipes(view as unknown as ConcurrencyClient))
  return view as unknown as E
}

/**
 * etcd's maintenance server returns the auth package's own errors, untranslated: gRPC code
 * Unknown and `auth: ...` (etcdctl prints `rpc error: code = Unknown desc = auth: permission denied`).
 */
function maintenanceAdmin(check: () => void): void {
  try {
    check()
  } catch (error) {
    if (error instanceof EtcdError) throw new EtcdError(GrpcCode.UNKNOWN, error.message.replace(/^etcdserver: /, 'auth: '))
    throw error
  }
}

function methodNames(engine: object): string[] {
  const names = new Set<string>()
  for (const name of Object.getOwnPropertyNames(engine)) {
    if (typeof (engine as Record<string, unknown>)[name] === 'function') names.add(name)
  }
  for (let proto = Object.getPrototypeOf(engine) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof (engine as Record<string, unknown>)[name] === 'function') names.add(name)
    }
  }
  return [...names]
}

/**
 * A watch stream whose create requests pass `refuse` first: a refused one is answered with the
 * response it returns (a canceled watch), never reaching the engine. Refusals are delivered
 * before the engine's next response; the engine's stream keeps its back-pressure (one pending
 * read at a time).
 */
function checkedWatch(inner: WatchStream, refuse: (request: WatchRequest) => WatchResponse | undefined): WatchStream {
  const refusals: WatchResponse[] = []
  let wake: (() => void) | undefined
  const iterator = inner[Symbol.asyncIterator]()
  let pending: Promise<IteratorResult<WatchResponse>> | undefined
  let readable: (() => void) | undefined
  const stream: BidiStream<WatchRequest, WatchResponse> = {
    send(req) {
      const request = WatchRequest.fromPartial(req)
      const refusal = refuse(request)
      if (refusal === undefined) return inner.send(request)
      refusals.push(refusal)
      wake?.()
      readable?.()
    },
    close() {
      inner.close()
    },
    [Symbol.asyncIterator]() {
      return {
        async next(): Promise<IteratorResult<WatchResponse>> {
          for (;;) {
            if (refusals.length > 0) return {value: refusals.shift()!, done: false}
            pending ??= iterator.next()
            const woken = new Promise<'refusal'>((resolve) => (wake = () => resolve('refusal')))
            const first = await Promise.race([pending.then((result) => ({result})), woken])
            wake = undefined
            if (first === 'refusal') continue
            pending = undefined
            return first.result
          }
        },
        async return(): Promise<IteratorResult<WatchResponse>> {
          inner.close()
          return {value: undefined, done: true}
        },
      }
    },
  }
  if (!isPullable(inner)) return stream
  // Pulled by a transport: refusals first, then the engine's responses, as when iterated.
  const pullable: PullableStream<WatchRequest, WatchResponse> = {
    ...stream,
    tryNext: () => refusals.shift() ?? inner.tryNext(),
    ending: () => (refusals.length > 0 ? undefined : inner.ending()),
    onReadable(listener) {
      readable = listener
      inner.onReadable(listener)
    },
  }
  return pullable
}
