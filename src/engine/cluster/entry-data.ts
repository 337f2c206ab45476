// How a cluster member's Raft entries are written: in the write-ahead log (whose entries carry
// opaque data) and as the payload of Normal entries.
//
// WAL data = one byte of Raft entry type, then the entry's data.
// Normal entry data = one byte of payload kind, then the payload; an empty entry is the no-op
// a new leader appends (nothing to apply).
import {InternalRequest} from '../../api/proto/internal.js'
import {type Entry, EntryType} from '../raft/index.js'
import type {WalEntry} from '../wal/log.js'

export enum PayloadKind {
  /** An encoded ectlinternal.InternalRequest: a write to the store (put, txn, lease, auth …). */
  Request = 0,
  /** JSON of MemberAttributesPayload: a member publishing its name and client URLs. */
  MemberAttributes = 1,
}

export interface MemberAttributesPayload {
  id: string
  name: string
  clientURLs: string[]
  /** The proposer's request id, so it hears when its publish is applied. */
  requestId?: string
}

/**
 * The context of a ConfChange entry (JSON): what every member needs to apply it to its roster,
 * and the proposer's request id so it hears the outcome.
 */
export interface ConfChangeContext {
  requestId: string
  /** The member added, or its new peer URLs (update). */
  member?: {id: string; peerURLs: string[]; isLearner: boolean}
  /** An AddNode that promotes a learner (etcd's IsPromote). */
  promote?: boolean
}

export function encodeConfChangeContext(context: ConfChangeContext): Uint8Array {
  return Buffer.from(JSON.stringify(context))
}

export function decodeConfChangeContext(data: Uint8Array): ConfChangeContext {
  return JSON.parse(Buffer.from(data).toString('utf8')) as ConfChangeContext
}

export type Payload =
  | {kind: PayloadKind.Request; request: InternalRequest}
  | {kind: PayloadKind.MemberAttributes; attributes: MemberAttributesPayload}
  | {kind: 'empty'}

export function encodeRequestPayload(request: InternalRequest): Uint8Array {
  const body = InternalRequest.encode(request).finish()
  const data = new Uint8Array(body.length + 1)
  data[0] = PayloadKind.Request
  data.set(body, 1)
  return data
}

export function encodeAttributesPayload(attributes: MemberAttributesPayload): Uint8Array {
  const body = Buffer.from(JSON.stringify(attributes))
  return Buffer.concat([Buffer.of(PayloadKind.MemberAttributes), body])
}

export function decodePayload(data: Uint8Array): Payload {
  if (data.length === 0) return {kind: 'empty'}
  const body = data.subarray(1)
  switch (data[0]) {
    case PayloadKind.Request:
      return {kind: PayloadKind.Request, request: InternalRequest.decode(body)}
    case PayloadKind.MemberAttributes:
      return {kind: PayloadKind.MemberAttributes, attributes: JSON.parse(Buffer.from(body).toString('utf8')) as MemberAttributesPayload}
    default:
      throw new Error(`unknown entry payload kind ${data[0]}`)
  }
}

export function toWalEntry(entry: Entry): WalEntry {
  const data = new Uint8Array(entry.data.length + 1)
  data[0] = entry.type
  data.set(entry.data, 1)
  return {index: BigInt(entry.index), term: BigInt(entry.term), data}
}

export function fromWalEntry(entry: WalEntry): Entry {
  const type = entry.data[0]
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) throw new Error(`wal entry ${entry.index} has unknown raft entry type ${type}`)
  return {index: Number(entry.index), term: Number(entry.term), type, data: entry.data.subarray(1)}
}
