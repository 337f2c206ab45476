// The golden harness's own pieces: what normalization masks (and what it must leave alone),
// byte-exact display, and the line diff shown on failure.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {displayLines} from './display.js'
import {lineDiff} from './line-diff.js'
import {normalizeOutput} from './normalize.js'

const normalized = (text: string): string => normalizeOutput(Buffer.from(text, 'latin1')).toString('latin1')

test('json output: member identity masked, revisions and zero identities kept', () => {
  const header = '{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":7,"raft_term":2}}'
  assert.equal(normalized(header), '{"header":{"cluster_id":<cluster_id>,"member_id":<member_id>,"revision":7,"raft_term":<raft_term>}}')
  assert.equal(normalized('{"cluster_id":0,"raft_term":0}'), '{"cluster_id":0,"raft_term":0}')
  assert.equal(normalized('{"revision":123,"version":2,"count":1}'), '{"revision":123,"version":2,"count":1}')
})

test('fields output: member identity masked only on its own lines', () => {
  const fields = '"ClusterID" : 14841639068965178418\n"MemberID" : 1\n"Revision" : 9\n"RaftTerm" : 3\n"RaftTerm" : 0\n"Value" : "ClusterID" : 5\n'
  assert.equal(
    normalized(fields),
    '"ClusterID" : <ClusterID>\n"MemberID" : <MemberID>\n"Revision" : 9\n"RaftTerm" : <RaftTerm>\n"RaftTerm" : 0\n"Value" : "ClusterID" : 5\n',
  )
})

test('client warning line: time, client uuid and endpoint masked, the error kept', () => {
  const line =
    '{"level":"warn","ts":"2026-11-22T04:13:09.966Z","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed",' +
    '"target":"endpoint://client-196e191e-d4fa-4e4a-aab8-a7cfee9a029d/127.0.0.1:23790","attempt":0,"error":"rpc error: code = InvalidArgument desc = etcdserver: key is not provided"}\n'
  assert.equal(
    normalized(line),
    '{"level":"warn","ts":"<ts>","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed",' +
      '"target":"endpoint://client-<uuid>/<endpoint>","attempt":0,"error":"rpc error: code = InvalidArgument desc = etcdserver: key is not provided"}\n',
  )
  const otherLogger = line.replace('retry_interceptor.go:62', 'other.go:1')
  assert.equal(normalized(otherLogger), otherLogger)
})

test('normalization keeps every byte outside the masked values', () => {
  const bytes = Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x41, 0xd0, 0xba])
  assert.deepEqual(normalizeOutput(bytes), bytes)
})

test('display: readable text, escaped bytes, and distinct outputs stay distinct', () => {
  assert.deepEqual(displayLines(Buffer.from('ключ\nv\n')), ['ключ', 'v', ''])
  assert.deepEqual(displayLines(Buffer.alloc(0)), [])
  assert.deepEqual(displayLines(Buffer.from('\n')), ['', ''])
  assert.deepEqual(displayLines(Buffer.from([0x41, 0x00, 0xff])), ['A\\x00\\xff'])
  assert.notDeepEqual(displayLines(Buffer.from('\\x01')), displayLines(Buffer.from([0x01])))
  assert.notDeepEqual(displayLines(Buffer.from('\xff', 'latin1')), displayLines(Buffer.from('ÿ', 'utf8')))
})

test('line diff marks only the lines that differ', () => {
  assert.equal(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c']), '  a\n+ x\n- b\n  c')
  assert.equal(lineDiff(['a', 'c'], ['a', 'b', 'c']), '  a\n+ b\n  c')
  assert.equal(lineDiff(['a'], []), '- a')
})
