// The contract of the MVCC key-value store (etcd's mvcc.KV, reshaped for one apply loop).
//
// Reads are synchronous and served from the in-memory key index plus the durable backend.
// Writes arrive only as log entries, in log order, through applyBatch: each entry that
// changes the store raises the revision by exactly one (a txn is one change), and the
// batch's effects and its last log index (the consistent index) are saved in ONE backend
// transaction, so a restart replays the log exactly from consistentIndex + 1.
import type {EtcdError} from '../../api/errors.js'
import type {InternalRequest} from '../../api/proto/internal.js'
import type {Event} from '../../api/proto/kv.js'
import type {
  AlarmMember,
  AlarmResponse,
  CompactionResponse,
  DeleteRangeResponse,
  LeaseGrantResponse,
  LeaseRevokeResponse,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnResponse,
} from '../../api/proto/rpc.js'

export interface ApplyEntry {
  /** Log index of the entry; strictly increasing across calls. */
  index: bigint
  request: InternalRequest
}

export type ApplyResponse =
  | AlarmResponse
  | PutResponse
  | DeleteRangeResponse
  | TxnResponse
  | CompactionResponse
  | LeaseGrantResponse
  | LeaseRevokeResponse

/** Per entry: the response (header.revision set), or the error the request failed with. */
export type ApplyResult =
  | {
      ok: true
      response: ApplyResponse
      /** compaction only: resolves once space is reclaimed */
      physical?: Promise<void>
      /**
       * The changes the entry made, in order (etcd's txn changes, for watchers): a PUT event's
       * kv is the new KeyValue; a DELETE event's kv holds the key and mod_revision only.
       * prev_kv is never filled here. Empty for reads, failures and compactions.
       */
      events?: Event[]
    }
  | {ok: false; error: EtcdError}

export interface HashKV {
  hash: number
  compactRevision: number
  hashRevision: number
}

export interface KvStore {
  /** Revision of the last change; 1 on an empty store (as etcd). */
  readonly currentRevision: number
  /** Highest compacted revision; 0 when never compacted. */
  readonly compactRevision: number
  /** Log index of the last applied entry (0n on a new store). */
  readonly consistentIndex: bigint

  /** Throws EtcdError (compacted / future revision) for a revision it cannot serve. */
  range(req: RangeRequest): RangeResponse
  /** Applies entries in order in one backend write transaction; never throws for a bad request. */
  applyBatch(entries: ApplyEntry[]): ApplyResult[]
  /** HashKV at `revision` (0 = current): a hash over every key and value in (compactRevision, revision]. */
  hashKV(revision: number): HashKV
  /** Resolves once everything applied so far is durable in the backend (the log may then drop it). */
  flushed(): Promise<void>
  /** Size of the backend on disk, in bytes. */
  dbSizeBytes(): number
  /** The active alarms (raised and cleared by alarm entries of the log), in the order raised. */
  alarms(): AlarmMember[]
  /** Bytes of the backend in use (the rest is free pages, given back by defragment()). */
  dbSizeInUseBytes(): number
  /** etcd's Hash: a CRC-32 over the stored databases (equal on members with equal data). */
  hash(): number
  /** Writes a consistent, compacted copy of the backend to `file` (a snapshot's body). */
  copyBackendTo(file: string): Promise<void>
  /** copyBackendTo with a key-index checkpoint matching the copy when it can (a snapshot for a follower). */
  copyBackendWithKeyIndexTo(file: string): Promise<CopyWithKeyIndex>
  /**
   * Replaces the store's whole contents with a backend file (moved into place), as a member
   * does with a snapshot from its leader; no write may be applied until it resolves.
   */
  restoreFrom(file: string): Promise<void>
  /** Whether the last open or restore loaded the key-index checkpoint or scanned the backend (and why). */
  readonly restoredFrom: {from: 'checkpoint'} | {from: 'scan'; reason: string}
  /** Rewrites the backend compactly; no write may be applied until it resolves. */
  defragment(): Promise<void>
  close(): Promise<void>
}

/** What copyBackendWithKeyIndexTo wrote besides the backend. */
export type CopyWithKeyIndex = ({keyIndex: true; keys: number} | {keyIndex: false; why: string}) & {
  /** The consistent index the copy holds. */
  consistentIndex: bigint
  /** From freezing the key index until it was encoded (a slice at a time, beside the copy). */
  encodeMs: number
}
