// A clock that moves only when told to: lessor tests and the seeded simulation run lease expiry
// on it without sleeping.
import assert from 'node:assert/strict'
import type {Clock} from './clock.js'

export class FakeClock implements Clock {
  constructor(private currentMs = 0) {}

  nowMs(): number {
    return this.currentMs
  }

  advance(ms: number): void {
    assert.ok(ms >= 0, `a clock never goes back (advance by ${ms} ms)`)
    this.currentMs += ms
  }
}
