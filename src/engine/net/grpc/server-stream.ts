// Sends a server stream's responses (Snapshot, Observe) to a gRPC call, one at a time as the
// call drains (a snapshot is never held in memory whole), and stops the source when the caller
// cancels or the server closes.
import type {ServerWritableStream} from '@grpc/grpc-js'
import type {StatusError} from './status.js'

export interface Pump {
  /** Ends the stream early (server closing): the source stops, the call ends. */
  stop: () => void
  done: Promise<void>
}

export function pumpServerStream(
  call: ServerWritableStream<unknown, unknown>,
  start: () => AsyncIterable<unknown>,
  toStatus: (error: unknown) => StatusError,
): Pump {
  let iterator: AsyncIterator<unknown> | undefined
  let ended = false
  const stop = () => {
    if (ended) return
    ended = true
    void iterator?.return?.()
  }
  call.once('cancelled', stop)
  const done = (async () => {
    try {
      iterator = start()[Symbol.asyncIterator]()
      for (;;) {
        const next = await iterator.next()
        if (next.done || ended) break
        if (!call.write(next.value)) {
          await new Promise<void>((resolve) => {
            call.once('drain', resolve)
            call.once('cancelled', resolve)
          })
        }
      }
      if (!call.cancelled) call.end()
    } catch (error) {
      if (!call.cancelled) call.emit('error', toStatus(error))
    } finally {
      ended = true
    }
  })()
  return {stop, done}
}
