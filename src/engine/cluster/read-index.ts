// Linearizable reads by ReadIndex (etcd's linearizableReadLoop): a read waits until the
// member has applied at least the leader's commit index as of some moment after the read
// arrived; then the local store answers it. Reads that arrive while one ReadIndex request is
// in flight share the next one, so a burst of reads costs one heartbeat round, not one each.
//
// A request whose answer does not come within retryMs (leader lost, message dropped) is asked
// again with a new context; each read gives up after its own timeout.
export interface ReadIndexHooks {
  /** Asks raft for a read index under `ctx` (RawNode.readIndex). */
  request(ctx: Uint8Array): void
  /** Resolves once the state machine has applied `index`. */
  waitApplied(index: number): Promise<void>
  timeoutError(): Error
}

interface Reader {
  resolve: () => void
  reject: (error: Error) => void
  deadlineMs: number
}

export class ReadIndexBatcher {
  private waiting: Reader[] = []
  private inFlight: {key: string; readers: Reader[]; timer: NodeJS.Timeout} | undefined
  private sequence = 0n

  constructor(
    private readonly hooks: ReadIndexHooks,
    private readonly retryMs: number,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves when a read started now may be served locally. */
  barrier(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({resolve, reject, deadlineMs: performance.now() + this.timeoutMs})
      if (this.inFlight === undefined) this.issue(this.waiting.splice(0))
    })
  }

  /** A ReadState from a Ready. */
  onReadState(index: number, ctx: Uint8Array): void {
    const flight = this.inFlight
    if (flight === undefined || Buffer.from(ctx).toString('hex') !== flight.key) return
    clearTimeout(flight.timer)
    this.inFlight = undefined
    const readers = flight.readers
    this.hooks.waitApplied(index).then(
      () => readers.forEach((reader) => reader.resolve()),
      (error: Error) => readers.forEach((reader) => reader.reject(error)),
    )
    if (this.waiting.length > 0) this.issue(this.waiting.splice(0))
  }

  /** Ends every read with `error` (the member is stopping). */
  failAll(error: Error): void {
    if (this.inFlight !== undefined) {
      clearTimeout(this.inFlight.timer)
      for (const reader of this.inFlight.readers) reader.reject(error)
      this.inFlight = undefined
    }
    for (const reader of this.waiting.splice(0)) reader.reject(error)
  }

  private issue(readers: Reader[]): void {
    const now = performance.now()
    const live = readers.filter((reader) => {
      if (reader.deadlineMs > now) return true
      reader.reject(this.hooks.timeoutError())
      return false
    })
    if (live.length === 0) {
      if (this.waiting.length > 0) this.issue(this.waiting.splice(0))
      return
    }
    const ctx = Buffer.alloc(8)
    ctx.writeBigUInt64BE(++this.sequence)
    const timer = setTimeout(() => {
      if (this.inFlight?.timer !== timer) return
      this.inFlight = undefined
      // asked again, together with whoever arrived meanwhile
      this.issue([...live, ...this.waiting.splice(0)])
    }, this.retryMs)
    timer.unref()
    this.inFlight = {key: ctx.toString('hex'), readers: live, timer}
    this.hooks.request(ctx)
  }
}
