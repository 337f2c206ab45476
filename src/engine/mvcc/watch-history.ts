// Reading past changes back from the backend, for watchers that are behind (etcd's
// syncWatchers reads the key bucket between two revisions the same way). The backend sorts by
// revision, so the changes of revisions [fromRev, toRev] are one contiguous scan.
import {Event_EventType, type Event} from '../../api/proto/kv.js'
import type {Backend} from './backend.js'
import {decodeKv, toKeyValue} from './kv-codec.js'
import {isTombstoneRev, revMain, revToBytes} from './revision.js'

export interface HistoryChunk {
  /**
   * The changes, in revision order, as the store's write path reports them: a PUT event's kv
   * is the KeyValue written; a DELETE event's kv holds the key and mod_revision only.
   */
  events: Event[]
  /** Every change of revisions [fromRev, throughRev] is in `events` (whole revisions only). */
  throughRev: number
}

/** A source of past changes: the MVCC store implements it over its backend. */
export interface HistorySource {
  /**
   * The changes of revisions [fromRev, toRev] still in the backend. Stops early, at a revision
   * boundary, once `maxBytes` of keys and values are read (always at least one revision).
   */
  readChanges(fromRev: number, toRev: number, maxBytes: number): HistoryChunk
}

const EMPTY = Buffer.alloc(0)

export function readHistory(backend: Backend, fromRev: number, toRev: number, maxBytes: number): HistoryChunk {
  const events: Event[] = []
  if (toRev < fromRev) return {events, throughRev: toRev}
  let bytes = 0
  let lastMain = 0
  for (const {key: revBytes, value} of backend.keys.getRange({start: revToBytes(fromRev, 0), end: revToBytes(toRev + 1, 0)})) {
    const main = revMain(revBytes)
    if (main !== lastMain && bytes >= maxBytes) return {events, throughRev: main - 1}
    lastMain = main
    const kv = decodeKv(value)
    bytes += kv.key.length + kv.value.length
    if (isTombstoneRev(revBytes)) {
      events.push({
        type: Event_EventType.DELETE,
        kv: {key: kv.key, createRevision: 0n, modRevision: BigInt(main), version: 0n, value: EMPTY, lease: 0n},
        prevKv: undefined,
      })
    } else {
      events.push({type: Event_EventType.PUT, kv: toKeyValue(kv), prevKv: undefined})
    }
  }
  return {events, throughRev: toRev}
}
