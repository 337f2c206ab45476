// bcrypt, as etcd hashes passwords (cost 10), run off the apply path: a hash is computed before
// UserAdd / UserChangePassword enter the log, and Authenticate compares before it does. bcrypt
// is slow on purpose (~100 ms in JavaScript), so at most a few run at once and a bounded queue
// waits behind them; past it a caller hears `too many requests` instead of piling up.
import bcrypt from 'bcryptjs'
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import {EtcdError, Errors} from '../../api/errors.js'

/** etcd's default bcrypt cost (bcrypt.DefaultCost). */
export const BCRYPT_COST = 10
const MAX_RUNNING = 2
const MAX_WAITING = 256

let running = 0
const waiting: Array<() => void> = []

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw Errors.tooManyRequests()
    await new Promise<void>((resolve) => waiting.push(resolve))
  } else {
    running++
  }
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next === undefined) running--
    else next() // the slot passes straight to the next waiter
  }
}

export function hashPassword(password: string, cost: number = BCRYPT_COST): Promise<string> {
  return limited(() => bcrypt.hash(password, cost))
}

/** False for a malformed hash too (a user stored without password has none). */
export function passwordMatches(password: string, hash: string): Promise<boolean> {
  if (hash.length === 0) return Promise.resolve(false)
  return limited(() => bcrypt.compare(password, hash)).catch((error: unknown) => {
    if (error instanceof EtcdError) throw error // too many requests
    return false
  })
}

/** Users whose last good password is remembered at most. */
const MAX_VERIFIED = 10_000

/**
 * The passwords that last authenticated each user, remembered as an HMAC under a key that lives
 * only in this process, next to the stored hash they matched. A client that authenticates again
 * with the same password (etcdctl does on every run) is answered without a second bcrypt; a
 * wrong password, or any change of the stored hash, still costs a full bcrypt compare.
 */
export class VerifiedPasswords {
  /** Made on first use: an engine that never checks a password never needs random bytes. */
  private key: Buffer | undefined
  private readonly verified = new Map<string, {storedHash: string; mac: Buffer}>()

  /** `compare` is the bcrypt check (a counting one in tests). */
  constructor(private readonly compare: (password: string, hash: string) => Promise<boolean> = passwordMatches) {}

  private mac(password: string): Buffer {
    this.key ??= randomBytes(32)
    return createHmac('sha256', this.key).update(password, 'utf8').digest()
  }

  /** Whether `password` matches `storedHash` (the user's bcrypt hash). */
  async matches(username: string, password: string, storedHash: string): Promise<boolean> {
    const known = this.verified.get(username)
    const mac = this.mac(password)
    if (known !== undefined && known.storedHash === storedHash && timingSafeEqual(known.mac, mac)) return true
    if (!(await this.compare(password, storedHash))) return false
    this.remember(username, password, storedHash)
    return true
  }

  /** `storedHash` was just computed from `password` here (user add, password change). */
  remember(username: string, password: string, storedHash: string): void {
    this.verified.delete(username)
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!)
    this.verified.set(username, {storedHash, mac: this.mac(password)})
  }
}
