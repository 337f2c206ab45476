// Leader election (etcd's concurrency.Election), with etcd's key layout so that ours and
// etcdctl's elect take part in the same elections:
//
//   <name>/<lease id in hex>   one key per candidate, value = its proposal, on its session
//
// The leader is the candidate whose key has the lowest create revision; its value is what the
// leader proclaims. A candidate waits behind its immediate predecessor only (wait-deletes.ts).
// Observers follow the leader key: its value changes (proclaim) and, when it goes, the next
// leader.
import {Event_EventType, type KeyValue} from '../../../api/proto/kv.js'
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  type RangeResponse,
  TxnRequest,
  type ResponseHeader,
} from '../../../api/proto/rpc.js'
import {ConcurrencyError, ConcurrencyMessage} from './client.js'
import {byCreateRequest, leaseIdHex, prefixRangeEnd} from './keys.js'
import type {Session} from './session.js'
import {waitDeletes} from './wait-deletes.js'
import {watchEvents} from './watch-events.js'

export class Election {
  private readonly prefix: Buffer
  private leaderKey: Buffer | undefined
  private leaderRevision = -1n
  private leaderHeader: ResponseHeader | undefined

  constructor(
    private readonly session: Session,
    name: string | Buffer,
  ) {
    this.prefix = Buffer.concat([Buffer.from(name), Buffer.from('/')])
  }

  /**
   * Takes up a candidacy made elsewhere (etcd's ResumeElection): its key and create revision, as
   * Campaign answered them, so this election can proclaim or resign on it.
   */
  resume(key: Buffer, revision: bigint): this {
    this.leaderKey = Buffer.from(key)
    this.leaderRevision = revision
    return this
  }

  /** Our candidate key while we campaign or lead. */
  get key(): Buffer | undefined {
    return this.leaderKey
  }

  /** The create revision of our key. */
  get revision(): bigint {
    return this.leaderRevision
  }

  get header(): ResponseHeader | undefined {
    return this.leaderHeader
  }

  /**
   * Puts our candidacy with `value` and waits until we lead. Aborting (or a failure) while
   * waiting withdraws the candidacy.
   */
  async campaign(value: string | Buffer, signal?: AbortSignal, onWait?: (key: Buffer) => void): Promise<void> {
    const client = this.session.client
    const proposal = Buffer.from(value)
    const key = Buffer.concat([this.prefix, Buffer.from(leaseIdHex(this.session.leaseId))])
    const response = await client.txn(
      TxnRequest.fromPartial({
        compare: [{key, target: Compare_CompareTarget.CREATE, result: Compare_CompareResult.EQUAL, createRevision: 0n}],
        success: [{requestPut: {key, value: proposal, lease: this.session.leaseId}}],
        failure: [{requestRange: {key}}],
      }),
    )
    this.leaderKey = key
    this.leaderRevision = response.header?.revision ?? 0n
    if (!response.succeeded) {
      // this session already campaigns: keep its place, update its proposal
      const existing = response.responses[0]?.responseRange?.kvs[0]
      if (existing === undefined) throw new ConcurrencyError(ConcurrencyMessage.notLeader)
      this.leaderRevision = existing.createRevision
      if (!existing.value.equals(proposal)) await this.proclaim(proposal)
    }
    try {
      await waitDeletes(client, this.prefix, this.leaderRevision - 1n, signal, onWait)
    } catch (error) {
      if (signal?.aborted) await this.resign().catch(() => undefined)
      else this.forget()
      throw error
    }
    this.leaderHeader = response.header
  }

  /** Changes the value of our key while we lead; fails with `election: not leader` otherwise. */
  async proclaim(value: string | Buffer): Promise<void> {
    if (this.leaderKey === undefined) throw new ConcurrencyError(ConcurrencyMessage.notLeader)
    const response = await this.session.client.txn(
      TxnRequest.fromPartial({
        compare: [this.stillOurs()],
        success: [{requestPut: {key: this.leaderKey, value: Buffer.from(value), lease: this.session.leaseId}}],
      }),
    )
    if (!response.succeeded) {
      this.leaderKey = undefined
      throw new ConcurrencyError(ConcurrencyMessage.notLeader)
    }
  }

  /** Steps down (deletes our key if it is still the one we put); a no-op when not campaigning. */
  async resign(): Promise<void> {
    if (this.leaderKey === undefined) return
    const response = await this.session.client.txn(
      TxnRequest.fromPartial({
        compare: [this.stillOurs()],
        success: [{requestDeleteRange: {key: this.leaderKey}}],
      }),
    )
    if (response.succeeded) this.leaderHeader = response.header
    this.forget()
  }

  /** The current leader's key-value (as a one-kv range response); `election: no leader` if none. */
  async leader(): Promise<RangeResponse> {
    const response = await this.session.client.range(byCreateRequest(this.prefix, 'first'))
    if (response.kvs.length === 0) throw new ConcurrencyError(ConcurrencyMessage.noLeader)
    return response
  }

  /**
   * Every leader in turn, and every value a leader proclaims, as one-kv range responses (as
   * clientv3's Observe). Ends when `signal` aborts; a failed watch or read ends it with an error.
   */
  async *observe(signal?: AbortSignal): AsyncGenerator<RangeResponse, void, undefined> {
    const client = this.session.client
    while (!signal?.aborted) {
      const current = await client.range(byCreateRequest(this.prefix, 'first'))
      let leader: KeyValue | undefined = current.kvs[0]
      let header = current.header
      if (leader === undefined) {
        // no leader: the first key put under the prefix is the next one
        const created = await this.firstPut(current.header?.revision ?? 0n, signal)
        if (created === undefined) return
        ;({leader, header} = created)
      }
      yield observed(header, leader)
      // follow the leader key until it goes
      const following = watchEvents(client, {key: leader.key, startRevision: (header?.revision ?? 0n) + 1n}, signal)
      leaderGone: for await (const response of following) {
        for (const event of response.events) {
          if (event.type === Event_EventType.DELETE) break leaderGone
          if (event.kv !== undefined) yield observed(response.header, event.kv)
        }
      }
    }
  }

  private async firstPut(
    fromRevision: bigint,
    signal: AbortSignal | undefined,
  ): Promise<{leader: KeyValue; header: ResponseHeader | undefined} | undefined> {
    const client = this.session.client
    const create = {key: this.prefix, rangeEnd: prefixRangeEnd(this.prefix), startRevision: fromRevision}
    for await (const response of watchEvents(client, create, signal)) {
      const put = response.events.find((event) => event.type === Event_EventType.PUT && event.kv !== undefined)
      if (put?.kv === undefined) continue
      // a batch may carry several puts: the header speaks for the one we picked
      const header = response.header === undefined ? undefined : {...response.header, revision: put.kv.modRevision}
      return {leader: put.kv, header}
    }
    return undefined
  }

  private stillOurs() {
    return {
      key: this.leaderKey,
      target: Compare_CompareTarget.CREATE,
      result: Compare_CompareResult.EQUAL,
      createRevision: this.leaderRevision,
    }
  }

  private forget(): void {
    this.leaderKey = undefined
    this.leaderRevision = -1n
  }
}

function observed(header: ResponseHeader | undefined, kv: KeyValue): RangeResponse {
  return {header, kvs: [kv], more: false, count: 1n}
}
