// etcd's `simple` tokens: "<16 random letters>.<log index of the Authenticate entry>", kept in
// memory only (a restart forgets them, as etcd's do), each valid for a TTL that every use
// renews (etcd's simpleTokenTTLKeeper, 5 minutes by default).
import {randomInt} from 'node:crypto'

export const DEFAULT_TOKEN_TTL_MS = 5 * 60 * 1000
/** Tokens held at most; the oldest goes first beyond it (each Authenticate makes one). */
export const MAX_TOKENS = 100_000
const PREFIX_LETTERS = 16
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

export interface TokenClock {
  nowMs(): number
}

interface Held {
  username: string
  expiresAtMs: number
}

/** The random part of a token, chosen before the Authenticate entry enters the log. */
export function newTokenPrefix(): string {
  let prefix = ''
  for (let i = 0; i < PREFIX_LETTERS; i++) prefix += LETTERS[randomInt(LETTERS.length)]
  return prefix
}

export class SimpleTokens {
  /** Insertion order = assignment order, which lets the cap evict the oldest. */
  private readonly tokens = new Map<string, Held>()

  constructor(
    private readonly clock: TokenClock = {nowMs: () => performance.now()},
    private readonly ttlMs: number = DEFAULT_TOKEN_TTL_MS,
  ) {}

  assign(prefix: string, index: bigint, username: string): string {
    const token = `${prefix}.${index}`
    if (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!)
    this.tokens.set(token, {username, expiresAtMs: this.clock.nowMs() + this.ttlMs})
    return token
  }

  /** The user a live token names (its TTL renewed), or undefined for an unknown or expired one. */
  use(token: string): string | undefined {
    const held = this.tokens.get(token)
    if (held === undefined) return undefined
    const now = this.clock.nowMs()
    if (now >= held.expiresAtMs) {
      this.tokens.delete(token)
      return undefined
    }
    held.expiresAtMs = now + this.ttlMs
    return held.username
  }

  /** A user's password changed or the user is gone: their tokens stop working. */
  invalidateUser(username: string): void {
    for (const [token, held] of this.tokens) if (held.username === username) this.tokens.delete(token)
  }

  /** Auth disabled: every token is forgotten. */
  clear(): void {
    this.tokens.clear()
  }

  /** Drops expired tokens (called now and then, so idle tokens do not pile up). */
  sweep(): void {
    const now = this.clock.nowMs()
    for (const [token, held] of this.tokens) if (now >= held.expiresAtMs) this.tokens.delete(token)
  }

  get size(): number {
    return this.tokens.size
  }
}
