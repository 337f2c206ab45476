// A session (etcd's concurrency.Session): a lease kept alive in the background for as long as
// this process wants it. Locks and elections hang their keys on it, so if the process dies the
// lease expires after its TTL and every key it held goes with it.
//
// Keep-alive follows clientv3: a renewal is sent at once and then a third of the TTL after each
// answer; an answer with TTL <= 0 (the lease is gone) or no answer within the TTL ends the
// session. `done` resolves when the session ends for any reason: lost, orphaned or closed.
import assert from 'node:assert/strict'
import type {KeepAliveStream} from '../client.js'
import type {ConcurrencyClient} from './client.js'

/** etcd's concurrency default (etcdctl lock and elect pass their own). */
export const DEFAULT_SESSION_TTL_SECONDS = 60

export interface SessionOptions {
  ttlSeconds?: number
  /** Adopt an existing lease instead of granting one. */
  leaseId?: bigint
  /**
   * Keep the lease alive (default). A server acting for a client (etcd's Lock and Election
   * services) passes false: the client that owns the lease keeps it alive, and its keys go
   * when that client stops.
   */
  keepAlive?: boolean
}

export type SessionEnd = 'lost' | 'orphaned'

export class Session {
  /** Resolves when the lease is no longer kept alive: `lost` (expired, revoked, unreachable) or `orphaned` (by us). */
  readonly done: Promise<SessionEnd>
  private resolveDone!: (end: SessionEnd) => void
  private ended: SessionEnd | undefined
  private stream: KeepAliveStream | undefined
  private renewTimer: ReturnType<typeof setTimeout> | undefined
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined

  private constructor(
    readonly client: ConcurrencyClient,
    readonly leaseId: bigint,
    readonly ttlSeconds: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
  }

  /** Grants the lease (unless given one) and starts keeping it alive. */
  static async create(client: ConcurrencyClient, options: SessionOptions = {}): Promise<Session> {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_SESSION_TTL_SECONDS
    assert.ok(Number.isInteger(ttlSeconds), 'a session TTL is whole seconds')
    let leaseId = options.leaseId ?? 0n
    let granted = ttlSeconds
    if (leaseId === 0n) {
      const grant = await client.leaseGrant({TTL: BigInt(ttlSeconds)})
      leaseId = grant.ID
      // the server may raise a small TTL to its minimum: renew on what it granted
      granted = Number(grant.TTL)
    }
    const session = new Session(client, leaseId, granted)
    if (options.keepAlive !== false) session.startKeepAlive()
    return session
  }

  get isDone(): boolean {
    return this.ended !== undefined
  }

  /** Stops keeping the lease alive without revoking it: it expires after its TTL. */
  orphan(): void {
    this.end('orphaned')
  }

  /** Stops keeping the lease alive and revokes it, deleting every key attached to it. */
  async close(): Promise<void> {
    this.orphan()
    await this.client.leaseRevoke({ID: this.leaseId})
  }

  private startKeepAlive(): void {
    const stream = this.client.leaseKeepAlive()
    this.stream = stream
    void (async () => {
      try {
        for await (const response of stream) {
          if (this.ended !== undefined) return
          if (response.TTL <= 0n) return this.end('lost')
          this.armDeadline(Number(response.TTL))
          this.scheduleRenew(Number(response.TTL))
        }
      } catch {
        // a broken stream that could not be resumed: the lease can no longer be kept
      }
      this.end('lost')
    })()
    this.armDeadline(this.ttlSeconds)
    this.renew()
  }

  private renew(): void {
    if (this.ended === undefined) this.stream?.send({ID: this.leaseId})
  }

  private scheduleRenew(ttlSeconds: number): void {
    clearTimeout(this.renewTimer)
    // clientv3 renews at a third of the TTL, and at least every half second apart
    this.renewTimer = setTimeout(() => this.renew(), Math.max(500, (ttlSeconds * 1000) / 3))
  }

  /** No answer for a whole TTL means the lease may already be gone: give it up. */
  private armDeadline(ttlSeconds: number): void {
    clearTimeout(this.deadlineTimer)
    this.deadlineTimer = setTimeout(() => this.end('lost'), ttlSeconds * 1000)
    // the renew timer keeps the process alive; a deadline alone must not
    this.deadlineTimer.unref()
  }

  private end(how: SessionEnd): void {
    if (this.ended !== undefined) return
    this.ended = how
    clearTimeout(this.renewTimer)
    clearTimeout(this.deadlineTimer)
    this.stream?.close()
    this.resolveDone(how)
  }
}
