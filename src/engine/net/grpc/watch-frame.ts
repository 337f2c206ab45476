// A WatchResponse as one framed gRPC message, with the parts a fan-out repeats encoded once.
//
// When one write reaches a few hundred watchers, each gets a response with the same events and
// a header at the same revision; only the watch id differs. Encoding each response whole made
// the same bytes hundreds of times. Here an event's encoding is kept beside the Event object
// (the watchable store hands the same Event to every watcher it concerns: see notify in
// mvcc/watchable-store.ts), the header's is kept while the next header has the same values, and
// a response is those pieces copied into one buffer behind its watch id. The bytes are exactly
// WatchResponse.encode's (the test holds it to that); responses other than a plain batch of
// events (created, canceled, progress) take the generated encoder.
//
// Contract: an Event is not modified once a watch stream has it (nothing in the engine does).
import {Event} from '../../../api/proto/kv.js'
import {varintSize, writeVarint} from '../../../api/varint.js'
import {WatchResponse} from '../../../api/proto/rpc.js'
import {delimitedField, headerField} from './header-field.js'

/** The gRPC message prefix: a compressed flag (1 byte) and the length (4 bytes, big-endian). */
const PREFIX_BYTES = 5
/** Field tags of WatchResponse (field number << 3 | wire type). */
const TAG_WATCH_ID = (2 << 3) | 0
const TAG_FRAGMENT = (7 << 3) | 0
const TAG_EVENTS = (11 << 3) | 2

/** Each event as WatchResponse field 11 (tag, length, message), made on first use. */
const eventFields = new WeakMap<Event, Buffer>()

function eventField(event: Event): Buffer {
  let field = eventFields.get(event)
  if (field === undefined) {
    field = delimitedField(TAG_EVENTS, Event.encode(event).finish())
    eventFields.set(event, field)
  }
  return field
}

/** `message` behind the gRPC prefix, in a new buffer. */
export function frameMessage(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(PREFIX_BYTES + message.length)
  framed[0] = 0
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, PREFIX_BYTES)
  return framed
}

/** The response framed for the wire (prefix included): the bytes of WatchResponse.encode. */
export function frameWatchResponse(response: WatchResponse): Buffer {
  const {events, watchId} = response
  const plain =
    events.length > 0 &&
    !response.created &&
    !response.canceled &&
    response.compactRevision === 0n &&
    response.cancelReason === '' &&
    watchId >= 0n &&
    watchId <= BigInt(Number.MAX_SAFE_INTEGER)
  if (!plain) return frameMessage(WatchResponse.encode(response).finish())
  const header = response.header === undefined ? undefined : headerField(response.header)
  const id = Number(watchId)
  let bytes = (header?.length ?? 0) + (id === 0 ? 0 : 1 + varintSize(id)) + (response.fragment ? 2 : 0)
  const fields: Buffer[] = new Array<Buffer>(events.length)
  for (let i = 0; i < events.length; i++) {
    const field = eventField(events[i]!)
    fields[i] = field
    bytes += field.length
  }
  const framed = Buffer.allocUnsafe(PREFIX_BYTES + bytes)
  framed[0] = 0
  framed.writeUInt32BE(bytes, 1)
  let at = PREFIX_BYTES
  if (header !== undefined) at += header.copy(framed, at)
  if (id !== 0) {
    framed[at++] = TAG_WATCH_ID
    at = writeVarint(framed, at, id)
  }
  if (response.fragment) {
    framed[at++] = TAG_FRAGMENT
    framed[at++] = 1
  }
  for (const field of fields) at += field.copy(framed, at)
  return framed
}
