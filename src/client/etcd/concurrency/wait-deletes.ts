// Waiting one's turn behind the keys created before one's own (clientv3/concurrency's
// waitDeletes): only the immediate predecessor is watched, so when a holder leaves exactly one
// waiter wakes up (no thundering herd); if that predecessor was itself a waiter that gave up,
// the next older key is watched in turn.
import {Event_EventType} from '../../../api/proto/kv.js'
import type {ResponseHeader} from '../../../api/proto/rpc.js'
import {ConcurrencyError, ConcurrencyMessage, type ConcurrencyClient} from './client.js'
import {byCreateRequest} from './keys.js'
import {watchEvents} from './watch-events.js'

/** Resolves once `key` is deleted (watching from `fromRevision`); rejects if aborted first. */
export async function waitDelete(client: ConcurrencyClient, key: Buffer, fromRevision: bigint, signal?: AbortSignal): Promise<void> {
  for await (const response of watchEvents(client, {key, startRevision: fromRevision}, signal)) {
    if (response.events.some((event) => event.type === Event_EventType.DELETE)) return
  }
  signal?.throwIfAborted()
  throw new ConcurrencyError(ConcurrencyMessage.lostWatcher)
}

/**
 * Resolves when no key under `prefix` created at or before `maxCreateRevision` is left, with
 * the header of the read that found none.
 */
export async function waitDeletes(
  client: ConcurrencyClient,
  prefix: Buffer,
  maxCreateRevision: bigint,
  signal?: AbortSignal,
  /** Told of each key waited on: tests check that only predecessors are watched. */
  onWait?: (key: Buffer) => void,
): Promise<ResponseHeader | undefined> {
  for (;;) {
    signal?.throwIfAborted()
    const response = await client.range(byCreateRequest(prefix, 'last', maxCreateRevision))
    const predecessor = response.kvs[0]
    if (predecessor === undefined) return response.header
    onWait?.(predecessor.key)
    await waitDelete(client, predecessor.key, response.header?.revision ?? 0n, signal)
  }
}
