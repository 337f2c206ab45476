// etcd's Lock (v3lockpb) and Election (v3electionpb) services: the concurrency recipes run on
// the server for a client that names its own lease. Keys and their layout are the recipes'
// (lock key = name/<lease id in hex>), so a client of these services and one running the
// recipes itself (etcdctl lock and elect) take part in the same locks and elections.
//
// The client owns the lease: the server never keeps it alive (etcd's server starts a keep-alive
// on it that outlives the call; here the keys go when the client stops renewing, as intended).
import type {LeaderKey, LeaderRequest, LeaderResponse, CampaignRequest, CampaignResponse, ProclaimRequest, ProclaimResponse, ResignRequest, ResignResponse} from '../../api/proto/v3election.js'
import type {LockRequest, LockResponse, UnlockRequest, UnlockResponse} from '../../api/proto/v3lock.js'
import {EtcdError, GrpcCode} from '../../api/errors.js'
import type {Req} from '../../client/etcd/client.js'
import {type ConcurrencyClient, Election, Mutex, Session} from '../../client/etcd/concurrency/index.js'

/** The session of a call that only reads: no lease is granted for it. */
const NO_LEASE = -1n

/** etcd's v3election ErrMissingLeaderKey. */
const missingLeaderKey = () => new EtcdError(GrpcCode.UNKNOWN, '"leader" field must be provided')

export class RecipeService {
  constructor(private readonly client: ConcurrencyClient) {}

  /**
   * Lease 0 grants a lease of the recipes' default TTL, as etcd's session does; nobody renews it.
   * Leader and Observe write nothing: they take NO_LEASE and grant none (etcd passes -1).
   */
  private session(lease: bigint | undefined): Promise<Session> {
    return Session.create(this.client, {leaseId: lease ?? 0n, keepAlive: false})
  }

  /** Waits until the lock is ours (on the caller's lease); `signal` gives our place back. */
  async lock(req: Req<LockRequest>, signal?: AbortSignal): Promise<LockResponse> {
    const mutex = new Mutex(await this.session(req.lease), Buffer.from(req.name ?? new Uint8Array()))
    await mutex.lock(signal)
    return {header: mutex.header, key: mutex.key}
  }

  async unlock(req: Req<UnlockRequest>): Promise<UnlockResponse> {
    const deleted = await this.client.deleteRange({key: Buffer.from(req.key ?? new Uint8Array())})
    return {header: deleted.header}
  }

  async campaign(req: Req<CampaignRequest>, signal?: AbortSignal): Promise<CampaignResponse> {
    const name = Buffer.from(req.name ?? new Uint8Array())
    const election = new Election(await this.session(req.lease), name)
    await election.campaign(Buffer.from(req.value ?? new Uint8Array()), signal)
    return {
      header: election.header,
      leader: {name, key: election.key!, rev: election.revision, lease: req.lease!},
    }
  }

  async proclaim(req: Req<ProclaimRequest>): Promise<ProclaimResponse> {
    const election = await this.resumed(req.leader)
    await election.proclaim(Buffer.from(req.value ?? new Uint8Array()))
    // etcd answers from a resumed election, which has no header
    return {header: undefined}
  }

  async resign(req: Req<ResignRequest>): Promise<ResignResponse> {
    const election = await this.resumed(req.leader)
    await election.resign()
    return {header: election.header}
  }

  async leader(req: Req<LeaderRequest>): Promise<LeaderResponse> {
    const election = new Election(await this.session(NO_LEASE), Buffer.from(req.name ?? new Uint8Array()))
    const current = await election.leader()
    return {header: current.header, kv: current.kvs[0]}
  }

  /** Leader changes, the current leader first; ends when `signal` aborts. */
  async *observe(req: Req<LeaderRequest>, signal: AbortSignal): AsyncGenerator<LeaderResponse, void, undefined> {
    const election = new Election(await this.session(NO_LEASE), Buffer.from(req.name ?? new Uint8Array()))
    for await (const change of election.observe(signal)) yield {header: change.header, kv: change.kvs[0]}
  }

  private async resumed(leader: LeaderKey | undefined): Promise<Election> {
    if (leader === undefined) throw missingLeaderKey()
    const election = new Election(await this.session(leader.lease), Buffer.from(leader.name))
    return election.resume(Buffer.from(leader.key), leader.rev)
  }
}

/**
 * An async iterable over `start(signal)` whose early end (a consumer that stops, a cancelled
 * call) aborts the signal, so a generator waiting on a watch finishes at once.
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T, void, undefined>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const controller = new AbortController()
      const inner = start(controller.signal)
      return {
        next: () => inner.next(),
        async return() {
          controller.abort()
          return {done: true, value: undefined}
        },
      }
    },
  }
}
