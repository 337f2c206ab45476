// The auth store (etcd's auth.authStore): users, roles with key-range permissions, the enabled
// flag and the auth revision, plus the live tokens.
//
// State changes only by applying log entries (apply), inside the MVCC store's backend
// transaction, so it is durable with the consistent index, survives restart and replicates like
// any write. Reads (users, roles, permission checks) are served from memory, which mirrors the
// backend exactly: apply updates both, restore loads memory from the backend.
//
// Rules kept as etcd 3.4's: enabling needs a `root` user holding the `root` role; while enabled,
// neither the root user nor the root role can be deleted, nor the role revoked from the user;
// the root role grants everything. Every change raises the revision by one.
import {Errors} from '../../api/errors.js'
import {Permission, Role, User} from '../../api/proto/auth.js'
import type {InternalRequest} from '../../api/proto/internal.js'
import type {Compare, RequestOp, TxnRequest} from '../../api/proto/rpc.js'
import {type Access, isRangePermitted, sortPermissions} from './permissions.js'
import type {AuthApplyResponse, AuthBackend, AuthRecords, StoreAuth} from './store-hook.js'
import {SimpleTokens, type TokenClock} from './tokens.js'

export const ROOT_USER = 'root'
export const ROOT_ROLE = 'root'

/** Users and roles held at most (each lives in memory and in the backend). */
export const MAX_USERS = 100_000
export const MAX_ROLES = 100_000
/** Permissions of one role at most. */
export const MAX_PERMISSIONS_PER_ROLE = 10_000

const EMPTY = Buffer.alloc(0)

export interface AuthStoreOptions {
  tokenClock?: TokenClock
  tokenTtlMs?: number
}

export class AuthStore implements StoreAuth {
  private readonly users = new Map<string, User>()
  private readonly roles = new Map<string, Role>()
  private enabledFlag = false
  /** etcd starts at 1 (its store commits revision 1 when created). */
  private rev = 1n
  readonly tokens: SimpleTokens

  constructor(options: AuthStoreOptions = {}) {
    this.tokens = new SimpleTokens(options.tokenClock, options.tokenTtlMs)
  }

  get enabled(): boolean {
    return this.enabledFlag
  }

  get revision(): bigint {
    return this.rev
  }

  restore(records: AuthRecords): void {
    this.users.clear()
    this.roles.clear()
    for (const bytes of records.users) {
      const user = User.decode(bytes)
      this.users.set(user.name.toString('utf8'), user)
    }
    for (const bytes of records.roles) {
      const role = Role.decode(bytes)
      this.roles.set(role.name.toString('utf8'), role)
    }
    this.enabledFlag = records.enabled !== undefined && records.enabled.length === 1 && records.enabled[0] === 1
    this.rev = records.revision !== undefined && records.revision.length === 8 ? records.revision.readBigUInt64BE(0) : 1n
  }

  // ---- reads ----

  user(name: string): User | undefined {
    return this.users.get(name)
  }

  role(name: string): Role | undefined {
    return this.roles.get(name)
  }

  /** Names in byte order (as etcd lists its bucket). */
  userNames(): string[] {
    return sortedNames(this.users.keys())
  }

  roleNames(): string[] {
    return sortedNames(this.roles.keys())
  }

  hasRootRole(username: string): boolean {
    return this.users.get(username)?.roles.includes(ROOT_ROLE) ?? false
  }

  hasRole(username: string, role: string): boolean {
    return this.users.get(username)?.roles.includes(role) ?? false
  }

  /**
   * etcd's isOpPermitted: with auth enabled, `username` (empty: no caller) may make the access.
   * Throws userEmpty for no caller, permissionDenied otherwise.
   */
  checkRange(username: string, key: Buffer, rangeEnd: Buffer, access: Access): void {
    if (!this.enabledFlag) return
    if (username === '') throw Errors.userEmpty()
    const user = this.users.get(username)
    if (user === undefined) throw Errors.permissionDenied()
    if (user.roles.includes(ROOT_ROLE)) return
    if (!isRangePermitted(this.permissionsOf(user), key, rangeEnd, access)) throw Errors.permissionDenied()
  }

  /** etcd's IsAdminPermitted: the caller holds the root role. */
  checkAdmin(username: string): void {
    if (!this.enabledFlag) return
    if (username === '') throw Errors.userEmpty()
    const user = this.users.get(username)
    if (user === undefined) throw Errors.userNotFound()
    if (!user.roles.includes(ROOT_ROLE)) throw Errors.permissionDenied()
  }

  /** Every check a txn needs (etcd's checkTxnReqsPermission): its compares and both branches. */
  checkTxn(username: string, txn: TxnRequest): void {
    if (!this.enabledFlag) return
    for (const compare of txn.compare) this.checkCompare(username, compare)
    for (const op of [...txn.success, ...txn.failure]) this.checkOp(username, op)
  }

  private checkCompare(username: string, compare: Compare): void {
    this.checkRange(username, compare.key, compare.rangeEnd, 'read')
  }

  private checkOp(username: string, op: RequestOp): void {
    if (op.requestRange !== undefined) {
      this.checkRange(username, op.requestRange.key, op.requestRange.rangeEnd, 'read')
    } else if (op.requestPut !== undefined) {
      this.checkRange(username, op.requestPut.key, EMPTY, 'write')
      if (op.requestPut.prevKv) this.checkRange(username, op.requestPut.key, EMPTY, 'read')
    } else if (op.requestDeleteRange !== undefined) {
      const del = op.requestDeleteRange
      this.checkRange(username, del.key, del.rangeEnd, 'write')
      if (del.prevKv) this.checkRange(username, del.key, del.rangeEnd, 'read')
    } else if (op.requestTxn !== undefined) {
      this.checkTxn(username, op.requestTxn)
    }
  }

  checkWrite(request: InternalRequest, leaseKeys?: (id: bigint) => Iterable<string>): void {
    const header = request.header
    if (!this.enabledFlag || header === undefined) return
    const username = header.username
    if (request.put !== undefined) {
      this.checkRange(username, request.put.key, EMPTY, 'write')
      if (request.put.prevKv) this.checkRange(username, request.put.key, EMPTY, 'read')
    } else if (request.deleteRange !== undefined) {
      const del = request.deleteRange
      this.checkRange(username, del.key, del.rangeEnd, 'write')
      if (del.prevKv) this.checkRange(username, del.key, del.rangeEnd, 'read')
    } else if (request.txn !== undefined) {
      this.checkTxn(username, request.txn)
    } else if (request.leaseRevoke !== undefined) {
      for (const key of leaseKeys?.(request.leaseRevoke.ID) ?? []) this.checkRange(username, Buffer.from(key, 'latin1'), EMPTY, 'write')
    } else if (isAdminRequest(request)) {
      this.checkAdmin(username)
    }
  }

  private permissionsOf(user: User): Permission[] {
    const perms: Permission[] = []
    for (const name of user.roles) {
      const role = this.roles.get(name)
      if (role !== undefined) perms.push(...role.keyPermission)
    }
    return perms
  }

  // ---- writes (log entries only) ----

  apply(request: InternalRequest, index: bigint, backend: AuthBackend): AuthApplyResponse | undefined {
    if (request.authEnable !== undefined) return this.applyEnable(backend)
    if (request.authDisable !== undefined) return this.applyDisable(backend)
    if (request.authenticate !== undefined) return this.applyAuthenticate(request.authenticate.name, request.authenticate.simpleToken, index)
    if (request.authUserAdd !== undefined) {
      const add = request.authUserAdd
      if (add.name === '') throw Errors.userEmpty()
      if (this.users.has(add.name)) throw Errors.userAlreadyExist()
      if (this.users.size >= MAX_USERS) throw Errors.tooManyRequests()
      const noPassword = add.options?.noPassword ?? false
      const user = User.fromPartial({
        name: Buffer.from(add.name, 'utf8'),
        password: noPassword ? EMPTY : Buffer.from(add.hashedPassword, 'utf8'),
        roles: [],
        options: {noPassword},
      })
      this.putUser(backend, user)
      return this.commit(backend)
    }
    if (request.authUserDelete !== undefined) {
      const name = request.authUserDelete.name
      if (this.enabledFlag && name === ROOT_USER) throw Errors.invalidAuthMgmt()
      if (!this.users.has(name)) throw Errors.userNotFound()
      this.users.delete(name)
      backend.removeUser(Buffer.from(name, 'utf8'))
      this.tokens.invalidateUser(name)
      return this.commit(backend)
    }
    if (request.authUserChangePassword !== undefined) {
      const change = request.authUserChangePassword
      const user = this.users.get(change.name)
      if (user === undefined) throw Errors.userNotFound()
      this.putUser(backend, {...user, password: Buffer.from(change.hashedPassword, 'utf8')})
      this.tokens.invalidateUser(change.name)
      return this.commit(backend)
    }
    if (request.authUserGrantRole !== undefined) {
      const grant = request.authUserGrantRole
      const user = this.users.get(grant.user)
      if (user === undefined) throw Errors.userNotFound()
      if (grant.role !== ROOT_ROLE && !this.roles.has(grant.role)) throw Errors.roleNotFound()
      if (user.roles.includes(grant.role)) return {} // etcd: already granted, no change
      this.putUser(backend, {...user, roles: [...user.roles, grant.role].sort(compareStrings)})
      return this.commit(backend)
    }
    if (request.authUserRevokeRole !== undefined) {
      const revoke = request.authUserRevokeRole
      if (this.enabledFlag && revoke.name === ROOT_USER && revoke.role === ROOT_ROLE) throw Errors.invalidAuthMgmt()
      const user = this.users.get(revoke.name)
      if (user === undefined) throw Errors.userNotFound()
      if (!user.roles.includes(revoke.role)) throw Errors.roleNotGranted()
      this.putUser(backend, {...user, roles: user.roles.filter((role) => role !== revoke.role)})
      return this.commit(backend)
    }
    if (request.authRoleAdd !== undefined) {
      const name = request.authRoleAdd.name
      if (name === '') throw Errors.roleEmpty()
      if (this.roles.has(name)) throw Errors.roleAlreadyExist()
      if (this.roles.size >= MAX_ROLES) throw Errors.tooManyRequests()
      this.putRole(backend, {name: Buffer.from(name, 'utf8'), keyPermission: []})
      return this.commit(backend)
    }
    if (request.authRoleDelete !== undefined) {
      const name = request.authRoleDelete.role
      if (this.enabledFlag && name === ROOT_ROLE) throw Errors.invalidAuthMgmt()
      if (!this.roles.has(name)) throw Errors.roleNotFound()
      this.roles.delete(name)
      backend.removeRole(Buffer.from(name, 'utf8'))
      for (const user of [...this.users.values()]) {
        if (user.roles.includes(name)) this.putUser(backend, {...user, roles: user.roles.filter((role) => role !== name)})
      }
      return this.commit(backend)
    }
    if (request.authRoleGrantPermission !== undefined) {
      const grant = request.authRoleGrantPermission
      const role = this.roles.get(grant.name)
      if (role === undefined) throw Errors.roleNotFound()
      const perm = Permission.fromPartial(grant.perm ?? {})
      const perms = role.keyPermission.map((p) => ({...p}))
      const same = perms.find((p) => p.key.equals(perm.key) && p.rangeEnd.equals(perm.rangeEnd))
      if (same !== undefined) {
        same.permType = perm.permType
      } else {
        if (perms.length >= MAX_PERMISSIONS_PER_ROLE) throw Errors.tooManyRequests()
        perms.push({permType: perm.permType, key: Buffer.from(perm.key), rangeEnd: Buffer.from(perm.rangeEnd)})
        sortPermissions(perms)
      }
      this.putRole(backend, {name: role.name, keyPermission: perms})
      return this.commit(backend)
    }
    if (request.authRoleRevokePermission !== undefined) {
      const revoke = request.authRoleRevokePermission
      const role = this.roles.get(revoke.role)
      if (role === undefined) throw Errors.roleNotFound()
      const kept = role.keyPermission.filter((p) => !p.key.equals(revoke.key) || !p.rangeEnd.equals(revoke.rangeEnd))
      if (kept.length === role.keyPermission.length) throw Errors.permissionNotGranted()
      this.putRole(backend, {name: role.name, keyPermission: kept})
      return this.commit(backend)
    }
    return undefined
  }

  private applyEnable(backend: AuthBackend): AuthApplyResponse {
    if (this.enabledFlag) return {} // etcd: enabling twice is not an error and changes nothing
    const root = this.users.get(ROOT_USER)
    if (root === undefined) throw Errors.rootUserNotExist()
    if (!root.roles.includes(ROOT_ROLE)) throw Errors.rootRoleNotExist()
    this.enabledFlag = true
    backend.putAuthMeta('enabled', Buffer.from([1]))
    this.tokens.clear()
    return this.commit(backend)
  }

  private applyDisable(backend: AuthBackend): AuthApplyResponse {
    if (!this.enabledFlag) return {}
    this.enabledFlag = false
    backend.putAuthMeta('enabled', Buffer.from([0]))
    this.tokens.clear()
    return this.commit(backend)
  }

  /** The password was checked before the entry was proposed; the state may have moved since. */
  private applyAuthenticate(name: string, prefix: string, index: bigint): AuthApplyResponse {
    if (!this.enabledFlag) throw Errors.authNotEnabled()
    const user = this.users.get(name)
    if (user === undefined || (user.options?.noPassword ?? false)) throw Errors.authFailed()
    return {token: this.tokens.assign(prefix, index, name)}
  }

  private putUser(backend: AuthBackend, user: User): void {
    this.users.set(user.name.toString('utf8'), user)
    backend.putUser(user.name, User.encode(user).finish())
  }

  private putRole(backend: AuthBackend, role: Role): void {
    this.roles.set(role.name.toString('utf8'), role)
    backend.putRole(role.name, Role.encode(role).finish())
  }

  private commit(backend: AuthBackend): AuthApplyResponse {
    this.rev += 1n
    const bytes = Buffer.allocUnsafe(8)
    bytes.writeBigUInt64BE(this.rev)
    backend.putAuthMeta('revision', bytes)
    return {}
  }
}

/** Requests only a root-role caller may make (etcd's needAdminPermission). */
export function isAdminRequest(request: InternalRequest): boolean {
  return (
    request.authEnable !== undefined ||
    request.authDisable !== undefined ||
    request.authUserAdd !== undefined ||
    request.authUserDelete !== undefined ||
    request.authUserChangePassword !== undefined ||
    request.authUserGrantRole !== undefined ||
    request.authUserRevokeRole !== undefined ||
    request.authRoleAdd !== undefined ||
    request.authRoleDelete !== undefined ||
    request.authRoleGrantPermission !== undefined ||
    request.authRoleRevokePermission !== undefined
  )
}

function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function sortedNames(names: Iterable<string>): string[] {
  return [...names].sort(compareStrings)
}
