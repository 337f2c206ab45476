// etcdctl's make-mirror: copy every key under a prefix at one revision (clientv3's mirror
// syncer: ranges of 1000 keys at that revision), then follow the changes after it with a watch,
// one destination txn per source revision, counting every key put or deleted.
import {Event_EventType} from '../api/proto/kv.js'
import {RequestOp, WatchCreateRequest} from '../api/proto/rpc.js'
import {Errors} from '../api/errors.js'
import type {EtcdClient, EtcdWatchLeaseClient} from '../client/etcd/client.js'

const BATCH_KEYS = 1000n

export interface MirrorOptions {
  prefix: Buffer
  /** What replaces the prefix in the destination key (etcdctl's strings.Replace, once). */
  destPrefix: Buffer
  signal: AbortSignal
  /** Called after every key put or deleted in the destination. */
  counted(): void
}

function rangeEndOf(prefix: Buffer): Buffer {
  if (prefix.length === 0) return Buffer.from([0])
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}

/** Go's strings.Replace(key, prefix, dest, 1): the first occurrence (an empty prefix: at the start). */
export function replaceFirst(key: Buffer, prefix: Buffer, dest: Buffer): Buffer {
  const at = prefix.length === 0 ? 0 : key.indexOf(prefix)
  if (at < 0) return key
  return Buffer.concat([key.subarray(0, at), dest, key.subarray(at + prefix.length)])
}

/** Runs until `signal` aborts (resolves) or a call fails (rejects). */
export async function mirror(source: EtcdClient & EtcdWatchLeaseClient, dest: EtcdClient, o: MirrorOptions): Promise<void> {
  const rangeEnd = rangeEndOf(o.prefix)
  const to = (key: Uint8Array) => replaceFirst(Buffer.from(key), o.prefix, o.destPrefix)
  // the base: every key at one revision
  let revision = 0n
  let from = o.prefix
  for (;;) {
    const page = await source.range({key: from, rangeEnd, limit: BATCH_KEYS, revision})
    if (revision === 0n) revision = page.header?.revision ?? 0n
    for (const kv of page.kvs) {
      await dest.put({key: to(kv.key), value: kv.value})
      o.counted()
    }
    if (!page.more || page.kvs.length === 0) break
    from = Buffer.concat([Buffer.from(page.kvs[page.kvs.length - 1]!.key), Buffer.from([0])])
    if (o.signal.aborted) return
  }
  // the updates after it
  const stream = source.watch()
  const stop = () => stream.close()
  o.signal.addEventListener('abort', stop, {once: true})
  try {
    stream.send({createRequest: WatchCreateRequest.fromPartial({key: o.prefix, rangeEnd, startRevision: revision + 1n})})
    for await (const response of stream) {
      if (response.compactRevision !== 0n) throw Errors.compacted()
      let ops: RequestOp[] = []
      let lastRevision = 0n
      for (const event of response.events) {
        const kv = event.kv!
        if (lastRevision !== 0n && kv.modRevision > lastRevision) {
          await dest.txn({success: ops})
          ops = []
        }
        lastRevision = kv.modRevision
        if (event.type === Event_EventType.PUT) ops.push(RequestOp.fromPartial({requestPut: {key: to(kv.key), value: Buffer.from(kv.value)}}))
        else ops.push(RequestOp.fromPartial({requestDeleteRange: {key: to(kv.key)}}))
        o.counted()
      }
      if (ops.length > 0) await dest.txn({success: ops})
    }
  } finally {
    o.signal.removeEventListener('abort', stop)
    stream.close()
  }
}
