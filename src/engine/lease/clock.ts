// Time for the lessor, injected so tests can run expiry without sleeping (see fake-clock.ts).
//
// Only differences between readings matter (expiry = now + TTL): nothing absolute is stored,
// so the real clock is the monotonic one and a wall-clock jump never expires a lease early.

export interface Clock {
  /** Milliseconds on a monotonic scale; never decreases. */
  nowMs(): number
}

export const realClock: Clock = {
  nowMs: () => performance.now(),
}
