// Joins a gRPC bidirectional call to one of the engine's BidiStreams (Watch, LeaseKeepAlive):
// requests flow in as they arrive, responses flow out as the client reads them (a slow reader
// holds the engine's stream back rather than growing a buffer here).
import type {ServerDuplexStream} from '@grpc/grpc-js'
import {Errors} from '../../../api/errors.js'
import type {BidiStream} from '../../../client/etcd/client.js'
import {type StatusError, toStatusError} from './status.js'

export interface BridgeOptions {
  /**
   * etcd ends LeaseKeepAlive when the client half-closes, but keeps a Watch stream delivering
   * until the client cancels it; we do the same.
   */
  endOnHalfClose: boolean
  /** A request message the server refused before decoding it (too large): fails the call. */
  refuse(message: unknown): StatusError | undefined
}

export interface Bridge {
  /** Ends the call with `etcdserver: server stopped` (the server is shutting down). */
  stop(): void
  /** Settles when the call is over, however it ended. */
  readonly done: Promise<void>
}

export function bridgeStream(call: ServerDuplexStream<unknown, unknown>, stream: BidiStream<unknown, unknown>, options: BridgeOptions): Bridge {
  let finished = false
  let gone: () => void = () => undefined
  const callGone = new Promise<void>((resolve) => (gone = resolve))

  const fail = (error: StatusError) => {
    if (finished) return
    finished = true
    stream.close()
    call.emit('error', error)
  }

  call.on('data', (message: unknown) => {
    if (finished) return
    const refusal = options.refuse(message)
    if (refusal !== undefined) return fail(refusal)
    try {
      stream.send(message as never)
    } catch (error) {
      fail(toStatusError(error))
    }
  })
  call.on('end', () => {
    if (options.endOnHalfClose) stream.close()
  })
  for (const event of ['cancelled', 'close', 'error'] as const) {
    call.on(event, () => {
      finished = true
      stream.close()
      gone()
    })
  }

  const done = (async () => {
    try {
      for await (const response of stream) {
        if (finished) break
        if (!call.write(response)) {
          await Promise.race([new Promise<void>((resolve) => call.once('drain', () => resolve())), callGone])
        }
      }
      if (!finished) {
        finished = true
        call.end()
      }
    } catch (error) {
      fail(toStatusError(error))
    }
  })()

  return {
    stop: () => fail(toStatusError(Errors.stopped())),
    done,
  }
}
