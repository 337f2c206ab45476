// The wire/log codec: every record survives a round trip, ids use all 64 bits, and malformed
// input is a CodecError, never a crash or a silent misread.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import fc from 'fast-check'
import {
  CodecError,
  decodeConfChange,
  decodeEntry,
  decodeHardState,
  decodeMessage,
  decodeSnapshot,
  encodeConfChange,
  encodeEntry,
  encodeHardState,
  encodeMessage,
  encodeSnapshot,
} from '../../../src/engine/raft/codec.js'
import {ConfChangeType, EntryType, type Message, MessageType, message} from '../../../src/engine/raft/types.js'

/** fast-check builds records without a prototype; the codec returns plain objects. */
function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plain) as T
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = plain(v)
  return out as T
}

const id = fc.bigInt({min: 0n, max: (1n << 64n) - 1n})
const index = fc.oneof(fc.integer({min: 0, max: 1000}), fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}))
const bytes = fc.uint8Array({maxLength: 40}).map((b) => new Uint8Array(b))
const entry = fc.record({term: index, index, type: fc.constantFrom(EntryType.Normal, EntryType.ConfChange), data: bytes})
const snapshot = fc.record({
  data: bytes,
  metadata: fc.record({index, term: index, confState: fc.record({voters: fc.array(id, {maxLength: 5}), learners: fc.array(id, {maxLength: 3})})}),
})
const msg = fc
  .record({
    type: fc.integer({min: 0, max: 18}) as fc.Arbitrary<MessageType>,
    to: id,
    from: id,
    term: index,
    logTerm: index,
    index,
    commit: index,
    reject: fc.boolean(),
    rejectHint: index,
    context: bytes,
    entries: fc.array(entry, {maxLength: 4}),
    snapshot: fc.option(snapshot, {nil: undefined}),
  })
  .map((m) => {
    const out: Message = {...m}
    if (m.snapshot === undefined) delete out.snapshot
    return out
  })

describe('raft codec', () => {
  it('round-trips messages', () => {
    fc.assert(fc.property(msg, (m) => assert.deepEqual(decodeMessage(encodeMessage(m)), plain(m))), {numRuns: 300})
  })

  it('round-trips entries, hard states, conf changes and snapshots', () => {
    fc.assert(fc.property(entry, (e) => assert.deepEqual(decodeEntry(encodeEntry(e)), plain(e))))
    fc.assert(fc.property(index, id, index, (term, vote, commit) => assert.deepEqual(decodeHardState(encodeHardState({term, vote, commit})), {term, vote, commit})))
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<ConfChangeType>, id, bytes, (type, nodeId, context) =>
        assert.deepEqual(decodeConfChange(encodeConfChange({type, nodeId, context})), {type, nodeId, context}),
      ),
    )
    fc.assert(fc.property(snapshot, (s) => assert.deepEqual(decodeSnapshot(encodeSnapshot(s)), plain(s))))
  })

  it('is compact: a heartbeat is a handful of bytes', () => {
    const hb = encodeMessage(message({type: MessageType.Heartbeat, to: 2n, from: 1n, term: 7, commit: 1000}))
    assert.ok(hb.length <= 20, `${hb.length} bytes`)
  })

  it('rejects every truncation and trailing garbage with a CodecError', () => {
    const full = encodeMessage(
      message({type: MessageType.App, to: 2n, from: 1n, term: 3, index: 9, logTerm: 2, entries: [{term: 3, index: 10, type: EntryType.Normal, data: new Uint8Array([1, 2, 3])}]}),
    )
    for (let n = 0; n < full.length; n++) assert.throws(() => decodeMessage(full.subarray(0, n)), CodecError)
    assert.throws(() => decodeMessage(new Uint8Array([...full, 0])), CodecError)
  })

  it('never crashes on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 64}), (b) => {
        try {
          decodeMessage(new Uint8Array([1, ...b]))
        } catch (error) {
          assert.ok(error instanceof CodecError, String(error))
        }
      }),
      {numRuns: 2000},
    )
  })

  it('refuses values it cannot encode exactly', () => {
    assert.throws(() => encodeEntry({term: 2 ** 53, index: 1, type: EntryType.Normal, data: new Uint8Array(0)}), CodecError)
    assert.throws(() => encodeHardState({term: 1, vote: 1n << 64n, commit: 0}), CodecError)
    assert.throws(() => encodeHardState({term: -1, vote: 0n, commit: 0}), CodecError)
  })
})
