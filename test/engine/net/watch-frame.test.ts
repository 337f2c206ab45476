// The framed WatchResponse (watch-frame.ts) is byte for byte what the generated encoder makes,
// for every shape of response a watch stream sends, and an event shared by many responses is
// encoded into each of them correctly whatever the watch id and header around it.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import fc from 'fast-check'
import {Event_EventType, type Event, type KeyValue} from '../../../src/api/proto/kv.js'
import {WatchResponse, type ResponseHeader} from '../../../src/api/proto/rpc.js'
import {frameWatchResponse} from '../../../src/engine/net/grpc/watch-frame.js'

const reference = (response: WatchResponse): Buffer => {
  const message = WatchResponse.encode(response).finish()
  const framed = Buffer.alloc(5 + message.length)
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, 5)
  return framed
}

const bigint64 = fc.bigInt({min: 0n, max: 2n ** 63n - 1n})
const small = fc.bigInt({min: 0n, max: 1000n})
const bytes = (max: number) => fc.uint8Array({maxLength: max}).map((a) => Buffer.from(a))

const keyValue: fc.Arbitrary<KeyValue> = fc.record({
  key: bytes(40),
  createRevision: fc.oneof(small, bigint64),
  modRevision: fc.oneof(small, bigint64),
  version: small,
  value: fc.oneof(bytes(40), bytes(300)),
  lease: fc.oneof(fc.constant(0n), bigint64),
})

const event: fc.Arbitrary<Event> = fc.record({
  type: fc.constantFrom(Event_EventType.PUT, Event_EventType.DELETE),
  kv: fc.option(keyValue, {nil: undefined}),
  prevKv: fc.option(keyValue, {nil: undefined}),
})

const header: fc.Arbitrary<ResponseHeader> = fc.record({clusterId: bigint64, memberId: bigint64, revision: fc.oneof(small, bigint64), raftTerm: small})

const response: fc.Arbitrary<WatchResponse> = fc.record({
  header: fc.option(header, {nil: undefined}),
  watchId: fc.oneof(fc.constant(0n), small, fc.constant(-1n), bigint64, fc.constant(2n ** 53n + 1n)),
  created: fc.boolean(),
  canceled: fc.boolean(),
  compactRevision: fc.oneof(fc.constant(0n), small),
  cancelReason: fc.oneof(fc.constant(''), fc.string()),
  fragment: fc.boolean(),
  events: fc.array(event, {maxLength: 4}),
})

test('every response frames to the bytes of WatchResponse.encode', () => {
  fc.assert(
    fc.property(response, (r) => {
      assert.deepEqual(frameWatchResponse(r), reference(r))
    }),
    {numRuns: 2000},
  )
})

test('events and headers shared by many responses, as a fan-out sends them, frame like fresh ones', () => {
  fc.assert(
    fc.property(fc.array(event, {minLength: 1, maxLength: 5}), fc.array(header, {minLength: 1, maxLength: 3}), fc.array(fc.tuple(small, fc.nat(), fc.nat(), fc.boolean()), {maxLength: 30}), (events, headers, picks) => {
      for (const [watchId, h, from, fragment] of picks) {
        const r: WatchResponse = {
          header: headers[h % headers.length],
          watchId,
          created: false,
          canceled: false,
          compactRevision: 0n,
          cancelReason: '',
          fragment,
          events: events.slice(from % events.length),
        }
        assert.deepEqual(frameWatchResponse(r), reference(r))
        // a header with the same values in a new object, as each response gets one
        const copy = {...r, header: r.header === undefined ? undefined : {...r.header}}
        assert.deepEqual(frameWatchResponse(copy), reference(copy))
      }
    }),
    {numRuns: 300},
  )
})
