// EtcdClient over the local socket of the process that holds a data dir.
import {connect, type Socket} from 'node:net'
import {EtcdError, GrpcCode} from '../../api/errors.js'
import {
  decodeError,
  encodeFrame,
  encodeMessage,
  FrameKind,
  FrameReader,
  type StreamMethod,
  streamMethods,
  type UnaryMethod,
  unaryMethods,
} from '../../api/local_rpc.js'
import {AsyncQueue} from '../../util/async-queue.js'
import {
  CompactionRequest,
  type CompactionResponse,
  DeleteRangeRequest,
  type DeleteRangeResponse,
  HashKVRequest,
  type HashKVResponse,
  LeaseGrantRequest,
  type LeaseGrantResponse,
  type LeaseKeepAliveRequest,
  type LeaseKeepAliveResponse,
  LeaseLeasesRequest,
  type LeaseLeasesResponse,
  LeaseRevokeRequest,
  type LeaseRevokeResponse,
  LeaseTimeToLiveRequest,
  type LeaseTimeToLiveResponse,
  PutRequest,
  type PutResponse,
  RangeRequest,
  type RangeResponse,
  StatusRequest,
  type StatusResponse,
  TxnRequest,
  type TxnResponse,
  type WatchRequest,
  type WatchResponse,
} from '../../api/proto/rpc.js'
import * as rpc from '../../api/proto/rpc.js'
import type {BidiStream, EtcdAuthClient, EtcdClient, EtcdWatchLeaseClient, KeepAliveStream, Req, WatchStream} from './client.js'

/** The connection closed after the request was sent: it may or may not have been applied. */
export class HolderGoneError extends EtcdError {
  constructor() {
    super(GrpcCode.UNAVAILABLE, 'the process holding the data dir exited before answering; the request may or may not have been applied')
  }
}

/** The holder refused the call without applying it (it is handing the data dir over): retry. */
export class NotAppliedError extends EtcdError {
  constructor() {
    super(GrpcCode.UNAVAILABLE, 'the process holding the data dir is exiting; the request was not applied')
  }
}

interface PendingCall {
  method: UnaryMethod
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

export class LocalSocketClient implements EtcdClient, EtcdWatchLeaseClient, EtcdAuthClient {
  private nextCallId = 1
  private readonly pending = new Map<number, PendingCall>()
  private readonly streams = new Map<number, AsyncQueue<unknown>>()
  private closed = false
  /** The holder said goodbye: unanswered calls were not applied. */
  private leaving = false

  private constructor(private readonly socket: Socket) {
    const reader = new FrameReader()
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) this.settle(frame.callId, frame.kind, frame.method, frame.payload)
      } catch (error) {
        socket.destroy(error as Error)
      }
    })
    socket.on('close', () => this.failAll(this.leaving ? new NotAppliedError() : new HolderGoneError()))
    socket.on('error', () => undefined)
  }

  /** Connects, or rejects with the socket error (ECONNREFUSED when the holder is gone). */
  static connect(address: string): Promise<LocalSocketClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(address)
      const fail = (error?: Error) => reject(error ?? new Error('the data dir holder closed the connection before accepting it'))
      socket.once('error', fail)
      socket.once('close', () => fail())
      // Resolve only on the holder's hello: a connection reset before it carried no request.
      socket.once('data', (first: Buffer) => {
        socket.off('error', fail)
        socket.removeAllListeners('close')
        socket.setNoDelay(true)
        const client = new LocalSocketClient(socket)
        socket.emit('data', first)
        resolve(client)
      })
    })
  }

  range(req: Req<RangeRequest>): Promise<RangeResponse> {
    return this.call('Range', RangeRequest.fromPartial(req))
  }
  put(req: Req<PutRequest>): Promise<PutResponse> {
    return this.call('Put', PutRequest.fromPartial(req))
  }
  deleteRange(req: Req<DeleteRangeRequest>): Promise<DeleteRangeResponse> {
    return this.call('DeleteRange', DeleteRangeRequest.fromPartial(req))
  }
  txn(req: Req<TxnRequest>): Promise<TxnResponse> {
    return this.call('Txn', TxnRequest.fromPartial(req))
  }
  compact(req: Req<CompactionRequest>): Promise<CompactionResponse> {
    return this.call('Compact', CompactionRequest.fromPartial(req))
  }
  hashKV(req: Req<HashKVRequest>): Promise<HashKVResponse> {
    return this.call('HashKV', HashKVRequest.fromPartial(req))
  }
  status(): Promise<StatusResponse> {
    return this.call('Status', StatusRequest.fromPartial({}))
  }
  leaseGrant(req: Req<LeaseGrantRequest>): Promise<LeaseGrantResponse> {
    return this.call('LeaseGrant', LeaseGrantRequest.fromPartial(req))
  }
  leaseRevoke(req: Req<LeaseRevokeRequest>): Promise<LeaseRevokeResponse> {
    return this.call('LeaseRevoke', LeaseRevokeRequest.fromPartial(req))
  }
  leaseTimeToLive(req: Req<LeaseTimeToLiveRequest>): Promise<LeaseTimeToLiveResponse> {
    return this.call('LeaseTimeToLive', LeaseTimeToLiveRequest.fromPartial(req))
  }
  leaseLeases(): Promise<LeaseLeasesResponse> {
    return this.call('LeaseLeases', LeaseLeasesRequest.fromPartial({}))
  }
  // etcd's Auth service
  authEnable: EtcdAuthClient['authEnable'] = () => this.call('AuthEnable', rpc.AuthEnableRequest.fromPartial({}))
  authDisable: EtcdAuthClient['authDisable'] = () => this.call('AuthDisable', rpc.AuthDisableRequest.fromPartial({}))
  authStatus: EtcdAuthClient['authStatus'] = () => this.call('AuthStatus', rpc.AuthStatusRequest.fromPartial({}))
  authenticate: EtcdAuthClient['authenticate'] = (req) => this.call('Authenticate', rpc.AuthenticateRequest.fromPartial(req))
  userAdd: EtcdAuthClient['userAdd'] = (req) => this.call('UserAdd', rpc.AuthUserAddRequest.fromPartial(req))
  userGet: EtcdAuthClient['userGet'] = (req) => this.call('UserGet', rpc.AuthUserGetRequest.fromPartial(req))
  userList: EtcdAuthClient['userList'] = () => this.call('UserList', rpc.AuthUserListRequest.fromPartial({}))
  userDelete: EtcdAuthClient['userDelete'] = (req) => this.call('UserDelete', rpc.AuthUserDeleteRequest.fromPartial(req))
  userChangePassword: EtcdAuthClient['userChangePassword'] = (req) => this.call('UserChangePassword', rpc.AuthUserChangePasswordRequest.fromPartial(req))
  userGrantRole: EtcdAuthClient['userGrantRole'] = (req) => this.call('UserGrantRole', rpc.AuthUserGrantRoleRequest.fromPartial(req))
  userRevokeRole: EtcdAuthClient['userRevokeRole'] = (req) => this.call('UserRevokeRole', rpc.AuthUserRevokeRoleRequest.fromPartial(req))
  roleAdd: EtcdAuthClient['roleAdd'] = (req) => this.call('RoleAdd', rpc.AuthRoleAddRequest.fromPartial(req))
  roleGet: EtcdAuthClient['roleGet'] = (req) => this.call('RoleGet', rpc.AuthRoleGetRequest.fromPartial(req))
  roleList: EtcdAuthClient['roleList'] = () => this.call('RoleList', rpc.AuthRoleListRequest.fromPartial({}))
  roleDelete: EtcdAuthClient['roleDelete'] = (req) => this.call('RoleDelete', rpc.AuthRoleDeleteRequest.fromPartial(req))
  roleGrantPermission: EtcdAuthClient['roleGrantPermission'] = (req) => this.call('RoleGrantPermission', rpc.AuthRoleGrantPermissionRequest.fromPartial(req))
  roleRevokePermission: EtcdAuthClient['roleRevokePermission'] = (req) => this.call('RoleRevokePermission', rpc.AuthRoleRevokePermissionRequest.fromPartial(req))

  watch(): WatchStream {
    return this.openStream<WatchRequest, WatchResponse>('Watch')
  }
  leaseKeepAlive(): KeepAliveStream {
    return this.openStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>('LeaseKeepAlive')
  }

  /**
   * Opens a stream on the holder. It fails with NotAppliedError when the holder leaves and with
   * HolderGoneError when the connection drops: both mean "reopen it on the next holder".
   */
  private openStream<Request, Response>(method: StreamMethod): BidiStream<Request, Response> {
    const id = this.nextCallId++
    const responses = new AsyncQueue<Response>()
    const codec = streamMethods[method]
    if (this.closed || this.socket.destroyed || this.leaving) {
      responses.fail(new NotAppliedError())
    } else {
      this.streams.set(id, responses as AsyncQueue<unknown>)
      this.socket.write(encodeFrame({callId: id, kind: FrameKind.streamOpen, method, payload: new Uint8Array(0)}))
    }
    return {
      send: (request) => {
        if (responses.done || !this.socket.writable) return
        const payload = encodeMessage(codec.request, (codec.request as unknown as {fromPartial(m: unknown): unknown}).fromPartial(request))
        this.socket.write(encodeFrame({callId: id, kind: FrameKind.streamMessage, method, payload}))
      },
      close: () => {
        if (!this.streams.delete(id)) return
        responses.end()
        if (this.socket.writable) this.socket.write(encodeFrame({callId: id, kind: FrameKind.streamEnd, method, payload: new Uint8Array(0)}))
      },
      [Symbol.asyncIterator]: () => responses[Symbol.asyncIterator](),
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.socket.end()
  }

  private call<T>(method: UnaryMethod, request: unknown): Promise<T> {
    if (this.closed || this.socket.destroyed || this.leaving) return Promise.reject(new NotAppliedError())
    const callId = this.nextCallId++
    const payload = (unaryMethods[method].request.encode as (m: unknown) => {finish(): Uint8Array})(request).finish()
    return new Promise<T>((resolve, reject) => {
      this.pending.set(callId, {method, resolve: resolve as (value: unknown) => void, reject})
      this.socket.write(encodeFrame({callId, kind: FrameKind.request, method, payload}))
    })
  }

  private settle(callId: number, kind: number, method: string, payload: Uint8Array): void {
    if (kind === FrameKind.hello) return
    if (kind === FrameKind.goodbye) {
      this.leaving = true
      return
    }
    if (kind === FrameKind.streamMessage) {
      const codec = streamMethods[method as StreamMethod]
      if (codec) this.streams.get(callId)?.push(codec.response.decode(payload))
      return
    }
    if (kind === FrameKind.streamEnd) {
      const stream = this.streams.get(callId)
      this.streams.delete(callId)
      stream?.fail(payload.length > 0 ? decodeError(payload) : new NotAppliedError())
      return
    }
    const call = this.pending.get(callId)
    if (!call) return
    this.pending.delete(callId)
    if (kind === FrameKind.error) call.reject(decodeError(payload))
    else if (kind === FrameKind.notApplied) call.reject(new NotAppliedError())
    else call.resolve(unaryMethods[call.method].response.decode(payload))
  }

  private failAll(error: Error): void {
    for (const call of this.pending.values()) call.reject(error)
    this.pending.clear()
    for (const stream of this.streams.values()) stream.fail(error)
    this.streams.clear()
  }
}
