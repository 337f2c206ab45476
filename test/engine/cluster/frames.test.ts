// Length-prefixed frames: what frame() and frames() write, FrameReader reads back, however the
// bytes are cut into chunks; a frame above the reader's limit is refused.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {FrameReader, frame, frames} from '../../../src/engine/cluster/frames.js'

const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(3000, 7), Buffer.from('last')]

describe('peer frames', () => {
  it('frames() is frame() of each payload, back to back', () => {
    assert.deepEqual(frames(payloads), Buffer.concat(payloads.map(frame)))
    assert.equal(frames([]).length, 0)
  })

  it('reads back every payload, in order, from any cut of the bytes', () => {
    const bytes = frames(payloads)
    for (const cut of [1, 3, 4, 5, 17, 1000, bytes.length]) {
      const reader = new FrameReader(1 << 20)
      const read: Buffer[] = []
      for (let at = 0; at < bytes.length; at += cut) read.push(...reader.push(bytes.subarray(at, at + cut)))
      assert.deepEqual(read, payloads, `chunks of ${cut} bytes`)
    }
  })

  it('refuses a frame above the limit', () => {
    const reader = new FrameReader(100)
    assert.throws(() => reader.push(frames([Buffer.alloc(101)])))
  })
})
