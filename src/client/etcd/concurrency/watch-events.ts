// One watcher on a fresh watch stream, as an async iterable of its event-bearing responses:
// the `created` answer is consumed here, a server cancel becomes an error, and aborting the
// signal (or leaving the loop) closes the stream.
import {Errors, EtcdError, GrpcCode} from '../../../api/errors.js'
import {WatchCreateRequest, type WatchResponse} from '../../../api/proto/rpc.js'
import type {Req} from '../client.js'
import type {ConcurrencyClient} from './client.js'

export async function* watchEvents(
  client: ConcurrencyClient,
  create: Req<WatchCreateRequest>,
  signal?: AbortSignal,
): AsyncGenerator<WatchResponse, void, undefined> {
  if (signal?.aborted) return
  const stream = client.watch()
  const onAbort = (): void => stream.close()
  signal?.addEventListener('abort', onAbort, {once: true})
  try {
    stream.send({createRequest: WatchCreateRequest.fromPartial(create)})
    for await (const response of stream) {
      if (signal?.aborted) return
      if (response.canceled) throw cancelError(response)
      if (response.events.length > 0) yield response
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    stream.close()
  }
}

/** Why the server ended a watcher, as the error clientv3's WatchResponse.Err() gives. */
export function cancelError(response: WatchResponse): EtcdError {
  if (response.compactRevision > 0n) return Errors.compacted()
  return new EtcdError(GrpcCode.CANCELLED, response.cancelReason || 'watch canceled by the server')
}
