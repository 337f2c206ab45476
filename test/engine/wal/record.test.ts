import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {encodeEntry, encodeHardState, encodeRecords, isFault, readRecord, RecordType} from '../../../src/engine/wal/record.js'
import {entries} from './helpers.js'

describe('wal records', () => {
  it('encodes an append in one buffer, byte for byte as its records one by one', () => {
    const list = entries(7n, 40n, 3n)
    const hardState = {term: 3n, vote: 2n, commit: 39n}
    assert.deepEqual(encodeRecords(list, hardState), Buffer.concat([...list.map(encodeEntry), encodeHardState(hardState)]))
    assert.deepEqual(encodeRecords(list, undefined), Buffer.concat(list.map(encodeEntry)))
    assert.deepEqual(encodeRecords([], hardState), encodeHardState(hardState))
    assert.equal(encodeRecords([], undefined).length, 0)
  })

  it('each record of a shared buffer reads back with its own CRC', () => {
    const list = entries(1n, 5n)
    const buf = encodeRecords(list, undefined)
    let offset = 0
    for (const entry of list) {
      const record = readRecord(buf, offset)
      assert.ok(!isFault(record), `record ${entry.index}`)
      assert.equal(record.type, RecordType.entry)
      assert.equal(record.payload.readBigUInt64LE(0), entry.index)
      offset = record.end
    }
    assert.equal(offset, buf.length)
    buf[buf.length - 1] ^= 1
    let last = readRecord(buf, 0)
    for (let i = 1; i < list.length && !isFault(last); i++) last = readRecord(buf, last.end)
    assert.ok(isFault(last) && last.kind === 'bad-crc')
  })
})
