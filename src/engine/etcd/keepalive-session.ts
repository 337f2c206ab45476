// One LeaseKeepAlive stream of the in-process API (etcd's LeaseServer.LeaseKeepAlive): each
// request renews a lease and is answered, in order, with the lease's TTL, or TTL 0 for a lease
// that does not exist or has expired (etcd turns ErrLeaseNotFound into TTL 0 on this stream).
//
// A renewal the member can answer at once (the lease is held here and has not expired: nearly
// every one) is answered inside send(), with no promise; one that must wait (an expired lease
// whose revoke is on its way, a follower forwarding to its leader) goes through the member's
// async leaseRenew, and the requests after it wait behind it so answers keep request order.
// The responses can be pulled (PullableStream: the server's fast path takes every waiting
// answer in one turn) or iterated.
import {EtcdError, ErrorMessage, Errors, GrpcCode} from '../../api/errors.js'
import type {LeaseKeepAliveRequest, LeaseKeepAliveResponse} from '../../api/proto/rpc.js'
import type {KeepAliveStream, PullableStream, Req} from '../../client/etcd/client.js'
import type {MemberApi} from './member-api.js'

/** Requests waiting plus responses not yet read, per stream, beyond which the stream fails. */
export const MAX_KEEPALIVE_BACKLOG = 1024

export const keepAliveBacklogMessage = 'etcdserver: too many keep-alive requests in flight on one stream'

interface Waiter {
  resolve(result: IteratorResult<LeaseKeepAliveResponse>): void
  reject(error: Error): void
}

export class KeepAliveSession implements KeepAliveStream, PullableStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse> {
  /** Answers not yet read, oldest first from `head`. */
  private responses: LeaseKeepAliveResponse[] = []
  private head = 0
  /** Lease ids whose renewal waits behind one the member could not answer at once. */
  private readonly pending: bigint[] = []
  private renewing = false
  private ended = false
  private endError: Error | undefined
  private waiter: Waiter | undefined
  private readable: (() => void) | undefined

  /** `onEnd` runs once, when the stream ends for any reason. */
  constructor(
    private readonly member: MemberApi,
    private readonly onEnd: (session: KeepAliveSession) => void = () => undefined,
  ) {}

  send(request: Req<LeaseKeepAliveRequest>): void {
    if (this.ended) return
    if (this.pending.length + this.queued >= MAX_KEEPALIVE_BACKLOG) {
      this.fail(new EtcdError(GrpcCode.RESOURCE_EXHAUSTED, keepAliveBacklogMessage))
      return
    }
    const id = request.ID ?? 0n
    if (!this.renewing) {
      const ttlSeconds = this.member.tryLeaseRenew(id)
      if (ttlSeconds !== undefined) {
        this.respond(id, ttlSeconds)
        return
      }
    }
    this.pending.push(id)
    if (!this.renewing) void this.renewPending()
  }

  close(): void {
    this.end(undefined)
  }

  /** Ends the stream with an error after what was already delivered (e.g. the engine stopped). */
  fail(error: Error): void {
    this.end(error)
  }

  // ---- the reading side ----

  tryNext(): LeaseKeepAliveResponse | undefined {
    if (this.head === this.responses.length) return undefined
    const response = this.responses[this.head]!
    this.responses[this.head++] = undefined as never
    if (this.head === this.responses.length) {
      this.responses = []
      this.head = 0
    }
    return response
  }

  ending(): {error: Error | undefined} | undefined {
    return this.ended && this.head === this.responses.length ? {error: this.endError} : undefined
  }

  onReadable(listener: (() => void) | undefined): void {
    this.readable = listener
  }

  next(): Promise<IteratorResult<LeaseKeepAliveResponse>> {
    const response = this.tryNext()
    if (response !== undefined) return Promise.resolve({value: response, done: false})
    if (this.ended) return this.endError === undefined ? Promise.resolve({value: undefined, done: true}) : Promise.reject(this.endError)
    return new Promise((resolve, reject) => (this.waiter = {resolve, reject}))
  }

  [Symbol.asyncIterator](): AsyncIterator<LeaseKeepAliveResponse> {
    return {
      next: () => this.next(),
      return: () => {
        this.close()
        return Promise.resolve({value: undefined, done: true})
      },
    }
  }

  // ---- helpers ----

  private get queued(): number {
    return this.responses.length - this.head
  }

  private respond(id: bigint, ttlSeconds: number): void {
    const response: LeaseKeepAliveResponse = {header: this.member.header(), ID: id, TTL: BigInt(ttlSeconds)}
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter.resolve({value: response, done: false})
      return
    }
    this.responses.push(response)
    this.readable?.()
  }

  /** Ends the stream: requests not yet renewed are dropped, answers already made can still be read. */
  private end(error: Error | undefined): void {
    if (this.ended) return
    this.ended = true
    this.endError = error
    this.pending.length = 0
    // a waiter exists only while nothing is queued
    const waiter = this.waiter
    this.waiter = undefined
    if (waiter !== undefined) {
      if (error === undefined) waiter.resolve({value: undefined, done: true})
      else waiter.reject(error)
    }
    this.readable?.()
    this.onEnd(this)
  }

  /** Renews the waiting requests one at a time, so responses come in the order of the requests. */
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
        if (!this.ended) this.respond(id, ttlSeconds)
      }
    } finally {
      this.renewing = false
    }
  }
}
