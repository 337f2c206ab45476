// What the auth store needs from the backend, and what the MVCC store needs from the auth
// store. The MVCC store applies auth entries inside its applyBatch, so users, roles and the
// enabled flag change in the same backend transaction as the keys and the consistent index;
// the auth store itself never opens a transaction.
import type {InternalRequest} from '../../api/proto/internal.js'

/** The backend's auth buckets (etcd's auth, authUsers, authRoles), written inside applyBatch. */
export interface AuthBackend {
  putUser(name: Buffer, user: Uint8Array): void
  removeUser(name: Buffer): void
  putRole(name: Buffer, role: Uint8Array): void
  removeRole(name: Buffer): void
  /** `enabled` (1 byte) and `revision` (8 bytes, big-endian), as etcd's auth bucket. */
  putAuthMeta(key: 'enabled' | 'revision', value: Buffer): void
}

/** Everything the backend holds of auth, read once on open. */
export interface AuthRecords {
  users: Uint8Array[]
  roles: Uint8Array[]
  enabled: Buffer | undefined
  revision: Buffer | undefined
}

/** An auth entry's answer: its fields (the store adds the header), or undefined if not auth. */
export type AuthApplyResponse = Record<string, unknown>

export interface StoreAuth {
  /** On open: the state the backend holds. */
  restore(records: AuthRecords): void
  /**
   * Applies `request` if it is an auth entry (throws EtcdError when refused, having changed
   * nothing) and returns its response fields; returns undefined for any other request.
   */
  apply(request: InternalRequest, index: bigint, backend: AuthBackend): AuthApplyResponse | undefined
  /**
   * For a key-value write carrying a caller (request.header), with auth enabled: throws
   * EtcdError unless the caller may make it, judged by the auth state at this point of the log.
   * A lease revoke deletes the lease's keys: the caller must be allowed to write each one that
   * `leaseKeys` names at this point of the log (etcd's checkLeasePuts).
   */
  checkWrite(request: InternalRequest, leaseKeys?: (id: bigint) => Iterable<string>): void
}
