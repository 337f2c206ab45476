// A bounded-by-the-producer queue that one consumer iterates: the plumbing behind every
// BidiStream's response side. push() never blocks (callers bound what they push); end() lets
// the consumer finish what is queued; fail() ends iteration with an error after what is queued.
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private waiter: ((result: IteratorResult<T>) => void) | undefined
  private failWaiter: ((error: Error) => void) | undefined
  private ended = false
  private error: Error | undefined

  get length(): number {
    return this.items.length
  }

  get done(): boolean {
    return this.ended
  }

  push(item: T): void {
    if (this.ended) return
    if (this.waiter) {
      const resolve = this.waiter
      this.waiter = this.failWaiter = undefined
      resolve({value: item, done: false})
    } else {
      this.items.push(item)
    }
  }

  end(): void {
    if (this.ended) return
    this.ended = true
    if (this.waiter) {
      const resolve = this.waiter
      this.waiter = this.failWaiter = undefined
      resolve({value: undefined, done: true})
    }
  }

  fail(error: Error): void {
    if (this.ended) return
    this.error = error
    this.ended = true
    if (this.failWaiter) {
      const reject = this.failWaiter
      this.waiter = this.failWaiter = undefined
      reject(error)
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({value: this.items.shift()!, done: false})
    if (this.error) return Promise.reject(this.error)
    if (this.ended) return Promise.resolve({value: undefined, done: true})
    return new Promise((resolve, reject) => {
      this.waiter = resolve
      this.failWaiter = reject
    })
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {next: () => this.next(), return: async () => (this.end(), {value: undefined, done: true})}
  }
}
