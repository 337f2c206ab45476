// Elections: who wins, who may vote, and how pre-vote and check-quorum keep a member that was
// cut off from disturbing the cluster when it returns.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {StateType} from '../../../src/engine/raft/types.js'
import {Cluster} from './harness.js'

describe('raft election', () => {
  it('elects the node that campaigns, and the trace shows one vote round', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.get(1n).node.campaign()
    c.stabilize()
    assert.equal(c.leader(), 1n)
    assert.equal(c.raft(1n).term, 2)
    assert.deepEqual(c.trace.slice(0, 4), [
      '1->2 MsgVote term=2 logTerm=1 index=1',
      '1->3 MsgVote term=2 logTerm=1 index=1',
      '2->1 MsgVoteResp term=2',
      '3->1 MsgVoteResp term=2',
    ])
    // The leader's empty entry of term 2 is committed and applied everywhere.
    for (const id of [1n, 2n, 3n]) assert.deepEqual(c.get(id).applied.map((e) => `${e.term}/${e.index}`), ['2/2'])
  })

  it('elects a leader by election timeout alone, within [timeout, 2*timeout) ticks', () => {
    const c = new Cluster([1n, 2n, 3n], {electionTimeoutTicks: 10, seed: 7})
    let ticks = 0
    while (c.leader() === undefined) {
      c.tickAll()
      c.stabilize()
      ticks++
      assert.ok(ticks < 20, 'a leader within two election timeouts')
    }
    assert.ok(ticks >= 10)
    for (const id of [1n, 2n, 3n]) assert.equal(c.raft(id).randomizedElectionTimeoutTicks >= 10 && c.raft(id).randomizedElectionTimeoutTicks < 20, true)
  })

  it('a candidate with a stale log loses: votes go to up-to-date logs only', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.isolate(3n)
    c.propose(1n, 'a')
    c.recover()
    // 3 lacks 'a': 1 and 2 reject it even at a higher term.
    c.get(3n).node.campaign()
    c.stabilize()
    assert.notEqual(c.state(3n), StateType.Leader)
    c.get(2n).node.campaign()
    c.stabilize()
    assert.equal(c.leader(), 2n)
  })

  it('without pre-vote, a node back from a partition disrupts the leader with its raised term', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.isolate(3n)
    c.get(3n).node.campaign()
    c.get(3n).node.campaign()
    c.stabilize()
    assert.equal(c.raft(3n).term, 4)
    c.recover()
    c.get(3n).node.campaign()
    c.stabilize()
    // The leader saw term 5 and lost its leadership to the returning node's election.
    assert.equal(c.raft(1n).term, 5)
    assert.notEqual(c.leader(), 1n)
  })

  it('with pre-vote, a node back from a partition does not raise its term or disrupt the leader', () => {
    const c = new Cluster([1n, 2n, 3n], {preVote: true})
    c.elect(1n)
    c.propose(1n, 'x')
    c.isolate(3n)
    for (let i = 0; i < 5; i++) {
      c.get(3n).node.campaign()
      c.stabilize()
    }
    // A pre-candidate that cannot reach anyone never increments its term.
    assert.equal(c.raft(3n).term, 2)
    assert.equal(c.state(3n), StateType.PreCandidate)
    c.recover()
    c.propose(1n, 'y')
    assert.equal(c.leader(), 1n)
    assert.equal(c.raft(1n).term, 2)
    assert.deepEqual(c.appliedText(3n), ['x', 'y'])
  })

  it('with pre-vote, a node with a stale log is refused the pre-vote and the term stays', () => {
    const c = new Cluster([1n, 2n, 3n], {preVote: true})
    c.elect(1n)
    c.isolate(3n)
    c.propose(1n, 'a')
    c.recover()
    c.get(3n).node.campaign()
    c.stabilize()
    assert.equal(c.raft(1n).term, 2)
    assert.equal(c.leader(), 1n)
  })

  it('with check-quorum, a leader that loses its quorum steps down', () => {
    const c = new Cluster([1n, 2n, 3n], {checkQuorum: true, preVote: true})
    c.elect(1n)
    c.isolate(1n)
    // Two check-quorum rounds: the first marks peers inactive, the second finds none active.
    c.tick(1n, 10)
    c.stabilize()
    assert.equal(c.state(1n), StateType.Leader)
    c.tick(1n, 10)
    c.stabilize()
    assert.equal(c.state(1n), StateType.Follower)
  })

  it('with check-quorum, followers ignore vote requests while they hear from a leader (lease)', () => {
    const c = new Cluster([1n, 2n, 3n], {checkQuorum: true})
    c.elect(1n)
    c.isolate(3n)
    c.get(3n).node.campaign()
    c.stabilize()
    c.recover()
    // 3's term is higher, but 2 heard from 1 within the election timeout and does not vote.
    c.get(3n).node.campaign()
    c.stabilize()
    assert.notEqual(c.state(3n), StateType.Leader)
    // 3's messages at a higher term reach the leader only as responses; the leader learns of the
    // term through 3's reply to its heartbeat, steps down, and a new election follows.
    c.tickAll(30)
    c.stabilize()
    for (let i = 0; i < 40 && c.leader() === undefined; i++) {
      c.tickAll()
      c.stabilize()
    }
    assert.notEqual(c.leader(), undefined)
  })

  it('a learner never campaigns, and its vote does not count', () => {
    const c = new Cluster([1n, 2n, 3n], {learners: [3n]})
    c.tick(3n, 100)
    c.stabilize()
    assert.equal(c.state(3n), StateType.Follower)
    assert.equal(c.raft(3n).term, 1)
    c.isolate(2n)
    c.get(1n).node.campaign()
    c.stabilize()
    // Voters are 1 and 2: 1 alone is not a quorum, whatever 3 says.
    assert.notEqual(c.state(1n), StateType.Leader)
  })
})
