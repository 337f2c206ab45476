// A server stream (one request, many responses: Snapshot, Observe) carried as a bidirectional
// stream, for transports that only have those (the local socket): the first message sent is
// the request; later ones are ignored. Closing it ends the responses early (the source's
// return() runs, so a snapshot's staged copy is removed and an observer's watch ends).
import type {BidiStream} from '../../client/etcd/client.js'
import {AsyncQueue} from '../../util/async-queue.js'

export function serverStreamAsBidi<Res>(start: (request: unknown) => AsyncIterable<Res>): BidiStream<unknown, Res> {
  const out = new AsyncQueue<Res>()
  let source: AsyncIterator<Res> | undefined
  let closed = false
  const run = async (request: unknown) => {
    source = start(request)[Symbol.asyncIterator]()
    try {
      for (;;) {
        const next = await source.next()
        if (next.done || closed) break
        out.push(next.value)
      }
      out.end()
    } catch (error) {
      out.fail(error instanceof Error ? error : new Error(String(error)))
    }
  }
  return {
    send(request) {
      if (source === undefined && !closed) void run(request)
    },
    close() {
      if (closed) return
      closed = true
      void source?.return?.()
      out.end()
    },
    [Symbol.asyncIterator]: () => out[Symbol.asyncIterator](),
  }
}
