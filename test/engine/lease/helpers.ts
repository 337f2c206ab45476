// A store wired to a lessor on a fake clock, applying one request per call (lease tests).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {InternalRequest} from '../../../src/api/proto/internal.js'
import type {PutRequest} from '../../../src/api/proto/rpc.js'
import {FakeClock} from '../../../src/engine/lease/fake-clock.js'
import {Lessor} from '../../../src/engine/lease/lessor.js'
import type {ApplyResult} from '../../../src/engine/mvcc/kv.js'
import {openKvStore, type MvccStore} from '../../../src/engine/mvcc/store.js'

export const b = (s: string): Buffer => Buffer.from(s, 'latin1')

export function putReq(key: string, value: string, fields: Partial<PutRequest> = {}): PutRequest {
  return {key: b(key), value: b(value), lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false, ...fields}
}

export class LeaseStore {
  private nextIndex: bigint
  lessor: Lessor
  store: MvccStore

  private constructor(
    readonly dir: string,
    readonly clock: FakeClock,
  ) {
    this.lessor = new Lessor({clock})
    this.store = openKvStore(dir, {leases: this.lessor})
    this.nextIndex = this.store.consistentIndex + 1n
  }

  static create(): LeaseStore {
    return new LeaseStore(fs.mkdtempSync(path.join(os.tmpdir(), 'lease-test-')), new FakeClock(5_000_000))
  }

  apply(request: Omit<InternalRequest, 'id'>): ApplyResult {
    return this.store.applyBatch([{index: this.nextIndex++, request: {id: 0n, ...request}}])[0]!
  }

  ok(request: Omit<InternalRequest, 'id'>): Extract<ApplyResult, {ok: true}> {
    const result = this.apply(request)
    if (!result.ok) throw new Error(`unexpected error: ${result.error.message}`)
    return result
  }

  grant(id: bigint, ttlSeconds: bigint): ApplyResult {
    return this.apply({leaseGrant: {ID: id, TTL: ttlSeconds}})
  }

  put(key: string, value: string, lease = 0n): ApplyResult {
    return this.apply({put: putReq(key, value, {lease})})
  }

  /** Live keys and the lease each holds in the store, as "key@lease". */
  keys(): string[] {
    const r = this.store.range({
      key: b('\0'),
      rangeEnd: b('\0'),
      limit: 0n,
      revision: 0n,
      sortOrder: 0,
      sortTarget: 0,
      serializable: false,
      keysOnly: false,
      countOnly: false,
      minModRevision: 0n,
      maxModRevision: 0n,
      minCreateRevision: 0n,
      maxCreateRevision: 0n,
    })
    return r.kvs.map((kv) => `${kv.key.toString('latin1')}@${kv.lease}`)
  }

  /** Closes and reopens the store with a new lessor on the same clock (a restart). */
  async reopen(): Promise<void> {
    await this.store.close()
    this.lessor = new Lessor({clock: this.clock})
    this.store = openKvStore(this.dir, {leases: this.lessor})
    this.nextIndex = this.store.consistentIndex + 1n
  }

  async destroy(): Promise<void> {
    await this.store.close()
    fs.rmSync(this.dir, {recursive: true, force: true})
  }
}
