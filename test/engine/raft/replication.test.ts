// Log replication: conflicting suffixes are replaced, the leader commits only entries of its
// own term by counting replicas (figure 8 of the Raft paper), flow control bounds what is in
// flight, and a follower behind the compacted log catches up from a snapshot.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ProgressState} from '../../../src/engine/raft/progress.js'
import {RawNode} from '../../../src/engine/raft/rawnode.js'
import {Mulberry32} from '../../../src/engine/raft/rng.js'
import {MemoryStorage} from '../../../src/engine/raft/storage.js'
import {EntryType, MessageType, StateType, message} from '../../../src/engine/raft/types.js'
import {Cluster} from './harness.js'

const text = (s: string) => new TextEncoder().encode(s)

describe('raft replication', () => {
  it('replaces a deposed leader\'s uncommitted entries with the new leader\'s log', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.propose(1n, 'a')
    c.isolate(1n)
    c.propose(1n, 'x1')
    c.propose(1n, 'x2')
    c.elect(2n)
    c.propose(2n, 'y')
    c.recover()
    c.takeTrace()
    // A heartbeat reaches 1, which steps down; its response resumes probing.
    c.tick(2n)
    c.propose(2n, 'z')
    for (const id of [1n, 2n, 3n]) assert.deepEqual(c.appliedText(id), ['a', 'y', 'z'])
    const logs = [1n, 2n, 3n].map((id) => c.get(id).storage.entries(2, c.get(id).storage.lastIndex() + 1, Infinity).map((e) => `${e.term}/${e.index}`))
    assert.deepEqual(logs[0], logs[1])
    assert.deepEqual(logs[1], logs[2])
    // 1's entries x1 and x2 (term 2, at 4 and 5) were replaced in one append.
    assert.ok(c.trace.includes('2->1 MsgApp term=3 logTerm=2 index=3 commit=5 entries=[3/4 3/5 3/6]'), c.trace.join('\n'))
  })

  it('a rejection hints the last index whose term can match, so a leader skips a whole term', () => {
    // A follower with entries 2..6 of term 2 is probed at index 8 with logTerm 5, then at 6 with logTerm 3.
    const storage = new MemoryStorage()
    storage.applySnapshot({data: new Uint8Array(0), metadata: {index: 1, term: 1, confState: {voters: [1n, 2n], learners: []}}})
    storage.append([2, 3, 4, 5, 6].map((index) => ({term: 2, index, type: EntryType.Normal, data: new Uint8Array(0)})))
    storage.setHardState({term: 5, vote: 0n, commit: 1})
    const node = new RawNode({id: 2n, storage, rng: new Mulberry32(1), electionTimeoutTicks: 10, heartbeatTicks: 1})
    node.step(message({type: MessageType.App, from: 1n, to: 2n, term: 5, index: 8, logTerm: 5, commit: 1}))
    node.step(message({type: MessageType.App, from: 1n, to: 2n, term: 5, index: 6, logTerm: 3, commit: 1}))
    const rd = node.ready()
    assert.deepEqual(
      rd.messages.map((m) => [m.index, m.reject, m.rejectHint, m.logTerm]),
      [
        [8, true, 6, 2],
        [6, true, 6, 2],
      ],
    )
  })

  it('counts replicas only for entries of the current term (figure 8)', () => {
    // Node 1's log: [1/1 snapshot] 2/2 3/2 (entry 3 of an old term, never committed).
    const storage = new MemoryStorage()
    storage.applySnapshot({data: new Uint8Array(0), metadata: {index: 1, term: 1, confState: {voters: [1n, 2n, 3n], learners: []}}})
    storage.append([
      {term: 2, index: 2, type: EntryType.Normal, data: new Uint8Array(0)},
      {term: 2, index: 3, type: EntryType.Normal, data: text('old')},
    ])
    storage.setHardState({term: 3, vote: 0n, commit: 2})
    const node = new RawNode({id: 1n, storage, rng: new Mulberry32(1), electionTimeoutTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false})
    node.campaign()
    node.step(message({type: MessageType.VoteResp, from: 2n, to: 1n, term: 4}))
    assert.equal(node.raft.state, StateType.Leader)
    assert.equal(node.raft.log.lastIndex(), 4)
    // Entry 3 (term 2) is now on a majority (1 and 2), but it is not of term 4: no commit.
    node.step(message({type: MessageType.AppResp, from: 2n, to: 1n, term: 4, index: 3}))
    assert.equal(node.raft.log.committed, 2)
    // The term-4 entry on node 2 and in the leader's memory is not yet on a majority of disks.
    node.step(message({type: MessageType.AppResp, from: 2n, to: 1n, term: 4, index: 4}))
    assert.equal(node.raft.log.committed, 2)
    // Once the leader's own copy is durable too, it and everything before it commit.
    const rd = node.ready()
    storage.append(rd.entries)
    node.advance()
    assert.equal(node.raft.log.committed, 4)
  })

  it('bounds the messages in flight to a follower in replicate state', () => {
    const c = new Cluster([1n, 2n, 3n], {maxInflightMsgs: 2})
    c.elect(1n)
    c.ignore(MessageType.AppResp)
    // one Ready per proposal, so each goes out in a MsgApp of its own
    for (let i = 0; i < 5; i++) {
      c.get(1n).node.propose(text(`p${i}`))
      c.stabilize()
    }
    const apps = c.trace.filter((line) => line.startsWith('1->2 MsgApp ') && !line.includes('entries=[]'))
    const pr = c.raft(1n).prs.progress.get(2n)!
    assert.equal(pr.state, ProgressState.Replicate)
    assert.equal(pr.inflights.full(), true)
    // The election's append plus two in flight; the rest waits for acknowledgements.
    assert.ok(apps.length <= 3, apps.join('\n'))
    c.recover()
    c.tickAll()
    c.stabilize()
    for (const id of [1n, 2n, 3n]) assert.deepEqual(c.appliedText(id), ['p0', 'p1', 'p2', 'p3', 'p4'])
  })

  it('sends the proposals of one Ready in one MsgApp per follower, answered once', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    const before = c.trace.length
    for (let i = 0; i < 5; i++) c.get(1n).node.propose(text(`p${i}`))
    c.stabilize()
    const trace = c.trace.slice(before)
    const appsTo2 = trace.filter((line) => line.startsWith('1->2 MsgApp ') && !line.includes('entries=[]'))
    assert.equal(appsTo2.length, 1, trace.join('\n'))
    const acceptsFrom2 = trace.filter((line) => line.startsWith('2->1 MsgAppResp ') && !line.includes('reject'))
    // one for the entries, one for the commit index that follows them
    assert.equal(acceptsFrom2.length, 2, trace.join('\n'))
    for (const id of [1n, 2n, 3n]) assert.deepEqual(c.appliedText(id), ['p0', 'p1', 'p2', 'p3', 'p4'])
  })

  it('sends a snapshot to a follower behind the compacted log, and it catches up', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.isolate(3n)
    for (let i = 0; i < 10; i++) c.propose(1n, `e${i}`)
    const leader = c.get(1n)
    const applied = leader.node.raft.log.applied
    leader.storage.createSnapshot(applied, leader.confState, text('state at ' + applied))
    leader.storage.compact(applied)
    c.recover()
    c.takeTrace()
    c.tickAll()
    c.stabilize()
    c.propose(1n, 'after')
    assert.ok(c.trace.some((line) => line.startsWith('1->3 MsgSnap')), c.trace.join('\n'))
    const follower = c.get(3n)
    assert.equal(follower.storage.snapshot().metadata.index, applied)
    assert.equal(new TextDecoder().decode(follower.storage.snapshot().data), 'state at ' + applied)
    assert.deepEqual(c.appliedText(3n), ['after'])
    assert.equal(c.raft(3n).log.committed, c.raft(1n).log.committed)
  })

  it('a follower forwards proposals to the leader', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.propose(3n, 'via follower')
    for (const id of [1n, 2n, 3n]) assert.deepEqual(c.appliedText(id), ['via follower'])
  })

  it('drops a proposal when there is no leader', () => {
    const c = new Cluster([1n, 2n, 3n])
    assert.throws(() => c.get(2n).node.propose(text('lost')), /proposal dropped/)
  })

  it('a restarted node recovers its log, term and vote from storage', () => {
    const c = new Cluster([1n, 2n, 3n])
    c.elect(1n)
    c.propose(1n, 'kept')
    c.restart(2n)
    assert.equal(c.raft(2n).term, 2)
    assert.equal(c.raft(2n).log.committed, c.raft(1n).log.committed)
    c.stabilize()
    // Committed entries are applied again from the log after a restart (applied starts at the snapshot).
    assert.deepEqual(c.appliedText(2n), ['kept'])
  })
})
