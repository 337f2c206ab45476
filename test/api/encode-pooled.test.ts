// The reused-writer encoder (encode-pooled.ts) gives the generated encoder's bytes, message
// after message, whatever came before (a large message, a nested one, a failed encode); and
// the size of a request in the log measured with it (handlers.ts).
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {encodeAfterPrefix, encodePooled} from '../../src/api/encode-pooled.js'
import {InternalRequest} from '../../src/api/proto/internal.js'
import {DeleteRangeRequest, PutRequest, PutResponse, TxnRequest} from '../../src/api/proto/rpc.js'
import {loggedRequestBytes} from '../../src/engine/net/grpc/handlers.js'

test('the bytes are those of encode().finish(), after an untouched prefix, message after message', () => {
  const put = InternalRequest.fromPartial({id: 7n, put: {key: Buffer.from('k'), value: Buffer.alloc(100, 'v')}})
  const txn = TxnRequest.fromPartial({
    compare: [{key: Buffer.from('a'), modRevision: 3n}],
    success: [{requestPut: {key: Buffer.from('a'), value: Buffer.from('1')}}, {requestTxn: {success: [{requestRange: {key: Buffer.from('b')}}]}}],
  })
  const big = InternalRequest.fromPartial({put: {key: Buffer.from('big'), value: Buffer.alloc(200_000, 'x')}})
  const response = PutResponse.fromPartial({header: {revision: 12n, memberId: 5n}})
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(encodePooled(InternalRequest, put), Buffer.from(InternalRequest.encode(put).finish()))
    assert.deepEqual(encodePooled(TxnRequest, txn), Buffer.from(TxnRequest.encode(txn).finish()))
    assert.deepEqual(encodePooled(InternalRequest, big), Buffer.from(InternalRequest.encode(big).finish()))
    const framed = encodeAfterPrefix(PutResponse, response, 5)
    framed.fill(0, 0, 5)
    assert.deepEqual(framed.subarray(5), Buffer.from(PutResponse.encode(response).finish()))
  }
})

test('an encode that throws half-way leaves nothing behind for the next message', () => {
  const failing = {
    encode(message: unknown, writer?: Parameters<typeof PutResponse.encode>[1]) {
      PutResponse.encode(message as PutResponse, writer).fork()
      throw new Error('half-way')
    },
  }
  const response = PutResponse.fromPartial({header: {revision: 1n}})
  assert.throws(() => encodePooled(failing, response), /half-way/)
  assert.deepEqual(encodePooled(PutResponse, response), Buffer.from(PutResponse.encode(response).finish()))
})

test('an encoder that does not write into the writer it is given is used as it is', () => {
  const own = {encode: () => ({finish: () => Uint8Array.of(1, 2, 3)})}
  assert.deepEqual(encodeAfterPrefix(own, {}, 2).subarray(2), Buffer.of(1, 2, 3))
})

test("a request's size in the log, measured without building the log entry, is the entry's size", () => {
  const txn = TxnRequest.fromPartial({success: [{requestPut: {key: Buffer.from('k'), value: Buffer.alloc(300, 'v')}}], failure: [{requestDeleteRange: {key: Buffer.from('k')}}]})
  const put = PutRequest.fromPartial({key: Buffer.from('p'), value: Buffer.alloc(20_000, 'x'), lease: 5n})
  const del = DeleteRangeRequest.fromPartial({key: Buffer.from('a'), rangeEnd: Buffer.from('b'), prevKv: true})
  const entry = (request: Partial<InternalRequest>) => InternalRequest.encode(InternalRequest.fromPartial({id: 0n, ...request})).finish().length
  assert.equal(loggedRequestBytes(TxnRequest, txn), entry({txn}))
  assert.equal(loggedRequestBytes(PutRequest, put), entry({put}))
  assert.equal(loggedRequestBytes(DeleteRangeRequest, del), entry({deleteRange: del}))
  assert.equal(loggedRequestBytes(TxnRequest, TxnRequest.fromPartial({})), entry({txn: TxnRequest.fromPartial({})}))
})
