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
