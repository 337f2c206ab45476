// Leadership transfer: the leader brings the transferee up to date and sends it MsgTimeoutNow;
// the transferee campaigns at once (no pre-vote, past any lease). Proposals are refused meanwhile.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {MessageType, StateType} from '../../../src/engine/raft/types.js'
import {Cluster} from './harness.js'

describe('raft leader transfer', () => {
  it('hands leadership to an up-to-date follower', () => {
    const c = new Cluster([1n, 2n, 3n], {preVote: true, checkQuorum: true})
    c.elect(1n)
    c.propose(1n, 'a')
    c.takeTrace()
    c.get(1n).node.transferLeader(2n)
    c.stabilize()
    assert.equal(c.leader(), 2n)
    assert.equal(c.state(1n), StateType.Follower)
    assert.equal(c.raft(2n).term, 3)
    assert.equal(c.trace[0], '1->2 MsgTimeoutNow term=2')
  })

  it('catches a lagging transferee up first', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.isolate(3n)
    c.propose(1n, 'a')
    c.recover()
    c.get(1n).node.transferLeader(3n)
    c.stabilize()
    // The probe was lost while 3 was cut off; a heartbeat resumes it.
    c.tick(1n)
    c.stabilize()
    assert.equal(c.leader(), 3n)
    assert.deepEqual(c.appliedText(3n), ['a'])
  })

  it('refuses proposals while transferring, and gives up after an election timeout', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.ignore(MessageType.TimeoutNow)
    c.get(1n).node.transferLeader(2n)
    c.stabilize()
    assert.throws(() => c.get(1n).node.propose(new Uint8Array([1])), /proposal dropped/)
    c.tick(1n, 10)
    c.stabilize()
    assert.equal(c.leader(), 1n)
    c.propose(1n, 'ok again')
    assert.deepEqual(c.appliedText(2n), ['ok again'])
  })

  it('a follower passes the request to the leader', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.get(3n).node.transferLeader(3n)
    c.stabilize()
    assert.equal(c.leader(), 3n)
  })
})
