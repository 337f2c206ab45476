// The gRPC methods of etcd's v3 API, written once: the server's service definitions and the
// test client are both derived from this table, so a path or a codec cannot differ between them.
// Services, paths and messages are etcd's (etcdserverpb, v3lockpb, v3electionpb).
import type {ServiceDefinition} from '@grpc/grpc-js'
import * as rpc from './proto/rpc.js'
import * as election from './proto/v3election.js'
import * as lock from './proto/v3lock.js'

/** A generated message's codec (ts-proto MessageFns, narrowed to what the wire needs). */
export interface Codec<T> {
  encode(message: T): {finish(): Uint8Array}
  decode(input: Uint8Array): T
  fromPartial(object: never): T
}

/** How requests and responses flow: one each, or a stream on either side. */
export type MethodKind = 'unary' | 'serverStream' | 'bidi'

export interface MethodSpec<Req = unknown, Res = unknown> {
  kind: MethodKind
  request: Codec<Req>
  response: Codec<Res>
}

const unary = <Req, Res>(request: Codec<Req>, response: Codec<Res>): MethodSpec<Req, Res> => ({kind: 'unary', request, response})
const bidi = <Req, Res>(request: Codec<Req>, response: Codec<Res>): MethodSpec<Req, Res> => ({kind: 'bidi', request, response})
const serverStream = <Req, Res>(request: Codec<Req>, response: Codec<Res>): MethodSpec<Req, Res> => ({
  kind: 'serverStream',
  request,
  response,
})

export const grpcServices = {
  'etcdserverpb.KV': {
    Range: unary(rpc.RangeRequest, rpc.RangeResponse),
    Put: unary(rpc.PutRequest, rpc.PutResponse),
    DeleteRange: unary(rpc.DeleteRangeRequest, rpc.DeleteRangeResponse),
    Txn: unary(rpc.TxnRequest, rpc.TxnResponse),
    Compact: unary(rpc.CompactionRequest, rpc.CompactionResponse),
  },
  'etcdserverpb.Watch': {
    Watch: bidi(rpc.WatchRequest, rpc.WatchResponse),
  },
  'etcdserverpb.Lease': {
    LeaseGrant: unary(rpc.LeaseGrantRequest, rpc.LeaseGrantResponse),
    LeaseRevoke: unary(rpc.LeaseRevokeRequest, rpc.LeaseRevokeResponse),
    LeaseKeepAlive: bidi(rpc.LeaseKeepAliveRequest, rpc.LeaseKeepAliveResponse),
    LeaseTimeToLive: unary(rpc.LeaseTimeToLiveRequest, rpc.LeaseTimeToLiveResponse),
    LeaseLeases: unary(rpc.LeaseLeasesRequest, rpc.LeaseLeasesResponse),
  },
  'etcdserverpb.Cluster': {
    MemberAdd: unary(rpc.MemberAddRequest, rpc.MemberAddResponse),
    MemberRemove: unary(rpc.MemberRemoveRequest, rpc.MemberRemoveResponse),
    MemberUpdate: unary(rpc.MemberUpdateRequest, rpc.MemberUpdateResponse),
    MemberList: unary(rpc.MemberListRequest, rpc.MemberListResponse),
    MemberPromote: unary(rpc.MemberPromoteRequest, rpc.MemberPromoteResponse),
  },
  'etcdserverpb.Maintenance': {
    Alarm: unary(rpc.AlarmRequest, rpc.AlarmResponse),
    Status: unary(rpc.StatusRequest, rpc.StatusResponse),
    Defragment: unary(rpc.DefragmentRequest, rpc.DefragmentResponse),
    Hash: unary(rpc.HashRequest, rpc.HashResponse),
    HashKV: unary(rpc.HashKVRequest, rpc.HashKVResponse),
    Snapshot: serverStream(rpc.SnapshotRequest, rpc.SnapshotResponse),
    MoveLeader: unary(rpc.MoveLeaderRequest, rpc.MoveLeaderResponse),
    Downgrade: unary(rpc.DowngradeRequest, rpc.DowngradeResponse),
  },
  'etcdserverpb.Auth': {
    AuthEnable: unary(rpc.AuthEnableRequest, rpc.AuthEnableResponse),
    AuthDisable: unary(rpc.AuthDisableRequest, rpc.AuthDisableResponse),
    AuthStatus: unary(rpc.AuthStatusRequest, rpc.AuthStatusResponse),
    Authenticate: unary(rpc.AuthenticateRequest, rpc.AuthenticateResponse),
    UserAdd: unary(rpc.AuthUserAddRequest, rpc.AuthUserAddResponse),
    UserGet: unary(rpc.AuthUserGetRequest, rpc.AuthUserGetResponse),
    UserList: unary(rpc.AuthUserListRequest, rpc.AuthUserListResponse),
    UserDelete: unary(rpc.AuthUserDeleteRequest, rpc.AuthUserDeleteResponse),
    UserChangePassword: unary(rpc.AuthUserChangePasswordRequest, rpc.AuthUserChangePasswordResponse),
    UserGrantRole: unary(rpc.AuthUserGrantRoleRequest, rpc.AuthUserGrantRoleResponse),
    UserRevokeRole: unary(rpc.AuthUserRevokeRoleRequest, rpc.AuthUserRevokeRoleResponse),
    RoleAdd: unary(rpc.AuthRoleAddRequest, rpc.AuthRoleAddResponse),
    RoleGet: unary(rpc.AuthRoleGetRequest, rpc.AuthRoleGetResponse),
    RoleList: unary(rpc.AuthRoleListRequest, rpc.AuthRoleListResponse),
    RoleDelete: unary(rpc.AuthRoleDeleteRequest, rpc.AuthRoleDeleteResponse),
    RoleGrantPermission: unary(rpc.AuthRoleGrantPermissionRequest, rpc.AuthRoleGrantPermissionResponse),
    RoleRevokePermission: unary(rpc.AuthRoleRevokePermissionRequest, rpc.AuthRoleRevokePermissionResponse),
  },
  'v3lockpb.Lock': {
    Lock: unary(lock.LockRequest, lock.LockResponse),
    Unlock: unary(lock.UnlockRequest, lock.UnlockResponse),
  },
  'v3electionpb.Election': {
    Campaign: unary(election.CampaignRequest, election.CampaignResponse),
    Proclaim: unary(election.ProclaimRequest, election.ProclaimResponse),
    Leader: unary(election.LeaderRequest, election.LeaderResponse),
    Observe: serverStream(election.LeaderRequest, election.LeaderResponse),
    Resign: unary(election.ResignRequest, election.ResignResponse),
  },
} as const

export type ServiceName = keyof typeof grpcServices
export type MethodName<S extends ServiceName> = keyof (typeof grpcServices)[S] & string

/** etcd's path of a method, e.g. `/etcdserverpb.KV/Range`. */
export function methodPath(service: ServiceName, method: string): string {
  return `/${service}/${method}`
}

/** Turns a message (or, for convenience, a partial one) into bytes. */
export function serializer<T>(codec: Codec<T>): (value: T) => Buffer {
  return (value) => {
    const message = codec.fromPartial(value as never)
    const bytes = codec.encode(message).finish()
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
}

export function deserializer<T>(codec: Codec<T>): (bytes: Buffer) => T {
  return (bytes) => codec.decode(bytes)
}

/**
 * grpc-js's definition of one service. `decodeRequest` lets the server check a request's size
 * before decoding it (see server.ts); a client leaves it as the plain decoder.
 */
export function serviceDefinition(
  service: ServiceName,
  decodeRequest: (spec: MethodSpec, bytes: Buffer) => unknown = (spec, bytes) => spec.request.decode(bytes),
): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {}
  for (const [name, spec] of Object.entries(grpcServices[service]) as [string, MethodSpec][]) {
    definition[name] = {
      path: methodPath(service, name),
      requestStream: spec.kind === 'bidi',
      responseStream: spec.kind !== 'unary',
      requestSerialize: serializer(spec.request),
      requestDeserialize: (bytes: Buffer) => decodeRequest(spec, bytes),
      responseSerialize: serializer(spec.response),
      responseDeserialize: deserializer(spec.response),
      originalName: name[0]!.toLowerCase() + name.slice(1),
    }
  }
  return definition
}
