// A lease keep-alive stream that survives its connection: on a retryable failure it opens a new
// stream and sends again every keep-alive not yet answered, so a waiting caller gets its answer.
import type {LeaseKeepAliveRequest, LeaseKeepAliveResponse} from '../../api/proto/rpc.js'
import {AsyncQueue} from '../../util/async-queue.js'
import type {KeepAliveStream, Req} from './client.js'
import type {ResumeOptions} from './resuming-watch.js'

export function resumingKeepAlive(first: KeepAliveStream, options: Omit<ResumeOptions, 'open'> & {open: () => Promise<KeepAliveStream>}): KeepAliveStream {
  const responses = new AsyncQueue<LeaseKeepAliveResponse>()
  /** Lease ids sent and not yet answered, with how many answers each still waits for. */
  const unanswered = new Map<bigint, number>()
  let current = first
  let closed = false

  const pump = async (): Promise<void> => {
    let failures = 0
    while (!closed) {
      try {
        for await (const response of current) {
          failures = 0
          const waiting = unanswered.get(response.ID) ?? 0
          if (waiting <= 1) unanswered.delete(response.ID)
          else unanswered.set(response.ID, waiting - 1)
          responses.push(response)
        }
        responses.end()
        return
      } catch (error) {
        if (closed) return
        if (!options.retryable(error) || ++failures > (options.maxAttempts ?? 20)) return responses.fail(error as Error)
        try {
          current = await options.open()
        } catch (openError) {
          return responses.fail(openError as Error)
        }
        if (closed) return current.close()
        for (const id of unanswered.keys()) {
          unanswered.set(id, 1)
          current.send({ID: id})
        }
      }
    }
  }
  void pump()

  return {
    send(request: Req<LeaseKeepAliveRequest>) {
      if (closed) return
      const id = request.ID ?? 0n
      unanswered.set(id, (unanswered.get(id) ?? 0) + 1)
      current.send(request)
    },
    close() {
      if (closed) return
      closed = true
      current.close()
      responses.end()
    },
    [Symbol.asyncIterator]: () => responses[Symbol.asyncIterator](),
  }
}
