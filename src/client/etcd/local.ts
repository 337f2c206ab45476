// EtcdClient over the local socket of the process that holds a data dir.
import {connect, type Socket} from 'node:net'
import {EtcdError, GrpcCode} from '../../api/errors.js'
import {decodeError, encodeFrame, FrameKind, FrameReader, type UnaryMethod, unaryMethods} from '../../api/local_rpc.js'
import {
  CompactionRequest,
  type CompactionResponse,
  DeleteRangeRequest,
  type DeleteRangeResponse,
  HashKVRequest,
  type HashKVResponse,
  PutRequest,
  type PutResponse,
  RangeRequest,
  type RangeResponse,
  StatusRequest,
  type StatusResponse,
  TxnRequest,
  type TxnResponse,
} from '../../api/proto/rpc.js'
import type {EtcdClient, Req} from './client.js'

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

export class LocalSocketClient implements EtcdClient {
  private nextCallId = 1
  private readonly pending = new Map<number, PendingCall>()
  private closed = false
  /** The holder said goodbye: unanswered calls were not applied. */
  private leaving = false

  private constructor(private readonly socket: Socket) {
    const reader = new FrameReader()
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) this.settle(frame.callId, frame.kind, frame.payload)
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
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        socket.setNoDelay(true)
        resolve(new LocalSocketClient(socket))
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

  private settle(callId: number, kind: number, payload: Uint8Array): void {
    if (kind === FrameKind.goodbye) {
      this.leaving = true
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
  }
}
