// Invariant checks. engine/raft imports nothing outside itself, so it carries its own assert.
// A failed one is a bug, never an operating condition: the caller should crash.

export class InvariantError extends Error {
  constructor(message: string) {
    super(`raft invariant broken: ${message}`)
    this.name = 'InvariantError'
  }
}

export function invariant(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantError(typeof message === 'string' ? message : message())
}

/** Terms and indexes are numbers; they must stay exact. */
export function assertIndex(value: number, what: string): void {
  invariant(Number.isSafeInteger(value) && value >= 0, () => `${what} is not a safe non-negative integer: ${value}`)
}
