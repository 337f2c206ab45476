// The auth store on a real engine: management as root, enable rules, persistence across
// reopen, and the checks of a caller view (what the gRPC server serves each token).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EtcdError, ErrorMessage, GrpcCode} from '../../../src/api/errors.js'
import {Permission_Type} from '../../../src/api/proto/auth.js'
import {TxnRequest, WatchCreateRequest, type WatchResponse} from '../../../src/api/proto/rpc.js'
import {type EmbeddedEtcd, openEmbedded} from '../../../src/engine/etcd/embedded.js'

const b = (s: string) => Buffer.from(s)

async function refused(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof EtcdError && error.message === message)
}

async function setUp(engine: EmbeddedEtcd): Promise<void> {
  await engine.userAdd({name: 'root', password: 'rootpw'})
  await engine.userAdd({name: 'u', password: 'upw'})
  await engine.roleAdd({name: 'r'})
  await engine.roleGrantPermission({name: 'r', perm: {permType: Permission_Type.READWRITE, key: b('a'), rangeEnd: b('b')}})
  await engine.roleGrantPermission({name: 'r', perm: {permType: Permission_Type.READ, key: b('c'), rangeEnd: b('')}})
  await engine.userGrantRole({user: 'u', role: 'r'})
}

describe('auth on the embedded engine', () => {
  let dir: string
  let engine: EmbeddedEtcd

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-engine-'))
    engine = await openEmbedded(dir)
  })
  after(async () => {
    await engine?.close()
    rmSync(dir, {recursive: true, force: true})
  })

  test('enable needs a root user holding the root role', async () => {
    await refused(engine.authEnable(), ErrorMessage.rootUserNotExist)
    await setUp(engine)
    await refused(engine.authEnable(), ErrorMessage.rootRoleNotExist)
    await engine.userGrantRole({user: 'root', role: 'root'}) // the root role need not exist as a role
    const before = (await engine.authStatus()).authRevision
    await engine.authEnable()
    const status = await engine.authStatus()
    assert.equal(status.enabled, true)
    assert.equal(status.authRevision, before + 1n)
    await engine.authEnable() // enabling twice changes nothing
    assert.equal((await engine.authStatus()).authRevision, before + 1n)
  })

  test('passwords are stored as bcrypt hashes, never in the log in clear', async () => {
    const stored = engine.authStore.user('u')!.password.toString()
    assert.match(stored, /^\$2[aby]\$10\$/)
  })

  test('while enabled, root cannot lose its role or be deleted, nor the root role go', async () => {
    await refused(engine.userDelete({name: 'root'}), ErrorMessage.invalidAuthMgmt)
    await refused(engine.userRevokeRole({name: 'root', role: 'root'}), ErrorMessage.invalidAuthMgmt)
    await refused(engine.roleDelete({role: 'root'}), ErrorMessage.invalidAuthMgmt)
  })

  test('a caller without a token, or with a bad one, is refused', async () => {
    await refused(engine.asCaller(undefined).range({key: b('a1')}), ErrorMessage.userEmpty)
    await refused(engine.asCaller(undefined).put({key: b('a1'), value: b('v')}), ErrorMessage.userEmpty)
    await refused(engine.asCaller('forged.1').range({key: b('a1')}), ErrorMessage.invalidAuthToken)
    await refused(engine.asCaller(undefined).userList(), ErrorMessage.userEmpty)
    // as etcd 3.4: status and lease grants need no user
    await engine.asCaller(undefined).status()
  })

  test('authenticate checks the password and answers a simple token', async () => {
    await refused(engine.authenticate({name: 'u', password: 'wrong'}), ErrorMessage.authFailed)
    await refused(engine.authenticate({name: 'nobody', password: 'x'}), ErrorMessage.authFailed)
    const {token} = await engine.authenticate({name: 'u', password: 'upw'})
    assert.match(token, /^[a-zA-Z]{16}\.\d+$/)
    const u = engine.asCaller(token)
    await u.put({key: b('a1'), value: b('v')})
    assert.equal((await u.range({key: b('a1')})).kvs.length, 1)
    await refused(u.put({key: b('c'), value: b('v')}), ErrorMessage.permissionDenied)
    await refused(u.range({key: b('a'), rangeEnd: b('c')}), ErrorMessage.permissionDenied)
    await u.range({key: b('c')})
    await refused(u.deleteRange({key: b('a'), rangeEnd: b('\0')}), ErrorMessage.permissionDenied)
    await refused(
      u.txn(TxnRequest.fromPartial({compare: [{key: b('z')}]})),
      ErrorMessage.permissionDenied,
    )
    const txn = (readKey: string) =>
      TxnRequest.fromPartial({success: [{requestPut: {key: b('a2'), value: b('x')}}], failure: [{requestRange: {key: b(readKey)}}]})
    await refused(u.txn(txn('d')), ErrorMessage.permissionDenied)
    await u.txn(txn('c'))
    // own user and own roles may be read; others, and the lists, need root
    assert.deepEqual((await u.userGet({name: 'u'})).roles, ['r'])
    await refused(u.userGet({name: 'root'}), ErrorMessage.permissionDenied)
    assert.equal((await u.roleGet({role: 'r'})).perm.length, 2)
    await refused(u.roleGet({role: 'root'}), ErrorMessage.permissionDenied)
    await refused(u.roleAdd({name: 'x'}), ErrorMessage.permissionDenied)
    await assert.rejects(u.hashKV({revision: 0n}), /auth: permission denied/)
  })

  test('root may do everything; a password change ends the old tokens', async () => {
    const {token: rootToken} = await engine.authenticate({name: 'root', password: 'rootpw'})
    const root = engine.asCaller(rootToken)
    await root.put({key: b('zz'), value: b('v')})
    assert.ok((await root.range({key: b('\0'), rangeEnd: b('\0')})).kvs.length >= 3)
    await root.hashKV({revision: 0n})
    const {token} = await engine.authenticate({name: 'u', password: 'upw'})
    await root.userChangePassword({name: 'u', password: 'new'})
    await refused(engine.asCaller(token).range({key: b('a1')}), ErrorMessage.invalidAuthToken)
    await engine.authenticate({name: 'u', password: 'new'})
  })

  test('the apply loop checks a caller\'s write against the permissions of that point of the log', async () => {
    const header = {username: 'u', authRevision: engine.authStore.revision}
    await refused(engine.writeAs({put: {key: b('zz'), value: b('v'), lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false}}, header), ErrorMessage.permissionDenied)
    await refused(engine.writeAs({put: {key: b('a9'), value: b('v'), lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false}}, {username: '', authRevision: 1n}), ErrorMessage.userEmpty)
  })

  test('a lease revoke needs write on every key of the lease, checked again where it is applied', async () => {
    const {token} = await engine.authenticate({name: 'u', password: 'new'})
    const u = engine.asCaller(token)
    const attach = async (...keys: string[]) => {
      const {ID} = await engine.leaseGrant({TTL: 60n})
      for (const key of keys) await engine.put({key: b(key), value: b('v'), lease: ID})
      return ID
    }
    const mixed = await attach('a5', 'zz5')
    await refused(u.leaseRevoke({ID: mixed}), ErrorMessage.permissionDenied)
    // the same revoke proposed past the caller view: the apply loop refuses it on its own
    const header = {username: 'u', authRevision: engine.authStore.revision}
    await refused(engine.writeAs({leaseRevoke: {ID: mixed}}, header), ErrorMessage.permissionDenied)
    assert.equal((await engine.range({key: b('zz5')})).count, 1n)

    const own = await attach('a6')
    await u.leaseRevoke({ID: own})
    assert.equal((await engine.range({key: b('a6')})).count, 0n)
    await u.leaseRevoke({ID: await attach()}) // a lease without keys needs nothing

    // a key attached between the caller's request and the revoke's turn in the log counts
    const racing = await attach('a7')
    const attaching = engine.put({key: b('zz7'), value: b('v'), lease: racing})
    const revoking = u.leaseRevoke({ID: racing})
    await attaching
    await refused(revoking, ErrorMessage.permissionDenied)
    assert.equal((await engine.range({key: b('a7')})).count, 1n)
    await engine.leaseRevoke({ID: racing})
    await engine.leaseRevoke({ID: mixed})
  })

  test('Lock and Election check the keys they touch, and answer Unknown as etcd does', async () => {
    const unknown = async (promise: Promise<unknown>, message: string) =>
      assert.rejects(promise, (error: unknown) => error instanceof EtcdError && error.code === GrpcCode.UNKNOWN && error.message === message)
    await engine.roleGrantPermission({name: 'r', perm: {permType: Permission_Type.READ, key: b('ro'), rangeEnd: b('rp')}})
    const {token} = await engine.authenticate({name: 'u', password: 'new'})
    const u = engine.asCaller(token)
    const {ID: lease} = await engine.leaseGrant({TTL: 60n})

    const held = await u.lock({name: b('a-lock'), lease})
    assert.match(held.key.toString(), /^a-lock\//)
    await u.unlock({key: held.key})
    await unknown(u.lock({name: b('z-lock'), lease}), ErrorMessage.permissionDenied)
    await unknown(engine.asCaller(undefined).lock({name: b('a-lock'), lease}), ErrorMessage.userEmpty)
    await unknown(engine.asCaller('forged.1').unlock({key: b('a-lock/1')}), ErrorMessage.invalidAuthToken)

    // ro… is read-only for u: no campaign there, but the leader may be asked for
    await unknown(u.campaign({name: b('ro-elect'), lease, value: b('v')}), ErrorMessage.permissionDenied)
    await assert.rejects(u.leader({name: b('ro-elect')}), {message: 'election: no leader'})
    const won = await engine.campaign({name: b('z-elect'), lease, value: b('v')})
    await unknown(u.proclaim({leader: won.leader, value: b('w')}), ErrorMessage.permissionDenied)
    await unknown(u.resign({leader: won.leader}), ErrorMessage.permissionDenied)
    await unknown(u.leader({name: b('z-elect')}), ErrorMessage.permissionDenied)
    // an observer that may not read the election just ends, as etcd's does
    const observed: unknown[] = []
    for await (const change of u.observe({name: b('z-elect')})) observed.push(change)
    assert.deepEqual(observed, [])
    await engine.leaseRevoke({ID: lease})
    await engine.roleRevokePermission({role: 'r', key: b('ro'), rangeEnd: b('rp')})
  })

  test('a watch on a range the caller may not read is canceled at once', async () => {
    const {token} = await engine.authenticate({name: 'u', password: 'new'})
    const stream = engine.asCaller(token).watch()
    stream.send({createRequest: WatchCreateRequest.fromPartial({key: b('z')})})
    stream.send({createRequest: WatchCreateRequest.fromPartial({key: b('a1')})})
    const seen: WatchResponse[] = []
    for await (const response of stream) {
      seen.push(response)
      if (seen.length === 2) break
    }
    stream.close()
    assert.equal(seen[0]!.canceled, true)
    assert.equal(seen[0]!.cancelReason, 'rpc error: code = PermissionDenied desc = etcdserver: permission denied')
    assert.equal(seen[1]!.created, true)
    assert.equal(seen[1]!.canceled, false)
  })

  test('users, roles, the enabled flag and the revision survive a reopen; tokens do not', async () => {
    const {token} = await engine.authenticate({name: 'u', password: 'new'})
    const revision = engine.authStore.revision
    await engine.close()
    engine = await openEmbedded(dir)
    const status = await engine.authStatus()
    assert.equal(status.enabled, true)
    assert.equal(status.authRevision, revision)
    assert.deepEqual((await engine.userList()).users, ['root', 'u'])
    assert.deepEqual((await engine.roleGet({role: 'r'})).perm.map((p) => p.key.toString()), ['a', 'c'])
    await refused(engine.asCaller(token).range({key: b('a1')}), ErrorMessage.invalidAuthToken)
    const {token: fresh} = await engine.authenticate({name: 'u', password: 'new'})
    await engine.asCaller(fresh).range({key: b('a1')})
  })

  test('disabling lets every caller through again', async () => {
    await engine.authDisable()
    await engine.asCaller(undefined).put({key: b('free'), value: b('v')})
    await refused(engine.authenticate({name: 'u', password: 'new'}), ErrorMessage.authNotEnabled)
  })
})
