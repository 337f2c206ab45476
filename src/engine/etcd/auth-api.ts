// etcd's Auth service on a member, as the data dir's own processes call it (they act as root:
// no caller checks here; the rules of the auth store itself, like "root user does not exist",
// still hold). The caller view (caller-view.ts) puts the checks of a token's user in front.
import {Errors} from '../../api/errors.js'
import type {InternalRequest, RequestHeader} from '../../api/proto/internal.js'
import {
  type AuthDisableResponse,
  type AuthEnableResponse,
  AuthenticateRequest,
  type AuthenticateResponse,
  AuthRoleAddRequest,
  type AuthRoleAddResponse,
  AuthRoleDeleteRequest,
  type AuthRoleDeleteResponse,
  AuthRoleGetRequest,
  type AuthRoleGetResponse,
  AuthRoleGrantPermissionRequest,
  type AuthRoleGrantPermissionResponse,
  type AuthRoleListResponse,
  AuthRoleRevokePermissionRequest,
  type AuthRoleRevokePermissionResponse,
  type AuthStatusResponse,
  AuthUserAddRequest,
  type AuthUserAddResponse,
  AuthUserChangePasswordRequest,
  type AuthUserChangePasswordResponse,
  AuthUserDeleteRequest,
  type AuthUserDeleteResponse,
  AuthUserGetRequest,
  type AuthUserGetResponse,
  AuthUserGrantRoleRequest,
  type AuthUserGrantRoleResponse,
  type AuthUserListResponse,
  AuthUserRevokeRoleRequest,
  type AuthUserRevokeRoleResponse,
} from '../../api/proto/rpc.js'
import type {Req} from '../../client/etcd/client.js'
import type {AuthStore} from '../auth/auth-store.js'
import {hashPassword, VerifiedPasswords} from '../auth/passwords.js'
import {newTokenPrefix} from '../auth/tokens.js'
import {unwrap} from './member.js'
import type {MemberApi} from './member-api.js'

/** Past this many live tokens, each Authenticate first drops the expired ones. */
const TOKENS_BEFORE_SWEEP = 1024

/** Requests of the Auth service; `header` names the caller when one made it (see caller-view.ts). */
export class AuthApi {
  private readonly verified = new VerifiedPasswords()

  constructor(
    private readonly member: MemberApi,
    readonly store: AuthStore,
  ) {}

  authEnable(header?: RequestHeader): Promise<AuthEnableResponse> {
    return this.propose({authEnable: {}}, header)
  }

  authDisable(header?: RequestHeader): Promise<AuthDisableResponse> {
    return this.propose({authDisable: {}}, header)
  }

  async authStatus(): Promise<AuthStatusResponse> {
    return {header: this.member.header(), enabled: this.store.enabled, authRevision: this.store.revision}
  }

  /**
   * Checks the password (bcrypt, off the apply path, a few at a time), then assigns a token
   * through the log, as etcd does. Wrong user and wrong password read the same.
   */
  async authenticate(req: Req<AuthenticateRequest>): Promise<AuthenticateResponse> {
    const request = AuthenticateRequest.fromPartial(req)
    if (!this.store.enabled) throw Errors.authNotEnabled()
    const user = this.store.user(request.name)
    if (user === undefined || (user.options?.noPassword ?? false)) throw Errors.authFailed()
    if (!(await this.verified.matches(request.name, request.password, user.password.toString('utf8')))) throw Errors.authFailed()
    if (this.store.tokens.size > TOKENS_BEFORE_SWEEP) this.store.tokens.sweep()
    return this.propose({authenticate: {name: request.name, simpleToken: newTokenPrefix()}})
  }

  /** The password is hashed here, before the request enters the log (which never holds it). */
  async userAdd(req: Req<AuthUserAddRequest>, header?: RequestHeader): Promise<AuthUserAddResponse> {
    const request = AuthUserAddRequest.fromPartial(req)
    const noPassword = request.options?.noPassword ?? false
    const hashedPassword = noPassword ? '' : request.hashedPassword || (await hashPassword(request.password))
    const response = await this.propose<AuthUserAddResponse>({authUserAdd: {...request, password: '', hashedPassword}}, header)
    if (!noPassword && !request.hashedPassword) this.verified.remember(request.name, request.password, hashedPassword)
    return response
  }

  async userGet(req: Req<AuthUserGetRequest>): Promise<AuthUserGetResponse> {
    const request = AuthUserGetRequest.fromPartial(req)
    const user = this.store.user(request.name)
    if (user === undefined) throw Errors.userNotFound()
    return {header: this.member.header(), roles: [...user.roles]}
  }

  async userList(): Promise<AuthUserListResponse> {
    return {header: this.member.header(), users: this.store.userNames()}
  }

  userDelete(req: Req<AuthUserDeleteRequest>, header?: RequestHeader): Promise<AuthUserDeleteResponse> {
    return this.propose({authUserDelete: AuthUserDeleteRequest.fromPartial(req)}, header)
  }

  async userChangePassword(req: Req<AuthUserChangePasswordRequest>, header?: RequestHeader): Promise<AuthUserChangePasswordResponse> {
    const request = AuthUserChangePasswordRequest.fromPartial(req)
    // etcd answers "user name not found" before spending a hash on a missing user
    if (this.store.user(request.name) === undefined) throw Errors.userNotFound()
    const hashedPassword = request.hashedPassword || (await hashPassword(request.password))
    const response = await this.propose<AuthUserChangePasswordResponse>({authUserChangePassword: {...request, password: '', hashedPassword}}, header)
    if (!request.hashedPassword) this.verified.remember(request.name, request.password, hashedPassword)
    return response
  }

  userGrantRole(req: Req<AuthUserGrantRoleRequest>, header?: RequestHeader): Promise<AuthUserGrantRoleResponse> {
    return this.propose({authUserGrantRole: AuthUserGrantRoleRequest.fromPartial(req)}, header)
  }

  userRevokeRole(req: Req<AuthUserRevokeRoleRequest>, header?: RequestHeader): Promise<AuthUserRevokeRoleResponse> {
    return this.propose({authUserRevokeRole: AuthUserRevokeRoleRequest.fromPartial(req)}, header)
  }

  roleAdd(req: Req<AuthRoleAddRequest>, header?: RequestHeader): Promise<AuthRoleAddResponse> {
    return this.propose({authRoleAdd: AuthRoleAddRequest.fromPartial(req)}, header)
  }

  async roleGet(req: Req<AuthRoleGetRequest>): Promise<AuthRoleGetResponse> {
    const request = AuthRoleGetRequest.fromPartial(req)
    const role = this.store.role(request.role)
    if (role === undefined) throw Errors.roleNotFound()
    return {header: this.member.header(), perm: role.keyPermission.map((perm) => ({...perm}))}
  }

  async roleList(): Promise<AuthRoleListResponse> {
    return {header: this.member.header(), roles: this.store.roleNames()}
  }

  roleDelete(req: Req<AuthRoleDeleteRequest>, header?: RequestHeader): Promise<AuthRoleDeleteResponse> {
    return this.propose({authRoleDelete: AuthRoleDeleteRequest.fromPartial(req)}, header)
  }

  roleGrantPermission(req: Req<AuthRoleGrantPermissionRequest>, header?: RequestHeader): Promise<AuthRoleGrantPermissionResponse> {
    return this.propose({authRoleGrantPermission: AuthRoleGrantPermissionRequest.fromPartial(req)}, header)
  }

  roleRevokePermission(req: Req<AuthRoleRevokePermissionRequest>, header?: RequestHeader): Promise<AuthRoleRevokePermissionResponse> {
    return this.propose({authRoleRevokePermission: AuthRoleRevokePermissionRequest.fromPartial(req)}, header)
  }

  private async propose<T>(request: Partial<InternalRequest>, header?: RequestHeader): Promise<T> {
    const result = unwrap(await this.member.propose({id: 0n, ...request, header}))
    const response = result.response as {header?: {revision: bigint}}
    response.header = this.member.header(Number(response.header?.revision ?? this.member.store.currentRevision))
    return response as T
  }
}
