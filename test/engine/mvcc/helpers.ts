// Request builders and a temporary store for the MVCC tests.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {InternalRequest} from '../../../src/api/proto/internal.js'
import {
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  type Compare,
  type DeleteRangeRequest,
  type PutRequest,
  type RangeRequest,
  type RequestOp,
  type TxnRequest,
} from '../../../src/api/proto/rpc.js'
import type {ApplyResult} from '../../../src/engine/mvcc/kv.js'
import {openKvStore, type MvccStore} from '../../../src/engine/mvcc/store.js'

export const b = (s: string): Buffer => Buffer.from(s, 'latin1')

export function rangeReq(key: string, fields: Partial<RangeRequest> = {}): RangeRequest {
  return {
    key: b(key),
    rangeEnd: Buffer.alloc(0),
    limit: 0n,
    revision: 0n,
    sortOrder: RangeRequest_SortOrder.NONE,
    sortTarget: RangeRequest_SortTarget.KEY,
    serializable: false,
    keysOnly: false,
    countOnly: false,
    minModRevision: 0n,
    maxModRevision: 0n,
    minCreateRevision: 0n,
    maxCreateRevision: 0n,
    ...fields,
  }
}

export function putReq(key: string, value: string, fields: Partial<PutRequest> = {}): PutRequest {
  return {key: b(key), value: b(value), lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false, ...fields}
}

export function delReq(key: string, rangeEnd = '', fields: Partial<DeleteRangeRequest> = {}): DeleteRangeRequest {
  return {key: b(key), rangeEnd: b(rangeEnd), prevKv: false, ...fields}
}

export function cmp(fields: Partial<Compare> & Pick<Compare, 'key' | 'target' | 'result'>): Compare {
  return {rangeEnd: Buffer.alloc(0), ...fields}
}

export function txnReq(compare: Compare[], success: RequestOp[], failure: RequestOp[] = []): TxnRequest {
  return {compare, success, failure}
}

export const op = {
  put: (key: string, value: string, fields: Partial<PutRequest> = {}): RequestOp => ({requestPut: putReq(key, value, fields)}),
  del: (key: string, rangeEnd = '', fields: Partial<DeleteRangeRequest> = {}): RequestOp => ({
    requestDeleteRange: delReq(key, rangeEnd, fields),
  }),
  range: (key: string, fields: Partial<RangeRequest> = {}): RequestOp => ({requestRange: rangeReq(key, fields)}),
  txn: (t: TxnRequest): RequestOp => ({requestTxn: t}),
}

export function internal(fields: Omit<Partial<InternalRequest>, 'id'>): InternalRequest {
  return {id: 0n, ...fields}
}

export function tempDir(prefix = 'mvcc-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** A store in a fresh directory that applies one request per call, at increasing log indexes. */
export class TestStore {
  private nextIndex = 1n
  constructor(
    public store: MvccStore,
    readonly dir: string,
  ) {}

  static create(): TestStore {
    const dir = tempDir()
    return new TestStore(openKvStore(dir), dir)
  }

  apply(request: InternalRequest): ApplyResult {
    return this.store.applyBatch([{index: this.nextIndex++, request}])[0]!
  }

  /** Applies and returns the response, failing the test on an error result. */
  ok(request: InternalRequest): NonNullable<Extract<ApplyResult, {ok: true}>['response']> {
    const result = this.apply(request)
    if (!result.ok) throw new Error(`unexpected error: ${result.error.message}`)
    return result.response
  }

  put(key: string, value: string, fields: Partial<PutRequest> = {}) {
    return this.ok(internal({put: putReq(key, value, fields)}))
  }

  /**
   * Closes and opens the store again. A clean close leaves a key-index checkpoint; `crash`
   * closes as a kill -9 leaves the backend (no new checkpoint, the last one stays).
   */
  async reopen(opts: {crash?: boolean} = {}): Promise<void> {
    if (opts.crash) await this.store.closeWithoutCheckpoint()
    else await this.store.close()
    this.store = openKvStore(this.dir)
    this.nextIndex = this.store.consistentIndex + 1n
  }

  async destroy(): Promise<void> {
    await this.store.close()
    fs.rmSync(this.dir, {recursive: true, force: true})
  }
}

/** The keys and values of a range response as "key=value" strings. */
export function pairs(kvs: {key: Buffer; value: Buffer}[]): string[] {
  return kvs.map((kv) => `${kv.key.toString('latin1')}=${kv.value.toString('latin1')}`)
}
