// The local-socket protocol: how the process holding a data dir serves the v3 API to other
// processes on the same machine: unary calls, and bidirectional streams (Watch, LeaseKeepAlive).
//
//   frame   := u32 bodyLength, body            (big-endian; bodyLength <= maxFrameBytes)
//   body    := u32 callId, u8 kind, u8 methodLength, method (ASCII), payload
//   kind    := 1 request | 2 response | 3 error (payload = u8 gRPC code, UTF-8 message)
//            | 4 not applied (this call was refused unapplied: the holder is leaving; retry)
//            | 5 goodbye (callId 0: every call not yet answered was not applied; retry them)
//            | 6 stream open (client: callId is the new stream's id; method names the stream)
//            | 7 stream message (either way: one request or one response of that stream)
//            | 8 stream end (either way; from the holder an error payload as kind 3, or empty
//              when it is leaving: the client reopens the stream on the next holder)
//            | 9 hello (callId 0: the holder accepted this connection; clients send nothing before
//              it, so a connection dropped before hello carried no request and is safe to redo)
//   payload := the protobuf encoding of the method's request or response message
import {EtcdError, type GrpcCodeValue} from './errors.js'
import {
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVRequest,
  HashKVResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseLeasesRequest,
  LeaseLeasesResponse,
  LeaseRevokeRequest,
  LeaseRevokeResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  StatusRequest,
  StatusResponse,
  TxnRequest,
  TxnResponse,
  WatchRequest,
  WatchResponse,
} from './proto/rpc.js'
import * as rpc from './proto/rpc.js'

export const FrameKind = {request: 1, response: 2, error: 3, notApplied: 4, goodbye: 5, streamOpen: 6, streamMessage: 7, streamEnd: 8, hello: 9} as const
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind]

/** Largest frame accepted: a response may carry a large range, a request is checked later. */
export const maxFrameBytes = 512 * 1024 * 1024

interface Codec<T> {
  encode(message: T): {finish(): Uint8Array}
  decode(input: Uint8Array): T
}

/** Unary methods, named as the gRPC methods of etcd's services. */
export const unaryMethods = {
  Range: {request: RangeRequest as Codec<RangeRequest>, response: RangeResponse as Codec<RangeResponse>},
  Put: {request: PutRequest as Codec<PutRequest>, response: PutResponse as Codec<PutResponse>},
  DeleteRange: {request: DeleteRangeRequest as Codec<DeleteRangeRequest>, response: DeleteRangeResponse as Codec<DeleteRangeResponse>},
  Txn: {request: TxnRequest as Codec<TxnRequest>, response: TxnResponse as Codec<TxnResponse>},
  Compact: {request: CompactionRequest as Codec<CompactionRequest>, response: CompactionResponse as Codec<CompactionResponse>},
  HashKV: {request: HashKVRequest as Codec<HashKVRequest>, response: HashKVResponse as Codec<HashKVResponse>},
  Status: {request: StatusRequest as Codec<StatusRequest>, response: StatusResponse as Codec<StatusResponse>},
  LeaseGrant: {request: LeaseGrantRequest as Codec<LeaseGrantRequest>, response: LeaseGrantResponse as Codec<LeaseGrantResponse>},
  LeaseRevoke: {request: LeaseRevokeRequest as Codec<LeaseRevokeRequest>, response: LeaseRevokeResponse as Codec<LeaseRevokeResponse>},
  LeaseTimeToLive: {request: LeaseTimeToLiveRequest as Codec<LeaseTimeToLiveRequest>, response: LeaseTimeToLiveResponse as Codec<LeaseTimeToLiveResponse>},
  LeaseLeases: {request: LeaseLeasesRequest as Codec<LeaseLeasesRequest>, response: LeaseLeasesResponse as Codec<LeaseLeasesResponse>},
  // etcd's Auth service (the data dir's processes act as root)
  AuthEnable: {request: rpc.AuthEnableRequest as Codec<rpc.AuthEnableRequest>, response: rpc.AuthEnableResponse as Codec<rpc.AuthEnableResponse>},
  AuthDisable: {request: rpc.AuthDisableRequest as Codec<rpc.AuthDisableRequest>, response: rpc.AuthDisableResponse as Codec<rpc.AuthDisableResponse>},
  AuthStatus: {request: rpc.AuthStatusRequest as Codec<rpc.AuthStatusRequest>, response: rpc.AuthStatusResponse as Codec<rpc.AuthStatusResponse>},
  Authenticate: {request: rpc.AuthenticateRequest as Codec<rpc.AuthenticateRequest>, response: rpc.AuthenticateResponse as Codec<rpc.AuthenticateResponse>},
  UserAdd: {request: rpc.AuthUserAddRequest as Codec<rpc.AuthUserAddRequest>, response: rpc.AuthUserAddResponse as Codec<rpc.AuthUserAddResponse>},
  UserGet: {request: rpc.AuthUserGetRequest as Codec<rpc.AuthUserGetRequest>, response: rpc.AuthUserGetResponse as Codec<rpc.AuthUserGetResponse>},
  UserList: {request: rpc.AuthUserListRequest as Codec<rpc.AuthUserListRequest>, response: rpc.AuthUserListResponse as Codec<rpc.AuthUserListResponse>},
  UserDelete: {request: rpc.AuthUserDeleteRequest as Codec<rpc.AuthUserDeleteRequest>, response: rpc.AuthUserDeleteResponse as Codec<rpc.AuthUserDeleteResponse>},
  UserChangePassword: {request: rpc.AuthUserChangePasswordRequest as Codec<rpc.AuthUserChangePasswordRequest>, response: rpc.AuthUserChangePasswordResponse as Codec<rpc.AuthUserChangePasswordResponse>},
  UserGrantRole: {request: rpc.AuthUserGrantRoleRequest as Codec<rpc.AuthUserGrantRoleRequest>, response: rpc.AuthUserGrantRoleResponse as Codec<rpc.AuthUserGrantRoleResponse>},
  UserRevokeRole: {request: rpc.AuthUserRevokeRoleRequest as Codec<rpc.AuthUserRevokeRoleRequest>, response: rpc.AuthUserRevokeRoleResponse as Codec<rpc.AuthUserRevokeRoleResponse>},
  RoleAdd: {request: rpc.AuthRoleAddRequest as Codec<rpc.AuthRoleAddRequest>, response: rpc.AuthRoleAddResponse as Codec<rpc.AuthRoleAddResponse>},
  RoleGet: {request: rpc.AuthRoleGetRequest as Codec<rpc.AuthRoleGetRequest>, response: rpc.AuthRoleGetResponse as Codec<rpc.AuthRoleGetResponse>},
  RoleList: {request: rpc.AuthRoleListRequest as Codec<rpc.AuthRoleListRequest>, response: rpc.AuthRoleListResponse as Codec<rpc.AuthRoleListResponse>},
  RoleDelete: {request: rpc.AuthRoleDeleteRequest as Codec<rpc.AuthRoleDeleteRequest>, response: rpc.AuthRoleDeleteResponse as Codec<rpc.AuthRoleDeleteResponse>},
  RoleGrantPermission: {request: rpc.AuthRoleGrantPermissionRequest as Codec<rpc.AuthRoleGrantPermissionRequest>, response: rpc.AuthRoleGrantPermissionResponse as Codec<rpc.AuthRoleGrantPermissionResponse>},
  RoleRevokePermission: {request: rpc.AuthRoleRevokePermissionRequest as Codec<rpc.AuthRoleRevokePermissionRequest>, response: rpc.AuthRoleRevokePermissionResponse as Codec<rpc.AuthRoleRevokePermissionResponse>},
} as const
export type UnaryMethod = keyof typeof unaryMethods

/** Bidirectional streams. */
export const streamMethods = {
  Watch: {request: WatchRequest as Codec<WatchRequest>, response: WatchResponse as Codec<WatchResponse>},
  LeaseKeepAlive: {request: LeaseKeepAliveRequest as Codec<LeaseKeepAliveRequest>, response: LeaseKeepAliveResponse as Codec<LeaseKeepAliveResponse>},
} as const
export type StreamMethod = keyof typeof streamMethods

/** Encodes any generated message through its codec (the codecs' types differ per message). */
export function encodeMessage(codec: {encode(message: never): {finish(): Uint8Array}}, message: unknown): Uint8Array {
  return (codec.encode as (m: unknown) => {finish(): Uint8Array})(message).finish()
}

export interface Frame {
  callId: number
  kind: FrameKindValue
  method: string
  payload: Uint8Array
}

export function encodeFrame(frame: Frame): Buffer {
  const method = Buffer.from(frame.method, 'ascii')
  const bodyLength = 4 + 1 + 1 + method.length + frame.payload.length
  const out = Buffer.allocUnsafe(4 + bodyLength)
  out.writeUInt32BE(bodyLength, 0)
  out.writeUInt32BE(frame.callId, 4)
  out.writeUInt8(frame.kind, 8)
  out.writeUInt8(method.length, 9)
  method.copy(out, 10)
  out.set(frame.payload, 10 + method.length)
  return out
}

export function encodeError(callId: number, error: unknown): Buffer {
  const code = error instanceof EtcdError ? error.code : 2
  const message = error instanceof Error ? error.message : String(error)
  const text = Buffer.from(message, 'utf8')
  const payload = Buffer.allocUnsafe(1 + text.length)
  payload.writeUInt8(code, 0)
  text.copy(payload, 1)
  return encodeFrame({callId, kind: FrameKind.error, method: '', payload})
}

export function decodeError(payload: Uint8Array): EtcdError {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  return new EtcdError(bytes.readUInt8(0) as GrpcCodeValue, bytes.subarray(1).toString('utf8'))
}

/** Splits a byte stream into frames; throws on a frame over the limit or a malformed body. */
export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    const frames: Frame[] = []
    while (this.buffered >= 4) {
      const head = this.peek(4)
      const bodyLength = head.readUInt32BE(0)
      if (bodyLength > maxFrameBytes || bodyLength < 6) throw new Error(`local rpc: bad frame length ${bodyLength}`)
      if (this.buffered < 4 + bodyLength) break
      const frame = this.take(4 + bodyLength)
      const methodLength = frame.readUInt8(9)
      if (10 + methodLength > frame.length) throw new Error('local rpc: malformed frame')
      frames.push({
        callId: frame.readUInt32BE(4),
        kind: frame.readUInt8(8) as FrameKindValue,
        method: frame.toString('ascii', 10, 10 + methodLength),
        payload: frame.subarray(10 + methodLength),
      })
    }
    return frames
  }

  private peek(length: number): Buffer {
    if (this.chunks[0].length < length) this.chunks = [Buffer.concat(this.chunks)]
    return this.chunks[0]
  }

  private take(length: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks)
    const taken = all.subarray(0, length)
    const rest = all.subarray(length)
    this.chunks = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
    return taken
  }
}

/**
 * The address the holder of a data dir listens on: a Linux abstract socket named after the
 * data dir's real path. Binding it is also the lock — the kernel lets one process bind a name,
 * and frees it the moment that process dies, even by kill -9, so no stale lock file is left.
 */
export function localSocketAddress(realDataDir: string, hash: (text: string) => string): string {
  return `\0ectl-datadir-${hash(realDataDir)}`
}
