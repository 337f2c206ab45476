// Randomness is injected: raft draws its randomized election timeouts from an Rng, so a
// seeded one makes a whole cluster replay exactly. mulberry32 is small, fast and good enough
// for timeouts and simulation schedules (it is not for secrets).

export interface Rng {
  /** A uniformly distributed integer in [0, bound). bound is a positive integer < 2^32. */
  intBelow(bound: number): number
}

export class Mulberry32 implements Rng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  intBelow(bound: number): number {
    if (!(Number.isInteger(bound) && bound > 0 && bound <= 0x100000000)) throw new RangeError(`bad bound ${bound}`)
    // Rejection sampling keeps every value equally likely.
    const limit = 0x100000000 - (0x100000000 % bound)
    for (;;) {
      const x = this.nextUint32()
      if (x < limit) return x % bound
    }
  }

  /** A float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 0x100000000
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.nextFloat() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[this.intBelow(items.length)]!
  }
}
