// EtcdClient: the etcd v3 API as one interface. The in-process implementation calls a member
// directly; the local-socket and gRPC ones speak a wire protocol. Every ectl command and the
// control plane use only this, so they run unchanged on any of them.
import type {
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVRequest,
  HashKVResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  StatusResponse,
  TxnRequest,
  TxnResponse,
} from '../../api/proto/rpc.js'

/** Requests are partial: absent fields take proto3 defaults (fromPartial fills them). */
export type Req<T> = Partial<T>

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
