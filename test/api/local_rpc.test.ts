import assert from 'node:assert/strict'
import {test} from 'node:test'
import {EtcdError, GrpcCode} from '../../src/api/errors.js'
import {decodeError, encodeError, encodeFrame, FrameKind, FrameReader, maxFrameBytes} from '../../src/api/local_rpc.js'

test('frames survive being split at every byte boundary', () => {
  const frames = [
    {callId: 1, kind: FrameKind.request, method: 'Put', payload: Buffer.from('abc')},
    {callId: 2, kind: FrameKind.response, method: 'Range', payload: Buffer.alloc(0)},
    {callId: 0xffffffff, kind: FrameKind.request, method: 'Txn', payload: Buffer.alloc(1000, 7)},
  ]
  const wire = Buffer.concat(frames.map(encodeFrame))
  for (let split = 0; split <= wire.length; split++) {
    const reader = new FrameReader()
    const got = [...reader.push(wire.subarray(0, split)), ...reader.push(wire.subarray(split))]
    assert.deepEqual(
      got.map((f) => ({...f, payload: Buffer.from(f.payload)})),
      frames,
    )
  }
})

test('a frame over the limit is refused before it is buffered', () => {
  const head = Buffer.alloc(4)
  head.writeUInt32BE(maxFrameBytes + 1)
  assert.throws(() => new FrameReader().push(head), /bad frame length/)
})

test('errors keep their gRPC code and etcd message', () => {
  const wire = encodeError(9, new EtcdError(GrpcCode.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'))
  const [frame] = new FrameReader().push(wire)
  assert.equal(frame.kind, FrameKind.error)
  assert.equal(frame.callId, 9)
  const error = decodeError(frame.payload)
  assert.equal(error.code, GrpcCode.OUT_OF_RANGE)
  assert.equal(error.message, 'etcdserver: mvcc: required revision has been compacted')
})
