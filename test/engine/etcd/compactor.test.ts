// Auto-compaction on a fake timer: when each mode compacts and at which revision, and how the
// retention flag is read.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {Compactor, type CompactorTimers, parseRetention, revisionCheckIntervalMs} from '../../../src/engine/etcd/compactor.js'

/** Intervals fired by hand: advance(ms) runs every callback due, in time order. */
class FakeTimers implements CompactorTimers {
  private now = 0
  private readonly intervals = new Map<number, {callback: () => void; ms: number; next: number}>()
  private nextId = 1
  setInterval(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.intervals.set(id, {callback, ms, next: this.now + ms})
    return id
  }
  clearInterval(handle: unknown): void {
    this.intervals.delete(handle as number)
  }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms
    while (true) {
      const due = [...this.intervals.values()].filter((interval) => interval.next <= end).sort((a, b) => a.next - b.next)[0]
      if (due === undefined) break
      this.now = due.next
      due.next += due.ms
      due.callback()
      // let the compaction's promise settle before the next tick
      for (let i = 0; i < 5; i++) await Promise.resolve()
    }
    this.now = end
  }
}

function target() {
  const state = {revision: 1, compacted: [] as number[]}
  return {
    state,
    target: {
      currentRevision: () => state.revision,
      compact: async (revision: number) => {
        state.compacted.push(revision)
      },
    },
  }
}

test('revision mode: every 5 minutes, at current - retention, never twice at the same revision', async () => {
  const timers = new FakeTimers()
  const {state, target: t} = target()
  const compactor = new Compactor('revision', 10, t, timers)
  compactor.start()
  state.revision = 5
  await timers.advance(revisionCheckIntervalMs)
  assert.deepEqual(state.compacted, [], 'current - retention <= 0: nothing to compact')
  state.revision = 25
  await timers.advance(revisionCheckIntervalMs - 1)
  assert.deepEqual(state.compacted, [])
  await timers.advance(1)
  assert.deepEqual(state.compacted, [15])
  await timers.advance(revisionCheckIntervalMs)
  assert.deepEqual(state.compacted, [15], 'no new revisions: no new compaction')
  state.revision = 40
  await timers.advance(revisionCheckIntervalMs)
  assert.deepEqual(state.compacted, [15, 30])
  await compactor.stop()
  state.revision = 100
  await timers.advance(revisionCheckIntervalMs * 3)
  assert.deepEqual(state.compacted, [15, 30])
})

test('periodic mode: keeps the retention window; compacts at the revision of one period ago', async () => {
  const timers = new FakeTimers()
  const {state, target: t} = target()
  const periodMs = 10 * 60_000
  const compactor = new Compactor('periodic', periodMs, t, timers)
  compactor.start()
  // one revision per minute
  for (let minute = 1; minute <= 10; minute++) {
    state.revision = 1 + minute
    await timers.advance(60_000)
  }
  // after one full period the revision sampled at its start (1) is compacted
  assert.deepEqual(state.compacted, [1])
  for (let minute = 11; minute <= 20; minute++) {
    state.revision = 1 + minute
    await timers.advance(60_000)
  }
  // the next period compacts at what was current a period ago
  assert.deepEqual(state.compacted, [1, 11])
  await compactor.stop()
})

test('periodic with more than an hour compacts hourly, keeping the whole retention', async () => {
  const timers = new FakeTimers()
  const {state, target: t} = target()
  const compactor = new Compactor('periodic', 3 * 3600_000, t, timers)
  compactor.start()
  for (let minute = 1; minute <= 5 * 60; minute++) {
    state.revision = 1 + minute
    await timers.advance(60_000)
  }
  // samples every 6 minutes; the oldest kept is 3 hours old, compaction each hour from then
  assert.ok(state.compacted.length >= 2, String(state.compacted))
  for (const revision of state.compacted) assert.ok(revision <= state.revision - 3 * 60 + 6, `${revision} keeps less than 3 h`)
  await compactor.stop()
})

test('retention: durations, hours as numbers, revisions; etcd\'s errors', () => {
  assert.equal(parseRetention('periodic', '1h'), 3600_000)
  assert.equal(parseRetention('periodic', '30m'), 1800_000)
  assert.equal(parseRetention('periodic', '1h30m'), 5400_000)
  assert.equal(parseRetention('periodic', '2'), 7200_000)
  assert.equal(parseRetention('periodic', '0.5'), 1800_000)
  assert.equal(parseRetention('periodic', '0'), 0)
  assert.equal(parseRetention('revision', '1000'), 1000)
  assert.throws(() => parseRetention('periodic', 'abc'), {message: 'error parsing CompactionRetention: time: invalid duration "abc"'})
  assert.throws(() => parseRetention('revision', '1h'), /invalid syntax/)
})
