// A distributed mutex (etcd's concurrency.Mutex), with etcd's key layout so that ours and
// etcdctl's lock exclude each other on the same cluster:
//
//   <name>/<lease id in hex>   one key per contender, empty value, attached to its session
//
// The holder is the contender whose key has the lowest create revision. Locking puts our key
// (in a txn, if absent) and reads the oldest key in the same round trip; if that is not ours we
// wait for the key created just before ours to be deleted (see wait-deletes.ts). Unlocking
// deletes our key; a crashed holder's key goes when its session's lease expires.
import {Compare_CompareResult, Compare_CompareTarget, TxnRequest, type ResponseHeader} from '../../../api/proto/rpc.js'
import {ConcurrencyError, ConcurrencyMessage} from './client.js'
import {byCreateRequest, leaseIdHex} from './keys.js'
import type {Session} from './session.js'
import {waitDeletes} from './wait-deletes.js'

export class Mutex {
  private readonly prefix: Buffer
  private myKey: Buffer | undefined
  private myRevision = -1n
  private lockHeader: ResponseHeader | undefined

  constructor(
    private readonly session: Session,
    name: string | Buffer,
  ) {
    this.prefix = Buffer.concat([Buffer.from(name), Buffer.from('/')])
  }

  /** Our key, once lock() has put it. */
  get key(): Buffer {
    if (this.myKey === undefined) throw new ConcurrencyError('mutex: lock() was not called')
    return this.myKey
  }

  /** The create revision of our key (our place in the queue). */
  get revision(): bigint {
    return this.myRevision
  }

  /** The header of the response that made us the holder (etcdctl's ETCD_LOCK_REV is its revision). */
  get header(): ResponseHeader | undefined {
    return this.lockHeader
  }

  /**
   * Waits until we hold the lock. If `signal` aborts (or anything fails) while waiting, our key
   * is deleted again and the error propagates. `onWait` hears of each predecessor waited on.
   */
  async lock(signal?: AbortSignal, onWait?: (key: Buffer) => void): Promise<void> {
    const client = this.session.client
    const myKey = Buffer.concat([this.prefix, Buffer.from(leaseIdHex(this.session.leaseId))])
    this.myKey = myKey
    const oldest = byCreateRequest(this.prefix, 'first')
    const response = await client.txn(
      TxnRequest.fromPartial({
        compare: [{key: myKey, target: Compare_CompareTarget.CREATE, result: Compare_CompareResult.EQUAL, createRevision: 0n}],
        success: [{requestPut: {key: myKey, value: Buffer.alloc(0), lease: this.session.leaseId}}, {requestRange: oldest}],
        // this session already contends (or holds): reuse its key
        failure: [{requestRange: {key: myKey}}, {requestRange: oldest}],
      }),
    )
    this.myRevision = response.succeeded
      ? (response.header?.revision ?? 0n)
      : (response.responses[0]?.responseRange?.kvs[0]?.createRevision ?? 0n)
    const owner = response.responses[1]?.responseRange?.kvs[0]
    if (owner === undefined || owner.createRevision === this.myRevision) {
      this.lockHeader = response.header
      return
    }
    try {
      this.lockHeader = await waitDeletes(client, this.prefix, this.myRevision - 1n, signal, onWait)
      // our key went with our session while we waited: we hold nothing
      const mine = await client.range({key: myKey})
      if (mine.kvs.length === 0) throw new ConcurrencyError(ConcurrencyMessage.sessionExpired)
    } catch (error) {
      await this.unlock().catch(() => undefined)
      throw error
    }
  }

  /** Releases the lock (or gives up our place in the queue). */
  async unlock(): Promise<void> {
    if (this.myKey === undefined) return
    await this.session.client.deleteRange({key: this.myKey})
    this.myKey = undefined
    this.myRevision = -1n
  }
}
