// The in-process v3 API: an EtcdClient that calls a member living in this process.
//
// Data dir layout (as etcd's, one level named by job):
//   <data-dir>/member/identity.json   cluster and member ids
//   <data-dir>/member/wal/            the write-ahead log
//   <data-dir>/member/db/             the backend (B+tree store)
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {
  CompactionRequest,
  type CompactionResponse,
  DeleteRangeRequest,
  type DeleteRangeResponse,
  type HashKVRequest,
  type HashKVResponse,
  PutRequest,
  type PutResponse,
  RangeRequest,
  type RangeResponse,
  type StatusResponse,
  TxnRequest,
  type TxnResponse,
} from '../../api/proto/rpc.js'
import type {EtcdClient, Req, WatchStream} from '../../client/etcd/client.js'
import {openKvStore} from '../mvcc/store.js'
import {WatchableStore} from '../mvcc/watchable-store.js'
import {ServerWatchStream} from '../mvcc/watch-stream.js'
import {checkRange} from '../mvcc/validate.js'
import {openWal} from '../wal/wal.js'
import {loadOrCreateIdentity} from './identity.js'
import {Member, unwrap} from './member.js'
import {serverVersion} from './version.js'

export class EmbeddedEtcd implements EtcdClient {
  constructor(readonly member: Member) {}

  async range(req: Req<RangeRequest>): Promise<RangeResponse> {
    const request = RangeRequest.fromPartial(req)
    checkRange(request)
    const response = this.member.store.range(request)
    response.header = this.member.header(Number(response.header?.revision ?? this.member.store.currentRevision))
    return response
  }

  async put(req: Req<PutRequest>): Promise<PutResponse> {
    return this.write({put: PutRequest.fromPartial(req)}) as Promise<PutResponse>
  }

  async deleteRange(req: Req<DeleteRangeRequest>): Promise<DeleteRangeResponse> {
    return this.write({deleteRange: DeleteRangeRequest.fromPartial(req)}) as Promise<DeleteRangeResponse>
  }

  async txn(req: Req<TxnRequest>): Promise<TxnResponse> {
    return this.write({txn: TxnRequest.fromPartial(req)}) as Promise<TxnResponse>
  }

  async compact(req: Req<CompactionRequest>): Promise<CompactionResponse> {
    const compaction = CompactionRequest.fromPartial(req)
    const result = unwrap(await this.member.propose({id: 0n, compaction}))
    if (compaction.physical && result.physical) await result.physical
    return this.withHeader(result.response) as CompactionResponse
  }

  async hashKV(req: Req<HashKVRequest>): Promise<HashKVResponse> {
    const hash = this.member.store.hashKV(Number(req.revision ?? 0n))
    return {
      header: this.member.header(),
      hash: hash.hash,
      compactRevision: BigInt(hash.compactRevision),
      hashRevision: BigInt(hash.hashRevision),
    }
  }

  async status(): Promise<StatusResponse> {
    const dbSize = BigInt(this.member.store.dbSizeBytes())
    return {
      header: this.member.header(),
      version: serverVersion,
      dbSize,
      leader: this.member.identity.memberId,
      raftIndex: this.member.appliedIndex,
      raftTerm: this.member.term,
      raftAppliedIndex: this.member.appliedIndex,
      errors: [],
      dbSizeInUse: dbSize,
      isLearner: false,
    }
  }

  /**
   * A watch stream (etcd's Watch service) over the member's watchable store; the engine's close
   * ends it with `server stopped`.
   */
  watch(): WatchStream {
    const store = this.member.store
    if (!(store instanceof WatchableStore)) throw new Error('this member was opened without a watchable store')
    return new ServerWatchStream(store, {header: (revision) => this.member.header(revision)})
  }

  async close(): Promise<void> {
    await this.member.close()
  }

  private async write(request: {put?: PutRequest; deleteRange?: DeleteRangeRequest; txn?: TxnRequest}) {
    const result = unwrap(await this.member.propose({id: 0n, ...request}))
    return this.withHeader(result.response)
  }

  private withHeader<T extends {header?: {revision: bigint} | undefined}>(response: T): T {
    response.header = this.member.header(Number(response.header?.revision ?? this.member.store.currentRevision))
    return response
  }
}

/** Opens (or creates) the engine in `dataDir`; the caller must hold the data dir (see holder.ts). */
export async function openEmbedded(dataDir: string): Promise<EmbeddedEtcd> {
  const memberDir = join(dataDir, 'member')
  await mkdir(join(memberDir, 'wal'), {recursive: true})
  await mkdir(join(memberDir, 'db'), {recursive: true})
  const identity = await loadOrCreateIdentity(memberDir)
  const store = await openKvStore(join(memberDir, 'db'))
  let wal
  try {
    const opened = await openWal(join(memberDir, 'wal'), {fromIndex: store.consistentIndex})
    wal = opened.wal
    const member = new Member(new WatchableStore(store), wal, identity)
    member.replay(opened.contents.entries)
    return new EmbeddedEtcd(member)
  } catch (error) {
    await wal?.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    throw error
  }
}

