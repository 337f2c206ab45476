// What the MVCC store needs from the lessor (etcd's mvcc takes a lease.Lessor the same way).
// The store calls these inside applyBatch, so lease grants, revokes and attachments change in
// the same backend transaction as the keys; the lessor itself never touches the backend.

/** A lease as the backend keeps it: the expiry is not stored (it is refreshed on open). */
export interface LeaseRecord {
  id: bigint
  ttlSeconds: number
}

export interface StoreLeases {
  /** Whether `id` names a granted lease (a put that names any other is refused). */
  exists(id: bigint): boolean
  /**
   * Grants a lease; throws EtcdError (lease already exists, too large lease TTL). Returns the
   * lease as granted, its TTL raised to the minimum.
   */
  grant(id: bigint, ttlSeconds: bigint): LeaseRecord
  /** Forgets the lease and returns its keys in sorted order; throws EtcdError if not found. */
  revoke(id: bigint): string[]
  /** The keys attached to lease `id` (latin1 strings, as the store's); none for a lease not granted. */
  keysOf(id: bigint): Iterable<string>
  /** Attaches `key` to lease `id` (0n: to none), detaching it from the lease it had. */
  setKeyLease(key: string, id: bigint): void
  /** On open, before any attachment: a lease the backend holds. */
  restore(record: LeaseRecord): void
  /**
   * Forgets every lease and attachment (etcd's lessor Recover), before restore() is called
   * for each lease of a backend that replaces the store's (a snapshot from the leader).
   */
  forgetAll(): void
}
