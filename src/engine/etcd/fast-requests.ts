// Request normalizers for the hot paths of the in-process API. ts-proto's fromPartial builds a
// fresh default message (a new empty Buffer per bytes field) and then copies every field over
// it; a range or put called a million times a second pays for that in allocations. These build
// the same message in one object literal, sharing one empty buffer for absent bytes fields.
//
// Contract: the result may share buffers with the caller's partial request and with other
// requests (the shared empty buffer); requests are read, never written, by the engine.
import type {PutRequest, RangeRequest} from '../../api/proto/rpc.js'
import type {Req} from '../../client/etcd/client.js'

const EMPTY = Buffer.alloc(0)

/** RangeRequest.fromPartial(req), without the copies. */
export function rangeRequestOf(req: Req<RangeRequest>): RangeRequest {
  return {
    key: req.key ?? EMPTY,
    rangeEnd: req.rangeEnd ?? EMPTY,
    limit: req.limit ?? 0n,
    revision: req.revision ?? 0n,
    sortOrder: req.sortOrder ?? 0,
    sortTarget: req.sortTarget ?? 0,
    serializable: req.serializable ?? false,
    keysOnly: req.keysOnly ?? false,
    countOnly: req.countOnly ?? false,
    minModRevision: req.minModRevision ?? 0n,
    maxModRevision: req.maxModRevision ?? 0n,
    minCreateRevision: req.minCreateRevision ?? 0n,
    maxCreateRevision: req.maxCreateRevision ?? 0n,
  }
}

/** PutRequest.fromPartial(req), without the copies. */
export function putRequestOf(req: Req<PutRequest>): PutRequest {
  return {
    key: req.key ?? EMPTY,
    value: req.value ?? EMPTY,
    lease: req.lease ?? 0n,
    prevKv: req.prevKv ?? false,
    ignoreValue: req.ignoreValue ?? false,
    ignoreLease: req.ignoreLease ?? false,
  }
}
