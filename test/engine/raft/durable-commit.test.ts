// A member counts its own log toward a commit only once it is durable (Raft thesis 10.2.1): a
// leader commits as soon as a quorum of durable copies exists, which may be two followers'
// while its own write is still on its way, and never counts its copy before its write is done.
// Between ready() and advance() the driver may apply what commits meanwhile and send a
// leader's appends, but nothing that speaks for its own disk.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {RawNode, mayPrecedeDurability} from '../../../src/engine/raft/rawnode.js'
import {Mulberry32} from '../../../src/engine/raft/rng.js'
import {MemoryStorage} from '../../../src/engine/raft/storage.js'
import {ConfChangeType, type Message, MessageType, StateType, message} from '../../../src/engine/raft/types.js'
import {Cluster} from './harness.js'

const text = (s: string) => new TextEncoder().encode(s)
const ack = (from: bigint, term: number, index: number) => message({type: MessageType.AppResp, from, to: 1n, term, index})
const appsTo = (messages: Message[]) => messages.filter((m) => m.type === MessageType.App).map((m) => `${m.to}:${m.entries.map((e) => e.index).join(',')}@${m.commit}`)

/** A three-member cluster with 1 leading and every Ready handled; 1's node is then driven by hand. */
function ledCluster(): {c: Cluster; node: RawNode; storage: MemoryStorage; term: number; last: number} {
  const c = new Cluster([1n, 2n, 3n])
  c.elect(1n)
  const {node, storage} = c.get(1n)
  assert.equal(node.raft.state, StateType.Leader)
  const last = node.raft.log.lastIndex()
  assert.equal(node.raft.log.committed, last)
  return {c, node, storage, term: node.raft.term, last}
}

describe('raft commit by durable copies', () => {
  it('a leader commits with two durable followers while its own write is still pending', () => {
    const {node, storage, term, last} = ledCluster()
    node.propose(text('a'))
    const rd = node.ready()
    assert.deepEqual(rd.entries.map((e) => e.index), [last + 1])
    // the appends may go before the leader's own write is durable
    assert.ok(rd.messages.every(mayPrecedeDurability))
    node.step(ack(2n, term, last + 1))
    // one follower and a copy still on its way to the leader's disk: no quorum of durable copies
    assert.equal(node.raft.log.committed, last)
    assert.deepEqual(node.takeCommittedEntries(), [])
    node.step(ack(3n, term, last + 1))
    assert.equal(node.raft.log.committed, last + 1)
    assert.equal(node.raft.prs.progress.get(1n)!.match, last)
    // committed while the write is pending: the driver may apply it now, once
    assert.deepEqual(node.takeCommittedEntries().map((e) => e.index), [last + 1])
    assert.deepEqual(node.takeCommittedEntries(), [])
    // the followers hear of the commit with the next Ready
    assert.deepEqual(appsTo(node.raft.msgs).sort(), [`2:@${last + 1}`, `3:@${last + 1}`])
    storage.append(rd.entries)
    node.advance()
    assert.equal(node.raft.log.applied, last + 1)
    assert.equal(node.raft.prs.progress.get(1n)!.match, last + 1)
    // nothing handed out twice
    assert.ok(!node.hasReady() || node.ready().committedEntries.length === 0)
  })

  it('a leader does not count its own copy before its write is durable', () => {
    const {node, storage, term, last} = ledCluster()
    node.propose(text('a'))
    const rd = node.ready()
    node.step(ack(2n, term, last + 1))
    assert.equal(node.raft.log.committed, last)
    assert.equal(node.raft.prs.progress.get(1n)!.match, last)
    storage.append(rd.entries)
    node.advance()
    // now the leader's durable copy and the follower's make a quorum
    assert.equal(node.raft.log.committed, last + 1)
    const next = node.ready()
    assert.deepEqual(next.committedEntries.map((e) => e.index), [last + 1])
    // and the followers are told of the new commit index
    assert.deepEqual(appsTo(next.messages).sort(), [`2:@${last + 1}`, `3:@${last + 1}`])
    node.advance()
  })

  it('a new leader counts only the durable part of its log', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    const {node} = c.get(2n)
    node.campaign()
    const rd = node.ready()
    // the vote requests wait for the new term and the vote for itself to be durable
    assert.ok(rd.messages.filter((m) => m.type === MessageType.Vote).every((m) => !mayPrecedeDurability(m)))
    c.get(2n).storage.setHardState(rd.hardState!)
    node.advance()
    node.step(message({type: MessageType.VoteResp, from: 3n, to: 2n, term: node.raft.term}))
    assert.equal(node.raft.state, StateType.Leader)
    // its empty entry of the new term is in memory only: its own match stays before it
    const empty = node.raft.log.lastIndex()
    assert.equal(node.raft.prs.progress.get(2n)!.match, empty - 1)
  })

  it('a membership change committed meanwhile waits for the next Ready, after its messages', () => {
    const {node, term, last} = ledCluster()
    node.propose(text('a'))
    node.proposeConfChange({type: ConfChangeType.RemoveNode, nodeId: 3n, context: new Uint8Array(0)})
    node.propose(text('b'))
    node.ready()
    node.step(ack(2n, term, last + 3))
    node.step(ack(3n, term, last + 3))
    assert.equal(node.raft.log.committed, last + 3)
    assert.deepEqual(node.takeCommittedEntries().map((e) => e.index), [last + 1])
    assert.deepEqual(node.takeCommittedEntries(), [])
  })

  it('a single member commits its entry once its own write is durable', () => {
    const storage = new MemoryStorage()
    storage.applySnapshot({data: new Uint8Array(0), metadata: {index: 1, term: 1, confState: {voters: [1n], learners: []}}})
    storage.setHardState({term: 1, vote: 0n, commit: 1})
    const node = new RawNode({id: 1n, storage, rng: new Mulberry32(1), electionTimeoutTicks: 10, heartbeatTicks: 1})
    node.campaign()
    assert.equal(node.raft.state, StateType.Leader)
    let rd = node.ready()
    assert.equal(rd.entries.length, 1)
    assert.equal(rd.committedEntries.length, 0)
    assert.equal(node.raft.log.committed, 1)
    storage.setHardState(rd.hardState!)
    storage.append(rd.entries)
    node.advance()
    assert.equal(node.raft.log.committed, 2)
    rd = node.ready()
    assert.deepEqual(rd.committedEntries.map((e) => e.index), [2])
    node.advance()
  })

  it('a follower answers an append only with its Ready, and it may apply what the leader committed before its own write ends', () => {
    const {c, term, last} = ledCluster()
    const {node} = c.get(2n)
    // entries last+1, last+2; the leader says last+1 is committed (durable on a quorum elsewhere)
    const entries = [last + 1, last + 2].map((index) => ({term, index, type: 0, data: text(`e${index}`)}))
    node.step(message({type: MessageType.App, from: 1n, to: 2n, term, index: last, logTerm: term, entries, commit: last + 1}))
    const rd = node.ready()
    const resp = rd.messages.find((m) => m.type === MessageType.AppResp)!
    assert.ok(!mayPrecedeDurability(resp))
    assert.deepEqual(rd.committedEntries.map((e) => e.index), [last + 1])
    // the commit index moves on while the write is pending: the entry can be applied already
    node.step(message({type: MessageType.Heartbeat, from: 1n, to: 2n, term, commit: last + 2}))
    assert.deepEqual(node.takeCommittedEntries().map((e) => e.index), [last + 2])
    // the heartbeat's answer waits for the disk with the rest
    assert.ok(node.raft.msgs.every((m) => !mayPrecedeDurability(m)))
    c.get(2n).storage.append(rd.entries)
    node.advance()
    assert.equal(node.raft.log.applied, last + 2)
  })
})
