// The MsgApp messages in flight to one follower, as etcd's Inflights: a bounded ring of the
// last index each carried. The leader stops sending when it is full (flow control) and frees
// slots as the follower acknowledges.
import {invariant} from './assert.js'

export class Inflights {
  private start = 0
  private count = 0
  private readonly buffer: number[]

  constructor(readonly size: number) {
    invariant(size > 0, 'inflights size must be positive')
    this.buffer = new Array<number>(size).fill(0)
  }

  /** Records a message whose last entry is `index`. Indexes must increase. */
  add(index: number): void {
    invariant(!this.full(), 'cannot add into a full inflights')
    const next = (this.start + this.count) % this.size
    this.buffer[next] = index
    this.count++
  }

  /** The last index of the newest message in flight, if any. */
  lastIndex(): number | undefined {
    return this.count === 0 ? undefined : this.buffer[(this.start + this.count - 1) % this.size]
  }

  /** The newest message in flight grew to end at `index` (it was not sent yet: see Raft.extendPendingAppend). */
  replaceLast(index: number): void {
    invariant(this.count > 0, 'no message in flight to extend')
    const last = (this.start + this.count - 1) % this.size
    invariant(index > this.buffer[last]!, 'inflights indexes must increase')
    this.buffer[last] = index
  }

  /** Frees every message whose last index is <= to. */
  freeLE(to: number): void {
    if (this.count === 0 || to < this.buffer[this.start]!) return
    let i = 0
    let idx = this.start
    for (; i < this.count; i++) {
      if (to < this.buffer[idx]!) break
      idx = (idx + 1) % this.size
    }
    this.count -= i
    this.start = idx
    if (this.count === 0) this.start = 0
  }

  /** Frees the oldest message (a heartbeat response says the follower is alive: let one more through). */
  freeFirstOne(): void {
    if (this.count === 0) return
    this.freeLE(this.buffer[this.start]!)
  }

  full(): boolean {
    return this.count === this.size
  }

  length(): number {
    return this.count
  }

  reset(): void {
    this.count = 0
    this.start = 0
  }
}
