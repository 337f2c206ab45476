// The gRPC server on the embedded engine, called through a client built from the same method
// table: every implemented method, etcd's error codes and messages, the receive limit, and
// shutdown.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EtcdError, ErrorMessage, GrpcCode} from '../../../src/api/errors.js'
import {AlarmRequest_AlarmAction, AlarmType, Compare_CompareResult, Compare_CompareTarget, type ResponseHeader} from '../../../src/api/proto/rpc.js'
import {serveDataDir, type ServingDataDir} from '../../../src/engine/net/grpc/serve-datadir.js'
import {RawGrpcClient} from '../../../src/engine/net/grpc/raw-client.js'

const key = (text: string) => Buffer.from(text)

async function rejectsWith(promise: Promise<unknown>, code: number, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EtcdError, `not an EtcdError: ${String(error)}`)
    assert.equal(error.code, code, `code of ${error.message}`)
    if (typeof message === 'string') assert.equal(error.message, message)
    else assert.match(error.message, message)
    return true
  })
}

function assertHeader(header: ResponseHeader | undefined, revision: bigint): void {
  assert.ok(header)
  assert.notEqual(header.clusterId, 0n)
  assert.notEqual(header.memberId, 0n)
  assert.ok(header.raftTerm > 0n)
  assert.equal(header.revision, revision)
}

describe('gRPC server on the embedded engine', () => {
  let dataDir: string
  let serving: ServingDataDir
  let client: RawGrpcClient

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'grpc-server-'))
    serving = await serveDataDir({
      dataDir,
      member: {name: 'n1', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379']},
      listen: ['127.0.0.1:0'],
      maxRequestBytes: 1000,
    })
    client = new RawGrpcClient(`127.0.0.1:${serving.ports[0]}`)
  })

  after(async () => {
    client.close()
    await serving.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  test('KV: put, range, delete, txn, compact, with headers', async () => {
    const put = await client.unary('etcdserverpb.KV', 'Put', {key: key('a'), value: key('1')})
    assertHeader(put.header, 2n)
    const put2 = await client.unary('etcdserverpb.KV', 'Put', {key: key('a'), value: key('2'), prevKv: true})
    assert.equal(put2.prevKv?.value.toString(), '1')
    await client.unary('etcdserverpb.KV', 'Put', {key: key('b'), value: key('3')})

    const range = await client.unary('etcdserverpb.KV', 'Range', {key: key('a'), rangeEnd: key('c')})
    assertHeader(range.header, 4n)
    assert.deepEqual(
      range.kvs.map((kv) => [kv.key.toString(), kv.value.toString(), kv.modRevision]),
      [
        ['a', '2', 3n],
        ['b', '3', 4n],
      ],
    )
    assert.equal(range.count, 2n)

    const txn = await client.unary('etcdserverpb.KV', 'Txn', {
      compare: [{key: key('a'), target: Compare_CompareTarget.VALUE, result: Compare_CompareResult.EQUAL, value: key('2')}],
      success: [{requestPut: {key: key('c'), value: key('4')}}],
      failure: [],
    })
    assert.equal(txn.succeeded, true)
    assertHeader(txn.header, 5n)

    const deleted = await client.unary('etcdserverpb.KV', 'DeleteRange', {key: key('b'), prevKv: true})
    assert.equal(deleted.deleted, 1n)
    assert.equal(deleted.prevKvs[0]?.value.toString(), '3')
    assertHeader(deleted.header, 6n)

    const compacted = await client.unary('etcdserverpb.KV', 'Compact', {revision: 3n})
    assertHeader(compacted.header, 6n)
    await rejectsWith(client.unary('etcdserverpb.KV', 'Range', {key: key('a'), revision: 2n}), GrpcCode.OUT_OF_RANGE, ErrorMessage.compacted)
  })

  test("errors carry etcd's codes and messages", async () => {
    await rejectsWith(client.unary('etcdserverpb.KV', 'Put', {key: Buffer.alloc(0)}), GrpcCode.INVALID_ARGUMENT, ErrorMessage.emptyKey)
    await rejectsWith(client.unary('etcdserverpb.KV', 'Range', {key: key('a'), revision: 1000n}), GrpcCode.OUT_OF_RANGE, ErrorMessage.futureRev)
    await rejectsWith(client.unary('etcdserverpb.KV', 'Range', {key: Buffer.alloc(0)}), GrpcCode.INVALID_ARGUMENT, ErrorMessage.emptyKey)
  })

  test('a write over --max-request-bytes is too large; a message over it + 512 KiB is refused by gRPC', async () => {
    await rejectsWith(
      client.unary('etcdserverpb.KV', 'Put', {key: key('big'), value: Buffer.alloc(2000, 120)}),
      GrpcCode.INVALID_ARGUMENT,
      ErrorMessage.requestTooLarge,
    )
    await rejectsWith(
      client.unary('etcdserverpb.KV', 'Put', {key: key('big2'), value: Buffer.alloc(600_000, 120)}),
      GrpcCode.RESOURCE_EXHAUSTED,
      // as etcd 3.4 answers the same put with --max-request-bytes 1000
      'grpc: received message larger than max (600010 vs. 525288)',
    )
    const range = await client.unary('etcdserverpb.KV', 'Range', {key: key('big'), rangeEnd: key('big3')})
    assert.equal(range.count, 0n)
  })

  test('Maintenance: Status, HashKV, Hash, Alarm', async () => {
    const status = await client.unary('etcdserverpb.Maintenance', 'Status', {})
    assert.match(status.version, /^3\.\d+\.\d+/)
    assert.equal(status.leader, status.header?.memberId)
    assert.ok(status.dbSize > 0n)
    assert.ok(status.raftIndex > 0n)
    assert.ok(status.raftTerm > 0n)
    assert.equal(status.raftAppliedIndex, status.raftIndex)
    assert.ok(status.dbSizeInUse > 0n)
    assertHeader(status.header, status.header!.revision)

    const hashKV = await client.unary('etcdserverpb.Maintenance', 'HashKV', {revision: 0n})
    const again = await client.unary('etcdserverpb.Maintenance', 'HashKV', {revision: 0n})
    assert.equal(hashKV.hash, again.hash)
    assert.equal(hashKV.compactRevision, 3n)
    const hash = await client.unary('etcdserverpb.Maintenance', 'Hash', {})
    assert.equal(hash.hash, hashKV.hash)
    assert.ok(hash.header)

    const alarms = await client.unary('etcdserverpb.Maintenance', 'Alarm', {action: AlarmRequest_AlarmAction.GET})
    assert.deepEqual(alarms.alarms, [])
    assert.ok(alarms.header)
    // an alarm raised through the API refuses writes until it is deactivated
    const memberID = alarms.header!.memberId
    const raised = await client.unary('etcdserverpb.Maintenance', 'Alarm', {action: AlarmRequest_AlarmAction.ACTIVATE, memberID, alarm: AlarmType.NOSPACE})
    assert.deepEqual(raised.alarms, [{memberID, alarm: AlarmType.NOSPACE}])
    const listed = await client.unary('etcdserverpb.Maintenance', 'Alarm', {action: AlarmRequest_AlarmAction.GET})
    assert.deepEqual(listed.alarms, [{memberID, alarm: AlarmType.NOSPACE}])
    await rejectsWith(client.unary('etcdserverpb.KV', 'Put', {key: key('x'), value: key('y')}), GrpcCode.RESOURCE_EXHAUSTED, ErrorMessage.noSpace)
    const alarmed = await client.unary('etcdserverpb.Maintenance', 'Status', {})
    assert.deepEqual(alarmed.errors, [`memberID:${memberID} alarm:NOSPACE `])
    const cleared = await client.unary('etcdserverpb.Maintenance', 'Alarm', {action: AlarmRequest_AlarmAction.DEACTIVATE, memberID, alarm: AlarmType.NOSPACE})
    assert.deepEqual(cleared.alarms, [{memberID, alarm: AlarmType.NOSPACE}])
    assert.deepEqual((await client.unary('etcdserverpb.Maintenance', 'Alarm', {})).alarms, [])
    await client.unary('etcdserverpb.KV', 'Put', {key: key('x'), value: key('y')})
  })

  test('Cluster.MemberList: this one member', async () => {
    const list = await client.unary('etcdserverpb.Cluster', 'MemberList', {})
    assert.equal(list.members.length, 1)
    const [member] = list.members
    assert.equal(member!.ID, list.header?.memberId)
    assert.equal(member!.name, 'n1')
    assert.deepEqual(member!.peerURLs, ['http://127.0.0.1:2380'])
    assert.deepEqual(member!.clientURLs, ['http://127.0.0.1:2379'])
  })

  test('unimplemented methods say so', async () => {
    await rejectsWith(
      client.unary('etcdserverpb.Maintenance', 'Downgrade', {}),
      GrpcCode.UNIMPLEMENTED,
      'ectl server does not implement /etcdserverpb.Maintenance/Downgrade yet',
    )
    await rejectsWith(client.unary('v3lockpb.Lock', 'Lock', {name: key('l')}), GrpcCode.UNIMPLEMENTED, /\/v3lockpb\.Lock\/Lock/)
    const snapshot = client.serverStream('etcdserverpb.Maintenance', 'Snapshot', {})
    const error = await new Promise<{code: number; details: string}>((resolve) => {
      snapshot.on('error', resolve)
      snapshot.on('data', () => undefined)
    })
    assert.equal(error.code, GrpcCode.UNIMPLEMENTED)
    assert.match(error.details, /\/etcdserverpb\.Maintenance\/Snapshot/)
  })

  test('a second server on the same data dir fails clearly', async () => {
    await assert.rejects(
      serveDataDir({dataDir, member: {name: 'n2', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0'], maxRequestBytes: 1000}),
      /already in use/,
    )
  })
})
