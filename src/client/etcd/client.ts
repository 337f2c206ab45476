// EtcdClient: the etcd v3 API as one interface. The in-process implementation calls a member
// directly; the local-socket and gRPC ones speak a wire protocol. Every ectl command and the
// control plane use only this, so they run unchanged on any of them.
import type {
  AlarmRequest,
  AlarmResponse,
  AuthDisableResponse,
  AuthEnableResponse,
  AuthenticateRequest,
  AuthenticateResponse,
  AuthRoleAddRequest,
  AuthRoleAddResponse,
  AuthRoleDeleteRequest,
  AuthRoleDeleteResponse,
  AuthRoleGetRequest,
  AuthRoleGetResponse,
  AuthRoleGrantPermissionRequest,
  AuthRoleGrantPermissionResponse,
  AuthRoleListResponse,
  AuthRoleRevokePermissionRequest,
  AuthRoleRevokePermissionResponse,
  AuthStatusResponse,
  AuthUserAddRequest,
  AuthUserAddResponse,
  AuthUserChangePasswordRequest,
  AuthUserChangePasswordResponse,
  AuthUserDeleteRequest,
  AuthUserDeleteResponse,
  AuthUserGetRequest,
  AuthUserGetResponse,
  AuthUserGrantRoleRequest,
  AuthUserGrantRoleResponse,
  AuthUserListResponse,
  AuthUserRevokeRoleRequest,
  AuthUserRevokeRoleResponse,
  CompactionRequest,
  DefragmentResponse,
  HashResponse,
  MemberAddRequest,
  MemberAddResponse,
  MemberListRequest,
  MemberListResponse,
  MemberPromoteRequest,
  MemberPromoteResponse,
  MemberRemoveRequest,
  MemberRemoveResponse,
  MemberUpdateRequest,
  MemberUpdateResponse,
  MoveLeaderRequest,
  MoveLeaderResponse,
  SnapshotResponse,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVRequest,
  HashKVResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeRequest,
  LeaseRevokeResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  StatusResponse,
  TxnRequest,
  TxnResponse,
  WatchRequest,
  WatchResponse,
} from '../../api/proto/rpc.js'
import type {
  CampaignRequest,
  CampaignResponse,
  LeaderRequest,
  LeaderResponse,
  ProclaimRequest,
  ProclaimResponse,
  ResignRequest,
  ResignResponse,
} from '../../api/proto/v3election.js'
import type {LockRequest, LockResponse, UnlockRequest, UnlockResponse} from '../../api/proto/v3lock.js'

/** Requests are partial: absent fields take proto3 defaults (fromPartial fills them). */
export type Req<T> = Partial<T>

/**
 * A bidirectional stream, as etcd's Watch and LeaseKeepAlive are on the wire: many requests in,
 * many responses out, in order. Iterating yields responses until the stream ends; it ends with
 * an error (EtcdError) if the server or connection fails.
 */
export interface BidiStream<Request, Response> extends AsyncIterable<Response> {
  send(request: Req<Request>): void
  /** Ends the stream from this side; iteration finishes after what was already delivered. */
  close(): void
}

/**
 * A BidiStream a server transport can read without a promise per response (the engine's watch
 * streams are): responses already waiting are taken with tryNext(), and the readable listener
 * hears when more arrive or the stream ends. One reader: a stream is pulled or iterated, not both.
 */
export interface PullableStream<Request, Response> extends BidiStream<Request, Response> {
  /** The next response already waiting, or undefined (never waits). */
  tryNext(): Response | undefined
  /**
   * Once tryNext() has nothing: undefined while more may come; otherwise how the stream ended
   * (`error` undefined: cleanly).
   */
  ending(): {error: Error | undefined} | undefined
  /**
   * `listener` is called, synchronously and possibly in the middle of a write, each time a
   * response is queued or the stream ends; it should only schedule the reading. One listener at
   * a time; undefined removes it.
   */
  onReadable(listener: (() => void) | undefined): void
}

export function isPullable<Request, Response>(stream: BidiStream<Request, Response>): stream is PullableStream<Request, Response> {
  return typeof (stream as Partial<PullableStream<Request, Response>>).tryNext === 'function'
}

export type WatchStream = BidiStream<WatchRequest, WatchResponse>
export type KeepAliveStream = BidiStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>

export interface EtcdClient {
  range(req: Req<RangeRequest>): Promise<RangeResponse>
  put(req: Req<PutRequest>): Promise<PutResponse>
  deleteRange(req: Req<DeleteRangeRequest>): Promise<DeleteRangeResponse>
  txn(req: Req<TxnRequest>): Promise<TxnResponse>
  compact(req: Req<CompactionRequest>): Promise<CompactionResponse>
  hashKV(req: Req<HashKVRequest>): Promise<HashKVResponse>
  status(): Promise<StatusResponse>
  /** Releases the connection or the embedded engine; pending calls fail with `server stopped`. */
  close(): Promise<void>
}

/** The rest of the v3 API: watch and leases (etcd's Watch and Lease services). */
export interface EtcdWatchLeaseClient {
  watch(): WatchStream
  leaseGrant(req: Req<LeaseGrantRequest>): Promise<LeaseGrantResponse>
  leaseRevoke(req: Req<LeaseRevokeRequest>): Promise<LeaseRevokeResponse>
  leaseKeepAlive(): KeepAliveStream
  leaseTimeToLive(req: Req<LeaseTimeToLiveRequest>): Promise<LeaseTimeToLiveResponse>
  leaseLeases(): Promise<LeaseLeasesResponse>
}

// The remaining services. Each method is its gRPC method's name in lowerCamel case
// (Maintenance/Defragment -> defragment), so a client or server can be derived from the method
// table in src/api/grpc-methods.ts.

/** etcd's Maintenance service (Status and HashKV are on EtcdClient). */
export interface EtcdMaintenanceClient {
  alarm(req: Req<AlarmRequest>): Promise<AlarmResponse>
  defragment(): Promise<DefragmentResponse>
  hash(): Promise<HashResponse>
  /** The backend as a stream of chunks; the last carries remaining_bytes 0 and the checksum. */
  snapshot(): AsyncIterable<SnapshotResponse>
  moveLeader(req: Req<MoveLeaderRequest>): Promise<MoveLeaderResponse>
}

/** etcd's Cluster service. */
export interface EtcdClusterClient {
  memberList(req: Req<MemberListRequest>): Promise<MemberListResponse>
  memberAdd(req: Req<MemberAddRequest>): Promise<MemberAddResponse>
  memberRemove(req: Req<MemberRemoveRequest>): Promise<MemberRemoveResponse>
  memberUpdate(req: Req<MemberUpdateRequest>): Promise<MemberUpdateResponse>
  memberPromote(req: Req<MemberPromoteRequest>): Promise<MemberPromoteResponse>
}

/** etcd's Auth service. */
export interface EtcdAuthClient {
  authEnable(): Promise<AuthEnableResponse>
  authDisable(): Promise<AuthDisableResponse>
  authStatus(): Promise<AuthStatusResponse>
  authenticate(req: Req<AuthenticateRequest>): Promise<AuthenticateResponse>
  userAdd(req: Req<AuthUserAddRequest>): Promise<AuthUserAddResponse>
  userGet(req: Req<AuthUserGetRequest>): Promise<AuthUserGetResponse>
  userList(): Promise<AuthUserListResponse>
  userDelete(req: Req<AuthUserDeleteRequest>): Promise<AuthUserDeleteResponse>
  userChangePassword(req: Req<AuthUserChangePasswordRequest>): Promise<AuthUserChangePasswordResponse>
  userGrantRole(req: Req<AuthUserGrantRoleRequest>): Promise<AuthUserGrantRoleResponse>
  userRevokeRole(req: Req<AuthUserRevokeRoleRequest>): Promise<AuthUserRevokeRoleResponse>
  roleAdd(req: Req<AuthRoleAddRequest>): Promise<AuthRoleAddResponse>
  roleGet(req: Req<AuthRoleGetRequest>): Promise<AuthRoleGetResponse>
  roleList(): Promise<AuthRoleListResponse>
  roleDelete(req: Req<AuthRoleDeleteRequest>): Promise<AuthRoleDeleteResponse>
  roleGrantPermission(req: Req<AuthRoleGrantPermissionRequest>): Promise<AuthRoleGrantPermissionResponse>
  roleRevokePermission(req: Req<AuthRoleRevokePermissionRequest>): Promise<AuthRoleRevokePermissionResponse>
}

/** etcd's v3lock Lock and v3election Election services (server-side recipes). */
export interface EtcdLockElectionClient {
  lock(req: Req<LockRequest>): Promise<LockResponse>
  unlock(req: Req<UnlockRequest>): Promise<UnlockResponse>
  campaign(req: Req<CampaignRequest>): Promise<CampaignResponse>
  proclaim(req: Req<ProclaimRequest>): Promise<ProclaimResponse>
  leader(req: Req<LeaderRequest>): Promise<LeaderResponse>
  /** Leader changes of an election, the current leader first. */
  observe(req: Req<LeaderRequest>): AsyncIterable<LeaderResponse>
  resign(req: Req<ResignRequest>): Promise<ResignResponse>
}

/** Everything etcd's v3 API offers: what the gRPC client and a full server implement. */
export type FullEtcdClient = EtcdClient &
  EtcdWatchLeaseClient &
  EtcdMaintenanceClient &
  EtcdClusterClient &
  EtcdAuthClient &
  EtcdLockElectionClient
