// The framed LeaseKeepAliveResponse (keepalive-frame.ts) is byte for byte what the generated
// encoder makes: any int64 lease id (negative ones are echoed back for a lease that is not
// there), any TTL, with or without a header, and a header kept from one response to the next
// (keep-alives between two writes share it) frames like a fresh one.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import fc from 'fast-check'
import {Event_EventType} from '../../../src/api/proto/kv.js'
import {LeaseKeepAliveResponse, type ResponseHeader} from '../../../src/api/proto/rpc.js'
import {frameKeepAliveResponse} from '../../../src/engine/net/grpc/keepalive-frame.js'
import {frameWatchResponse} from '../../../src/engine/net/grpc/watch-frame.js'

const reference = (response: LeaseKeepAliveResponse): Buffer => {
  const message = LeaseKeepAliveResponse.encode(response).finish()
  const framed = Buffer.alloc(5 + message.length)
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, 5)
  return framed
}

const int64 = fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n})
const small = fc.bigInt({min: 0n, max: 1000n})
const edges = fc.constantFrom(0n, 1n, 127n, 128n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 63n - 1n, -1n, -(2n ** 63n))
const uint64 = fc.bigInt({min: 0n, max: 2n ** 64n - 1n})
const header: fc.Arbitrary<ResponseHeader> = fc.record({clusterId: uint64, memberId: uint64, revision: fc.oneof(small, int64), raftTerm: small})
const event = {type: Event_EventType.PUT, kv: {key: Buffer.from('k'), createRevision: 1n, modRevision: 1n, version: 1n, value: Buffer.from('v'), lease: 0n}, prevKv: undefined}
const response: fc.Arbitrary<LeaseKeepAliveResponse> = fc.record({
  header: fc.option(header, {nil: undefined}),
  ID: fc.oneof(edges, int64, small),
  TTL: fc.oneof(edges, small, int64),
})

test('every keep-alive response frames to the bytes of LeaseKeepAliveResponse.encode', () => {
  fc.assert(
    fc.property(response, (r) => {
      assert.deepEqual(frameKeepAliveResponse(r), reference(r))
    }),
    {numRuns: 3000},
  )
})

test('a header kept between responses (and between keep-alive and watch responses) frames like a fresh one', () => {
  fc.assert(
    fc.property(fc.array(header, {minLength: 1, maxLength: 3}), fc.array(fc.tuple(fc.nat(), int64, small, fc.boolean()), {maxLength: 30}), (headers, picks) => {
      for (const [h, ID, TTL, watchFirst] of picks) {
        const shared = headers[h % headers.length]!
        // the watch encoder keeps the same header cache: interleaving must not mix them up
        if (watchFirst) frameWatchResponse({header: shared, watchId: 1n, created: false, canceled: false, compactRevision: 0n, cancelReason: '', fragment: false, events: [event]})
        const r = {header: {...shared}, ID, TTL}
        assert.deepEqual(frameKeepAliveResponse(r), reference(r))
      }
    }),
    {numRuns: 300},
  )
})

test('a lease id beyond int64 is refused, as the generated encoder refuses it', () => {
  assert.throws(() => frameKeepAliveResponse({header: undefined, ID: 2n ** 63n, TTL: 1n}))
  assert.throws(() => LeaseKeepAliveResponse.encode({header: undefined, ID: 2n ** 63n, TTL: 1n}))
})
