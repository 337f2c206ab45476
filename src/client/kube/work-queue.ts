// client-go's work queue: a key waits at most once however often it is added (dirty set), is
// handed to one worker at a time (processing set), and one added while being processed is
// handed out again after done(). Failed keys come back after a backoff that doubles per failure.

export class WorkQueue<K> {
  private readonly queue: K[] = []
  private readonly dirty = new Set<K>()
  private readonly processing = new Set<K>()
  private readonly failures = new Map<K, number>()
  private readonly waiters: ((k: K | undefined) => void)[] = []
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private idleWaiters: (() => void)[] = []
  private shuttingDown = false

  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 10_000,
  ) {}

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return
    this.dirty.add(key)
    if (this.processing.has(key)) return
    const waiter = this.waiters.shift()
    if (waiter) {
      this.dirty.delete(key)
      this.processing.add(key)
      waiter(key)
    } else this.queue.push(key)
  }

  /** Adds the key again after its backoff (base × 2^failures, capped). */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0
    this.failures.set(key, n + 1)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.add(key)
    }, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n))
    this.timers.add(timer)
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: K): void {
    this.failures.delete(key)
  }

  /** The next key to work on; undefined once shut down. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift()
    if (key !== undefined) {
      this.dirty.delete(key)
      this.processing.add(key)
      return Promise.resolve(key)
    }
    if (this.shuttingDown) return Promise.resolve(undefined)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  done(key: K): void {
    this.processing.delete(key)
    if (this.dirty.has(key)) {
      this.dirty.delete(key)
      this.add(key)
    }
    if (this.idle()) {
      const waiting = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiting) w()
    }
  }

  /** Nothing queued, in hand, or waiting out a backoff. */
  idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0 && this.dirty.size === 0 && this.timers.size === 0
  }

  /** Resolves once the queue is idle. */
  whenIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  get length(): number {
    return this.queue.length
  }

  shutDown(): void {
    this.shuttingDown = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    for (const w of this.waiters.splice(0)) w(undefined)
    for (const w of this.idleWaiters.splice(0)) w()
  }
}
