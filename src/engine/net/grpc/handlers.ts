// What each implemented gRPC method does, in terms of the v3 API (EtcdClient and, once the
// engine has them, watch and leases). Methods absent here answer UNIMPLEMENTED (server.ts).
import {encodedLength} from '../../../api/encode-pooled.js'
import {Errors} from '../../../api/errors.js'
import {
  type CompactionRequest,
  DeleteRangeRequest,
  HashResponse,
  type HashKVRequest,
  type LeaseGrantRequest,
  type LeaseRevokeRequest,
  type LeaseTimeToLiveRequest,
  type MemberListRequest,
  MemberListResponse,
  PutRequest,
  type RangeRequest,
  TxnRequest,
} from '../../../api/proto/rpc.js'
import type {BidiStream, EtcdAuthClient, EtcdClient, EtcdClusterClient, EtcdMaintenanceClient, EtcdWatchLeaseClient} from '../../../client/etcd/client.js'
import type {MethodName, ServiceName} from '../../../api/grpc-methods.js'

/**
 * The engine a server serves. Watch and leases are optional while the engine grows them: a
 * method the engine lacks answers UNIMPLEMENTED.
 */
export type ServedEngine = EtcdClient &
  Partial<EtcdWatchLeaseClient> &
  Partial<EtcdMaintenanceClient> &
  Partial<EtcdClusterClient> &
  Partial<EtcdAuthClient> & {
    /** The engine as the caller holding `token` (gRPC metadata `token`) may use it (auth checks). */
    asCaller?(token: string | undefined): ServedEngine
  }

/** How this member describes itself in MemberList (etcd's --name and advertised URLs). */
export interface MemberInfo {
  name: string
  peerURLs: string[]
  clientURLs: string[]
}

export interface HandlerContext {
  engine: ServedEngine
  member: MemberInfo
  /** --max-request-bytes: the largest write the log takes, as etcd measures it. */
  maxRequestBytes: number
}

export type UnaryHandler = (request: never) => Promise<unknown>
export type StreamOpener = () => BidiStream<unknown, unknown>

export type UnaryHandlers = {[S in ServiceName]?: {[M in MethodName<S>]?: UnaryHandler}}
export type StreamOpeners = {[S in ServiceName]?: {[M in MethodName<S>]?: StreamOpener}}

/** Thrown by a handler for a method the engine does not have yet. */
export class EngineLacksMethod extends Error {}

function need<T>(method: T | undefined, name: string): T {
  if (method === undefined) throw new EngineLacksMethod(name)
  return method
}

/** An Auth method: the engine's, or UNIMPLEMENTED on an engine without auth. */
function authMethod<K extends keyof EtcdAuthClient>(engine: ServedEngine, name: K, method: string): UnaryHandler {
  return async (request: never) => {
    const fn = need(engine[name], method) as (request: unknown) => Promise<unknown>
    return fn.call(engine, request)
  }
}

/**
 * What a PutRequest's encoding adds to its key and value at most, inside the log's request:
 * tags and length prefixes of key and value (6 bytes each), the lease (11), three flags (6),
 * and the InternalRequest field around it (8), rounded up.
 */
const PUT_FIELDS_MAX_BYTES = 64

/**
 * The size of an InternalRequest with id 0 holding `request` (a put, delete or txn: fields 2
 * to 4, each a one-byte tag): the request's own bytes, that tag and their length prefix.
 */
export function loggedRequestBytes<T>(codec: {encode(message: T): {finish(): Uint8Array}}, request: T): number {
  const length = encodedLength(codec, request)
  return 1 + varintBytes(length) + length
}

/** Bytes of `n` as a protobuf varint. */
function varintBytes(n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

export function unaryHandlers(context: HandlerContext): UnaryHandlers {
  const {engine} = context
  // etcd measures the request as it enters the log (the internal raft request), not the RPC
  const checkSize = <T>(codec: {encode(message: T): {finish(): Uint8Array}}, request: T) => {
    if (loggedRequestBytes(codec, request) > context.maxRequestBytes) throw Errors.requestTooLarge()
  }
  return {
    'etcdserverpb.KV': {
      Range: (request: RangeRequest) => engine.range(request),
      Put: (request: PutRequest) => {
        // a put whose key and value leave room for every other field cannot be too large:
        // spare encoding it a second time just to measure it
        if (request.key.length + request.value.length + PUT_FIELDS_MAX_BYTES > context.maxRequestBytes) checkSize(PutRequest, request)
        return engine.put(request)
      },
      DeleteRange: (request: DeleteRangeRequest) => {
        checkSize(DeleteRangeRequest, request)
        return engine.deleteRange(request)
      },
      Txn: (request: TxnRequest) => {
        checkSize(TxnRequest, request)
        return engine.txn(request)
      },
      Compact: (request: CompactionRequest) => engine.compact(request),
    },
    'etcdserverpb.Lease': {
      LeaseGrant: async (request: LeaseGrantRequest) => need(engine.leaseGrant, 'LeaseGrant').call(engine, request),
      LeaseRevoke: async (request: LeaseRevokeRequest) => need(engine.leaseRevoke, 'LeaseRevoke').call(engine, request),
      LeaseTimeToLive: async (request: LeaseTimeToLiveRequest) =>
        need(engine.leaseTimeToLive, 'LeaseTimeToLive').call(engine, request),
      LeaseLeases: async () => need(engine.leaseLeases, 'LeaseLeases').call(engine),
    },
    'etcdserverpb.Auth': {
      AuthEnable: authMethod(engine, 'authEnable', 'AuthEnable'),
      AuthDisable: authMethod(engine, 'authDisable', 'AuthDisable'),
      AuthStatus: authMethod(engine, 'authStatus', 'AuthStatus'),
      Authenticate: authMethod(engine, 'authenticate', 'Authenticate'),
      UserAdd: authMethod(engine, 'userAdd', 'UserAdd'),
      UserGet: authMethod(engine, 'userGet', 'UserGet'),
      UserList: authMethod(engine, 'userList', 'UserList'),
      UserDelete: authMethod(engine, 'userDelete', 'UserDelete'),
      UserChangePassword: authMethod(engine, 'userChangePassword', 'UserChangePassword'),
      UserGrantRole: authMethod(engine, 'userGrantRole', 'UserGrantRole'),
      UserRevokeRole: authMethod(engine, 'userRevokeRole', 'UserRevokeRole'),
      RoleAdd: authMethod(engine, 'roleAdd', 'RoleAdd'),
      RoleGet: authMethod(engine, 'roleGet', 'RoleGet'),
      RoleList: authMethod(engine, 'roleList', 'RoleList'),
      RoleDelete: authMethod(engine, 'roleDelete', 'RoleDelete'),
      RoleGrantPermission: authMethod(engine, 'roleGrantPermission', 'RoleGrantPermission'),
      RoleRevokePermission: authMethod(engine, 'roleRevokePermission', 'RoleRevokePermission'),
    },
    'etcdserverpb.Cluster': {
      // the engine's member list when it keeps one (names and URLs its members published)
      MemberList: async (request: MemberListRequest) => {
        if (engine.memberList) return engine.memberList(request)
        const status = await engine.status()
        return MemberListResponse.fromPartial({
          header: status.header,
          members: [
            {
              ID: status.header?.memberId ?? 0n,
              name: context.member.name,
              peerURLs: context.member.peerURLs,
              clientURLs: context.member.clientURLs,
              isLearner: false,
            },
          ],
        })
      },
    },
    'etcdserverpb.Maintenance': {
      Status: () => engine.status(),
      HashKV: (request: HashKVRequest) => engine.hashKV(request),
      // etcd hashes its whole backend file; ours is not one file, so Hash answers the hash of
      // every key's history (HashKV at the current revision): equal on members with equal data.
      Hash: async () => {
        if (engine.hash) return engine.hash()
        const hashed = await engine.hashKV({revision: 0n})
        return HashResponse.fromPartial({header: hashed.header, hash: hashed.hash})
      },
      // Alarm is the engine's own (alarm()): the dispatcher routes it there.
    },
  }
}

export function streamOpeners(context: HandlerContext): StreamOpeners {
  const {engine} = context
  return {
    'etcdserverpb.Watch': {
      Watch: () => need(engine.watch, 'Watch').call(engine) as BidiStream<unknown, unknown>,
    },
    'etcdserverpb.Lease': {
      LeaseKeepAlive: () => need(engine.leaseKeepAlive, 'LeaseKeepAlive').call(engine) as BidiStream<unknown, unknown>,
    },
  }
}
