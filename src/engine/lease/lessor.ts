// The lessor (etcd's lease.lessor): which leases exist, when each expires, which keys each holds.
//
// Two sides, as in etcd:
// - apply side (StoreLeases): grant, revoke and attachments change only as log entries are
//   applied, inside the store's backend transaction, so every member agrees on them;
// - local side: renew, timeToLive, leases and expiry are this member's clock. The lessor only
//   NOTICES expiry (expiredLeases); the member proposes the revoke through the log, so a
//   cluster revokes once, and the keys go in one revision like any other write.
//
// Expiry is a monotonic-clock time that is never stored: on open each lease comes back with its
// TTL only, and promote() gives it a full TTL again (etcd does the same on leader election).
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {Errors} from '../../api/errors.js'
import {realClock, type Clock} from './clock.js'
import {ExpiryQueue} from './expiry-queue.js'
import type {LeaseRecord, StoreLeases} from './store-hook.js'

/** etcd's MaxLeaseTTL (9 000 000 000 s): a larger grant fails with `too large lease TTL`. */
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000

/** etcd's leaseRevokeRate: expired leases revoked per second at most. */
export const LEASE_REVOKE_RATE_PER_SECOND = 1000

/** etcd's expiredLeaseRetryInterval: an expired lease is noticed again if its revoke did not land. */
export const EXPIRED_LEASE_RETRY_MS = 3000

/**
 * etcd's minimum lease TTL: 1.5 election timeouts rounded to heartbeats, in whole seconds
 * rounded up — so a lease outlives a leader election. etcd's defaults (election 1000 ms,
 * heartbeat 100 ms) give 2 s: the real etcd answers `lease grant 1` with TTL(2s).
 */
export function minLeaseTtlSeconds(electionTimeoutMs = 1000, heartbeatMs = 100): number {
  const electionTicks = Math.floor(electionTimeoutMs / heartbeatMs)
  const minTtlMs = Math.floor((3 * electionTicks) / 2) * heartbeatMs
  return Math.ceil(minTtlMs / 1000)
}

export interface LessorOptions {
  clock?: Clock
  minTtlSeconds?: number
  /** Source of lease ids for grants that name none; a random positive int64 by default. */
  randomId?: () => bigint
}

export interface LeaseStatus {
  id: bigint
  /** Seconds left, truncated toward zero as etcd's int64(Remaining().Seconds()). */
  remainingSeconds: number
  grantedTtlSeconds: number
  /** Attached keys (latin1 strings, as the store's), sorted. */
  keys: string[]
}

/** A renewal: the new TTL, or the lease had already expired and its revoke is on its way. */
export type RenewResult = {expired: false; ttlSeconds: number} | {expired: true; revoked: Promise<void>}

interface Lease {
  readonly id: bigint
  readonly ttlSeconds: number
  expiryMs: number
  readonly keys: Set<string>
  /** Resolved when the lease is revoked; created only for a renewal that waits on it. */
  revoked?: {promise: Promise<void>; resolve: () => void}
}

export class Lessor implements StoreLeases {
  readonly clock: Clock
  readonly minTtlSeconds: number
  private readonly randomId: () => bigint
  private readonly leaseMap = new Map<bigint, Lease>()
  /** key → the lease it is attached to (etcd's itemMap). */
  private readonly keyLeases = new Map<string, bigint>()
  private readonly expiry = new ExpiryQueue()

  constructor(opts: LessorOptions = {}) {
    this.clock = opts.clock ?? realClock
    this.minTtlSeconds = opts.minTtlSeconds ?? minLeaseTtlSeconds()
    this.randomId = opts.randomId ?? randomPositiveInt64
  }

  get size(): number {
    return this.leaseMap.size
  }

  /** A fresh id for a grant that names none: positive, non-zero, not granted now. */
  newLeaseId(): bigint {
    for (;;) {
      const id = this.randomId()
      assert.ok(id > 0n && id < 2n ** 63n, `lease id ${id} is not a positive int64`)
      if (!this.leaseMap.has(id)) return id
    }
  }

  // ---- apply side (called by the store inside applyBatch) ----

  exists(id: bigint): boolean {
    return this.leaseMap.has(id)
  }

  grant(id: bigint, ttlSeconds: bigint): LeaseRecord {
    // The server picks an id before the grant enters the log; 0 here is etcd's NoLease.
    if (id === 0n) throw Errors.leaseNotFound()
    if (ttlSeconds > BigInt(MAX_LEASE_TTL_SECONDS)) throw Errors.leaseTTLTooLarge()
    if (this.leaseMap.has(id)) throw Errors.leaseExist()
    const ttl = Math.max(Number(ttlSeconds), this.minTtlSeconds)
    this.add(id, ttl, this.clock.nowMs() + ttl * 1000)
    return {id, ttlSeconds: ttl}
  }

  revoke(id: bigint): string[] {
    const lease = this.leaseMap.get(id)
    if (lease === undefined) throw Errors.leaseNotFound()
    this.leaseMap.delete(id)
    this.expiry.remove(id)
    const keys = [...lease.keys].sort()
    for (const key of keys) this.keyLeases.delete(key)
    lease.revoked?.resolve()
    return keys
  }

  setKeyLease(key: string, id: bigint): void {
    const old = this.keyLeases.get(key)
    if (old === id) return
    if (old !== undefined) {
      this.leaseMap.get(old)!.keys.delete(key)
      this.keyLeases.delete(key)
    }
    if (id === 0n) return
    const lease = this.leaseMap.get(id)
    assert.ok(lease !== undefined, `key attached to lease ${id}, which is not granted (the store checks first)`)
    lease.keys.add(key)
    this.keyLeases.set(key, id)
  }

  forgetAll(): void {
    for (const lease of this.leaseMap.values()) {
      this.expiry.remove(lease.id)
      // a renewal waiting on this lease's revoke answers "not found", as after a revoke
      lease.revoked?.resolve()
    }
    this.leaseMap.clear()
    this.keyLeases.clear()
  }

  restore(record: LeaseRecord): void {
    assert.ok(!this.leaseMap.has(record.id), `lease ${record.id} restored twice`)
    this.add(record.id, record.ttlSeconds, this.clock.nowMs() + record.ttlSeconds * 1000)
  }

  private add(id: bigint, ttlSeconds: number, expiryMs: number): void {
    this.leaseMap.set(id, {id, ttlSeconds, expiryMs, keys: new Set()})
    this.expiry.upsert(id, expiryMs)
  }

  // ---- local side ----

  /** The lease `key` is attached to, or 0n. */
  leaseOf(key: string): bigint {
    return this.keyLeases.get(key) ?? 0n
  }

  /**
   * Restarts the lease's TTL (etcd's Renew). Throws leaseNotFound for a lease that is not
   * granted; an expired one is not renewed: the caller waits for its revoke (as etcd does, so
   * a keep-alive never answers before the keys are gone) and then answers not found.
   */
  renew(id: bigint): RenewResult {
    const lease = this.leaseMap.get(id)
    if (lease === undefined) throw Errors.leaseNotFound()
    const now = this.clock.nowMs()
    if (lease.expiryMs <= now) {
      lease.revoked ??= deferred()
      return {expired: true, revoked: lease.revoked.promise}
    }
    this.refresh(lease, now, 0)
    return {expired: false, ttlSeconds: lease.ttlSeconds}
  }

  /**
   * A renewal that needs no waiting: the new TTL, 0 for a lease that does not exist, undefined
   * for one that has expired (its revoke is on its way: renew() gives the promise to wait on).
   */
  renewNow(id: bigint): number | undefined {
    const lease = this.leaseMap.get(id)
    if (lease === undefined) return 0
    const now = this.clock.nowMs()
    if (lease.expiryMs <= now) return undefined
    this.refresh(lease, now, 0)
    return lease.ttlSeconds
  }

  keysOf(id: bigint): Iterable<string> {
    return this.leaseMap.get(id)?.keys ?? []
  }

  /** The lease's remaining and granted TTL and keys, or undefined if it is not granted. */
  timeToLive(id: bigint): LeaseStatus | undefined {
    const lease = this.leaseMap.get(id)
    if (lease === undefined) return undefined
    const remainingSeconds = Math.trunc((lease.expiryMs - this.clock.nowMs()) / 1000) || 0
    return {id, remainingSeconds, grantedTtlSeconds: lease.ttlSeconds, keys: [...lease.keys].sort()}
  }

  /** Every granted lease's id, the soonest to expire first (etcd's Leases, sorted by expiry). */
  leases(): bigint[] {
    const all = [...this.leaseMap.values()]
    all.sort((a, b) => a.expiryMs - b.expiryMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return all.map((lease) => lease.id)
  }

  /**
   * Leases expired at nowMs, up to `limit`, soonest first (etcd's findExpiredLeases). Each one
   * returned is not returned again for EXPIRED_LEASE_RETRY_MS, the time its revoke has to land.
   */
  expiredLeases(nowMs: number = this.clock.nowMs(), limit = LEASE_REVOKE_RATE_PER_SECOND / 2): bigint[] {
    const found: bigint[] = []
    while (found.length < limit) {
      const next = this.expiry.peek()
      if (next === undefined || next.dueMs > nowMs) break
      assert.ok(this.leaseMap.has(next.id), `expiry queued for lease ${next.id}, which is not granted`)
      found.push(next.id)
      this.expiry.upsert(next.id, nowMs + EXPIRED_LEASE_RETRY_MS)
    }
    return found
  }

  /**
   * Gives every lease a full TTL plus extendMs from now (etcd's Promote, run when a member
   * becomes leader and so on every start of a single member). With many leases, expiries are
   * spread so that no more than 3/4 of the revoke rate fall in any one second, as etcd does.
   */
  promote(extendMs: number): void {
    const now = this.clock.nowMs()
    for (const lease of this.leaseMap.values()) this.refresh(lease, now, extendMs)
    if (this.leaseMap.size < LEASE_REVOKE_RATE_PER_SECOND) return
    const byExpiry = [...this.leaseMap.values()].sort((a, b) => a.expiryMs - b.expiryMs)
    const targetPerSecond = (3 * LEASE_REVOKE_RATE_PER_SECOND) / 4
    let baseWindowMs = byExpiry[0]!.expiryMs - now
    let nextWindowMs = baseWindowMs + 1000
    let expires = 0
    for (const lease of byExpiry) {
      const remainingMs = lease.expiryMs - now
      if (remainingMs > nextWindowMs) {
        baseWindowMs = remainingMs
        nextWindowMs = baseWindowMs + 1000
        expires = 1
        continue
      }
      expires++
      if (expires <= targetPerSecond) continue
      // Leases n seconds past the base window are pushed by only what they lack.
      const delayMs = (1000 * expires) / targetPerSecond - (remainingMs - baseWindowMs)
      nextWindowMs = baseWindowMs + delayMs
      this.refresh(lease, now, delayMs + extendMs)
    }
  }

  private refresh(lease: Lease, now: number, extendMs: number): void {
    lease.expiryMs = now + extendMs + lease.ttlSeconds * 1000
    this.expiry.upsert(lease.id, lease.expiryMs)
  }

  /** Checks that leases, attachments and the expiry queue agree (tests). */
  checkInvariants(): void {
    this.expiry.checkInvariants()
    assert.equal(this.expiry.size, this.leaseMap.size)
    let attached = 0
    for (const lease of this.leaseMap.values()) {
      for (const key of lease.keys) assert.equal(this.keyLeases.get(key), lease.id)
      attached += lease.keys.size
    }
    assert.equal(attached, this.keyLeases.size)
  }
}

function randomPositiveInt64(): bigint {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE() & (2n ** 63n - 1n)
    if (id !== 0n) return id
  }
}

function deferred(): {promise: Promise<void>; resolve: () => void} {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return {promise, resolve}
}
