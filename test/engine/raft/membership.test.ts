// Single-step membership changes, applied when committed: adding a node (it catches up from a
// snapshot), learners and their promotion, removal (also of the leader), and one pending change
// at a time.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ConfChangeType, EntryType, StateType} from '../../../src/engine/raft/types.js'
import {Cluster} from './harness.js'

const noContext = new Uint8Array(0)

describe('raft membership', () => {
  it('adds a node: it gets a snapshot, applies what follows and then votes', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.propose(1n, 'before')
    c.add(4n, undefined)
    c.get(1n).node.proposeConfChange({type: ConfChangeType.AddNode, nodeId: 4n, context: noContext})
    c.stabilize()
    assert.deepEqual(c.get(1n).confState.voters.sort(), [1n, 2n, 3n, 4n])
    c.tickAll()
    c.stabilize()
    c.propose(1n, 'after')
    // 4 started empty: the leader's log begins after the bootstrap snapshot, so it got that snapshot.
    assert.ok(c.trace.some((line) => line.startsWith('1->4 MsgSnap')))
    assert.deepEqual(c.appliedText(4n), ['before', 'after'])
    assert.deepEqual(c.get(4n).confState.voters.sort(), [1n, 2n, 3n, 4n])
    // With four voters, three make a quorum: 1 and 4 alone cannot commit.
    c.isolate(2n)
    c.isolate(3n)
    c.get(1n).node.propose(new TextEncoder().encode('stuck'))
    c.stabilize()
    assert.ok(!c.appliedText(1n).includes('stuck'))
  })

  it('a learner receives the log but does not count for commit; promoted, it votes', () => {
    const c = new Cluster([1n, 2n, 3n], {learners: [3n]})
    c.elect(1n)
    c.propose(1n, 'a')
    assert.deepEqual(c.appliedText(3n), ['a'])
    c.isolate(2n)
    c.propose(1n, 'needs 2')
    assert.deepEqual(c.appliedText(1n), ['a'])
    c.recover()
    c.tickAll()
    c.stabilize()
    c.get(1n).node.proposeConfChange({type: ConfChangeType.AddNode, nodeId: 3n, context: noContext})
    c.stabilize()
    assert.deepEqual(c.get(1n).confState, {voters: [1n, 2n, 3n], learners: []})
    assert.equal(c.raft(3n).isLearner, false)
    c.isolate(2n)
    c.propose(1n, 'with 3')
    assert.ok(c.appliedText(1n).includes('with 3'))
  })

  it('allows one pending change at a time: a second one becomes an empty entry', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.add(4n, undefined)
    c.add(5n, undefined)
    c.get(1n).node.proposeConfChange({type: ConfChangeType.AddLearnerNode, nodeId: 4n, context: noContext})
    c.get(1n).node.proposeConfChange({type: ConfChangeType.AddLearnerNode, nodeId: 5n, context: noContext})
    c.stabilize()
    const confChanges = c.get(1n).applied.filter((e) => e.type === EntryType.ConfChange)
    assert.equal(confChanges.length, 1)
    assert.deepEqual(c.get(1n).confState.learners, [4n])
  })

  it('removes the leader: it steps down and the others elect a leader among themselves', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.get(1n).node.proposeConfChange({type: ConfChangeType.RemoveNode, nodeId: 1n, context: noContext})
    c.stabilize()
    assert.notEqual(c.state(1n), StateType.Leader)
    assert.deepEqual(c.get(2n).confState.voters.sort(), [2n, 3n])
    c.isolate(1n)
    for (let i = 0; i < 40 && c.leader() === undefined; i++) {
      c.tickAll()
      c.stabilize()
    }
    const leader = c.leader()
    assert.ok(leader === 2n || leader === 3n)
    c.propose(leader, 'two voters')
    assert.deepEqual(c.appliedText(2n), ['two voters'])
  })

  it('an update changes nothing but reaches every member as data', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.get(1n).node.proposeConfChange({type: ConfChangeType.UpdateNode, nodeId: 2n, context: new TextEncoder().encode('http://new:2380')})
    c.stabilize()
    assert.equal(c.get(3n).applied.filter((e) => e.type === EntryType.ConfChange).length, 1)
    assert.deepEqual(c.get(3n).confState.voters.sort(), [1n, 2n, 3n])
  })
})
