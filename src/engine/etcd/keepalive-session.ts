// One LeaseKeepAlive stream of the in-process API (etcd's LeaseServer.LeaseKeepAlive): each
// request renews a lease and is answered, in order, with the lease's TTL, or TTL 0 for a lease
// that does not exist or has expired (etcd turns ErrLeaseNotFound into TTL 0 on this stream).
import {EtcdError, ErrorMessage, Errors, GrpcCode} from '../../api/errors.js'
import {LeaseKeepAliveRequest, type LeaseKeepAliveResponse} from '../../api/proto/rpc.js'
import type {KeepAliveStream, Req} from '../../client/etcd/client.js'
import {AsyncQueue} from '../../util/async-queue.js'
import type {MemberApi} from './member-api.js'

/** Requests waiting plus responses not yet read, per stream, beyond which the stream fails. */
export const MAX_KEEPALIVE_BACKLOG = 1024

export const keepAliveBacklogMessage = 'etcdserver: too many keep-alive requests in flight on one stream'

export class KeepAliveSession implements KeepAliveStream {
  private readonly responses = new AsyncQueue<LeaseKeepAliveResponse>()
  private readonly pending: bigint[] = []
  private renewing = false
  private ended = false

  /** `onEnd` runs once, when the stream ends for any reason. */
  constructor(
    private readonly member: MemberApi,
    private readonly onEnd: (session: KeepAliveSession) => void = () => undefined,
  ) {}

  send(request: Req<LeaseKeepAliveRequest>): void {
    if (this.ended) return
    if (this.pending.length + this.responses.length >= MAX_KEEPALIVE_BACKLOG) {
      this.fail(new EtcdError(GrpcCode.RESOURCE_EXHAUSTED, keepAliveBacklogMessage))
      return
    }
    this.pending.push(LeaseKeepAliveRequest.fromPartial(request).ID)
    if (!this.renewing) void this.renewPending()
  }

  close(): void {
    if (this.ended) return
    this.ended = true
    this.pending.length = 0
    this.responses.end()
    this.onEnd(this)
  }

  /** Ends the stream with an error after what was already delivered (e.g. the engine stopped). */
  fail(error: Error): void {
    if (this.ended) return
    this.ended = true
    this.pending.length = 0
    this.responses.fail(error)
    this.onEnd(this)
  }

  [Symbol.asyncIterator](): AsyncIterator<LeaseKeepAliveResponse> {
    return this.responses[Symbol.asyncIterator]()
  }

  /** Renews one request at a time, so responses come in the order of the requests. */
  private async renewPending(): Promise<void> {
    this.renewing = true
    try {
      while (this.pending.length > 0 && !this.ended) {
        const id = this.pending.shift()!
        let ttlSeconds: number
        try {
          ttlSeconds = await this.member.leaseRenew(id)
        } catch (error) {
          if (!(error instanceof EtcdError && error.message === ErrorMessage.leaseNotFound)) {
            this.fail(error instanceof Error ? error : Errors.stopped())
            return
          }
          ttlSeconds = 0
        }
        if (!this.ended) this.responses.push({header: this.member.header(), ID: id, TTL: BigInt(ttlSeconds)})
      }
    } finally {
      this.renewing = false
    }
  }
}
