// The client port: gRPC and HTTP/1.1 on one listener, the headers of every method, /metrics,
// and the generated proto schema being current.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {grpcServices, type ServiceName} from '../../../src/api/grpc-methods.js'
import type {ResponseHeader} from '../../../src/api/proto/rpc.js'
import {serveDataDir, type ServingDataDir} from '../../../src/engine/net/grpc/serve-datadir.js'
import {RawGrpcClient} from '../../../src/engine/net/grpc/raw-client.js'

const key = (text: string) => Buffer.from(text)

function assertFullHeader(header: ResponseHeader | undefined, what: string): void {
  assert.ok(header, `${what}: no header`)
  for (const field of ['clusterId', 'memberId', 'revision', 'raftTerm'] as const) assert.notEqual(header[field], 0n, `${what}: header.${field} is 0`)
}

describe('one client port', () => {
  let dataDir: string
  let serving: ServingDataDir
  let client: RawGrpcClient
  let base: string

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'client-port-'))
    serving = await serveDataDir({
      dataDir,
      member: {name: 'n1', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379']},
      listen: ['127.0.0.1:0'],
      maxRequestBytes: 1.5 * 1024 * 1024,
    })
    client = new RawGrpcClient(`127.0.0.1:${serving.ports[0]}`)
    base = `http://127.0.0.1:${serving.ports[0]}`
  })
  after(async () => {
    client.close()
    await serving.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  test('gRPC and the JSON gateway share the port and the store', async () => {
    await client.unary('etcdserverpb.KV', 'Put', {key: key('shared'), value: key('over grpc')})
    const response = await fetch(`${base}/v3/kv/range`, {method: 'POST', body: JSON.stringify({key: key('shared').toString('base64')})})
    const body = (await response.json()) as {kvs: {value: string}[]}
    assert.equal(Buffer.from(body.kvs[0]!.value, 'base64').toString(), 'over grpc')
    await fetch(`${base}/v3/kv/put`, {method: 'POST', body: JSON.stringify({key: key('shared').toString('base64'), value: key('over http').toString('base64')})})
    const range = await client.unary('etcdserverpb.KV', 'Range', {key: key('shared')})
    assert.equal(range.kvs[0]!.value.toString(), 'over http')
  })

  test('HTTP/1.1 requests split across packets and kept alive on one connection', async () => {
    const socket = connect(serving.ports[0]!, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (received += chunk))
    const request = 'GET /version HTTP/1.1\r\nHost: x\r\n\r\n'
    // one byte first: the sniffer must wait for more before deciding
    socket.write(request.slice(0, 1))
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.write(request.slice(1))
    socket.write(request)
    const deadline = Date.now() + 5_000
    while ((received.match(/etcdcluster/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    socket.destroy()
    assert.equal((received.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 2, received)
  })

  test('bytes that are not the HTTP/2 preface go to the HTTP server, which answers garbage with 400', async () => {
    const socket = connect(serving.ports[0]!, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    let received = ''
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
    socket.write('\x00\x01garbage\r\n\r\n')
    await new Promise((resolve) => socket.once('close', resolve))
    assert.match(received, /^HTTP\/1\.1 400 Bad Request/)
  })

  test('every response header carries cluster id, member id, revision and raft term', async () => {
    const lease = await client.unary('etcdserverpb.Lease', 'LeaseGrant', {TTL: 60n})
    const calls: [ServiceName, string, unknown][] = [
      ['etcdserverpb.KV', 'Range', {key: key('shared')}],
      ['etcdserverpb.KV', 'Put', {key: key('h'), value: key('1')}],
      ['etcdserverpb.KV', 'DeleteRange', {key: key('nothing-here')}],
      ['etcdserverpb.KV', 'Txn', {success: [{requestRange: {key: key('h')}}]}],
      ['etcdserverpb.KV', 'Compact', {revision: 2n}],
      ['etcdserverpb.Lease', 'LeaseTimeToLive', {ID: lease.ID}],
      ['etcdserverpb.Lease', 'LeaseTimeToLive', {ID: 424242n}],
      ['etcdserverpb.Lease', 'LeaseLeases', {}],
      ['etcdserverpb.Lease', 'LeaseRevoke', {ID: lease.ID}],
      ['etcdserverpb.Cluster', 'MemberList', {}],
      ['etcdserverpb.Maintenance', 'Status', {}],
      ['etcdserverpb.Maintenance', 'Hash', {}],
      ['etcdserverpb.Maintenance', 'HashKV', {}],
      ['etcdserverpb.Maintenance', 'Alarm', {}],
      ['etcdserverpb.Auth', 'UserAdd', {name: 'root', password: 'pw'}],
      ['etcdserverpb.Auth', 'UserAdd', {name: 'u', password: 'pw'}],
      ['etcdserverpb.Auth', 'UserGet', {name: 'root'}],
      ['etcdserverpb.Auth', 'UserList', {}],
      ['etcdserverpb.Auth', 'UserChangePassword', {name: 'u', password: 'pw2'}],
      ['etcdserverpb.Auth', 'RoleAdd', {name: 'r'}],
      ['etcdserverpb.Auth', 'RoleGrantPermission', {name: 'r', perm: {key: key('k')}}],
      ['etcdserverpb.Auth', 'RoleGet', {role: 'r'}],
      ['etcdserverpb.Auth', 'RoleList', {}],
      ['etcdserverpb.Auth', 'RoleRevokePermission', {role: 'r', key: key('k')}],
      ['etcdserverpb.Auth', 'UserGrantRole', {user: 'u', role: 'r'}],
      ['etcdserverpb.Auth', 'UserRevokeRole', {name: 'u', role: 'r'}],
      ['etcdserverpb.Auth', 'RoleDelete', {role: 'r'}],
      ['etcdserverpb.Auth', 'UserDelete', {name: 'u'}],
      ['etcdserverpb.Auth', 'AuthStatus', {}],
      ['etcdserverpb.Auth', 'AuthDisable', {}],
    ]
    assertFullHeader(lease.header, 'LeaseGrant')
    for (const [service, method, request] of calls) {
      const response = (await client.unary(service, method as never, request as never)) as {header?: ResponseHeader}
      assertFullHeader(response.header, `${service}/${method}`)
    }
    const watch = client.bidi('etcdserverpb.Watch', 'Watch')
    watch.write({createRequest: {key: key('h')}})
    const created = await new Promise<{header?: ResponseHeader}>((resolve) => watch.once('data', resolve))
    assertFullHeader(created.header, 'Watch')
    watch.cancel()
    watch.on('error', () => undefined)
    // served, but refused here: root lacks the root role, so auth stays disabled
    await assert.rejects(client.unary('etcdserverpb.Auth', 'AuthEnable', {}), /root user does not have root role/)
    await assert.rejects(client.unary('etcdserverpb.Auth', 'Authenticate', {name: 'root', password: 'pw'}), /authentication is not enabled/)
    const refusedHere = new Set(['AuthEnable', 'Authenticate'])
    // the methods above are every unary method this engine serves (the rest answer UNIMPLEMENTED)
    for (const [service, methods] of Object.entries(grpcServices) as [ServiceName, Record<string, {kind: string}>][]) {
      for (const [method, spec] of Object.entries(methods)) {
        if (spec.kind !== 'unary' || calls.some(([s, m]) => s === service && m === method) || method === 'LeaseGrant' || refusedHere.has(method)) continue
        await assert.rejects(client.unary(service, method as never, {} as never), /does not implement|UNIMPLEMENTED/, `${service}/${method} is served: add it above`)
      }
    }
  })

  test('/metrics: etcd and gRPC metric names with the data we have', async () => {
    await client.unary('etcdserverpb.KV', 'Range', {key: key('shared')})
    await assert.rejects(client.unary('etcdserverpb.KV', 'Range', {}))
    const text = await (await fetch(`${base}/metrics`)).text()
    for (const name of [
      'etcd_server_has_leader 1',
      'etcd_server_is_leader 1',
      'etcd_server_proposals_committed_total',
      'etcd_server_proposals_applied_total',
      'etcd_mvcc_db_total_size_in_bytes',
      'etcd_mvcc_db_total_size_in_use_in_bytes',
      'etcd_debugging_mvcc_keys_total',
      'etcd_mvcc_put_total',
      'etcd_mvcc_range_total',
      'etcd_disk_wal_fsync_duration_seconds_bucket',
      'etcd_disk_backend_commit_duration_seconds_bucket',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ]) {
      assert.ok(text.includes(name), `missing ${name}`)
    }
    assert.match(text, /grpc_server_started_total\{grpc_type="unary",grpc_service="etcdserverpb\.KV",grpc_method="Range"\} [1-9]/)
    assert.match(text, /grpc_server_handled_total\{grpc_type="unary",grpc_service="etcdserverpb\.KV",grpc_method="Range",grpc_code="InvalidArgument"\} 1/)
    assert.match(text, /etcd_disk_wal_fsync_duration_seconds_count [1-9]/)
    assert.match(text, /etcd_debugging_mvcc_keys_total [1-9]/)
  })
})

test('src/api/proto/schema.ts is generated from the current proto/*.proto', () => {
  execFileSync(process.execPath, ['scripts/gen-proto-schema.mjs', '--check'], {stdio: 'pipe'})
})
