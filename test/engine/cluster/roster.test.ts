// The roster's checks of a membership change (etcd's ValidateConfigurationChange: same order,
// same errors) and its application; and the property a member joining a running cluster
// relies on: applying the log's changes again to the roster they led to (each one refused or
// applied as that roster dictates) leaves that same roster.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import type {ClusterMember} from '../../../src/engine/etcd/membership.js'
import {Roster} from '../../../src/engine/cluster/roster.js'
import type {ConfChangeContext} from '../../../src/engine/cluster/entry-data.js'
import {type ConfChange, ConfChangeType} from '../../../src/engine/raft/index.js'

const member = (id: bigint, url: string, isLearner = false): ClusterMember => ({id, name: `n${id}`, peerURLs: [url], clientURLs: [], isLearner})
const change = (type: ConfChangeType, nodeId: bigint): ConfChange => ({type, nodeId, context: new Uint8Array(0)})
const add = (id: bigint, url: string, isLearner: boolean): [ConfChange, ConfChangeContext] => [
  change(isLearner ? ConfChangeType.AddLearnerNode : ConfChangeType.AddNode, id),
  {requestId: '1', member: {id: id.toString(16), peerURLs: [url], isLearner}},
]
const promote = (id: bigint): [ConfChange, ConfChangeContext] => [change(ConfChangeType.AddNode, id), {requestId: '1', promote: true}]
const remove = (id: bigint): [ConfChange, ConfChangeContext] => [change(ConfChangeType.RemoveNode, id), {requestId: '1'}]
const update = (id: bigint, url: string): [ConfChange, ConfChangeContext] => [change(ConfChangeType.UpdateNode, id), {requestId: '1', member: {id: id.toString(16), peerURLs: [url], isLearner: false}}]

const message = (roster: Roster, [cc, context]: [ConfChange, ConfChangeContext]) => roster.check(cc, context)?.message

test('changes are refused in etcd words: id in use, peer URL in use, too many learners, unknown or removed id, promoting a voter', () => {
  const roster = new Roster([member(1n, 'http://a:1'), member(2n, 'http://b:1'), member(3n, 'http://c:1', true)])
  assert.equal(message(roster, add(2n, 'http://x:1', false)), 'etcdserver: member ID already exist')
  assert.equal(message(roster, add(9n, 'http://b:1', false)), 'etcdserver: Peer URLs already exists')
  assert.equal(message(roster, add(9n, 'http://x:1', true)), 'etcdserver: too many learner members in cluster')
  assert.equal(message(roster, add(9n, 'http://x:1', false)), undefined)
  assert.equal(message(roster, promote(1n)), 'etcdserver: can only promote a learner member')
  assert.equal(message(roster, promote(9n)), 'etcdserver: member not found')
  assert.equal(message(roster, promote(3n)), undefined)
  assert.equal(message(roster, remove(9n)), 'etcdserver: member not found')
  assert.equal(message(roster, update(9n, 'http://x:1')), 'etcdserver: member not found')
  assert.equal(message(roster, update(1n, 'http://b:1')), 'etcdserver: Peer URLs already exists')
  assert.equal(message(roster, update(1n, 'http://a:1')), undefined, 'its own URL stays its own')

  roster.apply(...remove(2n))
  assert.equal(message(roster, add(2n, 'http://y:1', false)), 'etcdserver: member not found', 'a removed id never comes back')
  assert.equal(message(roster, remove(2n)), 'etcdserver: member not found')
  assert.equal(roster.isRemoved(2n), true)
  // removed ids survive a save
  assert.equal(Roster.fromSaved(roster.save()).isRemoved(2n), true)
})

test('applied: a learner added and promoted, a member updated and removed; the configuration follows', () => {
  const roster = new Roster([member(1n, 'http://a:1')])
  roster.apply(...add(5n, 'http://e:1', true))
  assert.deepEqual(roster.confState(), {voters: [1n], learners: [5n]})
  assert.deepEqual(roster.list().find((m) => m.ID === 5n), {ID: 5n, name: '', peerURLs: ['http://e:1'], clientURLs: [], isLearner: true})
  roster.setAttributes(5n, 'e', ['http://e:2'])
  roster.apply(...promote(5n))
  assert.deepEqual(roster.confState(), {voters: [1n, 5n], learners: []})
  assert.equal(roster.get(5n)!.name, 'e', 'a promotion keeps the published name')
  roster.apply(...update(5n, 'http://f:1'))
  assert.deepEqual(roster.get(5n)!.peerURLs, ['http://f:1'])
  roster.apply(...remove(1n))
  assert.deepEqual(roster.confState(), {voters: [5n], learners: []})
})

test('a joining member replays the log over the roster it was given and ends with that same roster', () => {
  const log: [ConfChange, ConfChangeContext][] = [
    add(4n, 'http://d:1', true),
    promote(4n),
    add(5n, 'http://e:1', true),
    remove(5n),
    update(2n, 'http://b:2'),
    add(6n, 'http://e:1', true),
    remove(1n),
    update(6n, 'http://f:1'),
    promote(6n),
    add(7n, 'http://b:1', false),
  ]
  const initial = () => new Roster([member(1n, 'http://a:1'), member(2n, 'http://b:1'), member(3n, 'http://c:1')])
  const replay = (roster: Roster, entries: typeof log) => {
    for (const entry of entries) if (roster.check(...entry) === undefined) roster.apply(...entry)
    return roster
  }
  // every prefix of the log is a point where a member may have joined
  for (let at = 0; at <= log.length; at++) {
    const reference = replay(initial(), log)
    const given = Roster.fromSaved(replay(initial(), log.slice(0, at)).save())
    // the joiner gets the roster at `at`, then the whole log from the start
    const joined = replay(given, log)
    assert.deepEqual(joined.save().sort(byId), reference.save().sort(byId), `joined after ${at} changes`)
    assert.deepEqual(joined.confState(), reference.confState())
  }
})

const byId = (a: {id: string}, b: {id: string}) => (a.id < b.id ? -1 : 1)
