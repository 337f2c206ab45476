// bcrypt, as etcd hashes passwords (cost 10), run off the apply path: a hash is computed before
// UserAdd / UserChangePassword enter the log, and Authenticate compares before it does. bcrypt
// is slow on purpose (~100 ms in JavaScript), so at most a few run at once and a bounded queue
// waits behind them; past it a caller hears `too many requests` instead of piling up.
import bcrypt from 'bcryptjs'
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
