// ReadIndex: a linearizable read without a log write. The leader records its commit index and
// confirms it is still leader with a quorum of heartbeat responses; a new leader first commits
// an entry of its term.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {MessageType} from '../../../src/engine/raft/types.js'
import {Cluster} from './harness.js'

const ctx = (s: string) => new TextEncoder().encode(s)
const str = (b: Uint8Array) => new TextDecoder().decode(b)

describe('raft read index', () => {
  it('the leader answers after a heartbeat round, at its commit index', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.propose(1n, 'a')
    c.takeTrace()
    c.get(1n).node.readIndex(ctx('r1'))
    c.stabilize()
    assert.deepEqual(c.get(1n).readStates.map((rs) => [rs.index, str(rs.requestCtx)]), [[c.raft(1n).log.committed, 'r1']])
    assert.ok(c.trace.some((line) => line.startsWith('1->2 MsgHeartbeat')))
    // No entry was appended for the read.
    assert.equal(c.raft(1n).log.lastIndex(), 3)
  })

  it('a follower forwards the request and gets the leader\'s index', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.propose(1n, 'a')
    c.get(3n).node.readIndex(ctx('from 3'))
    c.stabilize()
    assert.deepEqual(c.get(3n).readStates.map((rs) => [rs.index, str(rs.requestCtx)]), [[3, 'from 3']])
  })

  it('a leader cut off from its quorum never answers', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.isolate(1n)
    c.get(1n).node.readIndex(ctx('stale'))
    c.stabilize()
    c.tick(1n, 5)
    c.stabilize()
    assert.deepEqual(c.get(1n).readStates, [])
  })

  it('a new leader holds reads until it has committed an entry of its term', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    // Nobody acknowledges appends: the leader's empty entry stays uncommitted.
    c.ignore(MessageType.AppResp)
    c.elect(2n)
    c.get(2n).node.readIndex(ctx('early'))
    c.stabilize()
    assert.deepEqual(c.get(2n).readStates, [])
    c.recover()
    c.tick(2n)
    c.stabilize()
    assert.deepEqual(c.get(2n).readStates.map((rs) => [rs.index, str(rs.requestCtx)]), [[c.raft(2n).log.committed, 'early']])
    assert.equal(c.raft(2n).log.committed, 3)
  })
})
