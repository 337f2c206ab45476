// ReadIndex bookkeeping on the leader, as etcd's readOnly (the safe option): each request
// remembers the commit index when it arrived and waits for a quorum of heartbeat responses
// echoing its context, which proves no newer leader existed at that point. Requests are
// answered in arrival order: a quorum for a later one confirms the earlier ones too.
import {invariant} from './assert.js'
import type {Message, NodeId} from './types.js'

export interface ReadIndexStatus {
  req: Message
  index: number
  acks: Set<NodeId>
}

/** Contexts are bytes; this is their key in maps. */
export function contextKey(ctx: Uint8Array): string {
  let s = ''
  for (let i = 0; i < ctx.length; i++) s += String.fromCharCode(ctx[i]!)
  return s
}

export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>()
  private queue: string[] = []

  constructor(readonly maxPending: number) {}

  size(): number {
    return this.queue.length
  }

  /** Whether another request fits (the queue is bounded). */
  hasRoom(): boolean {
    return this.queue.length < this.maxPending
  }

  /** Adds a request whose context is its first entry's data; a repeated context is ignored. */
  addRequest(index: number, m: Message): void {
    const key = contextKey(m.entries[0]!.data)
    if (this.pending.has(key)) return
    invariant(this.hasRoom(), 'read index queue is full')
    this.pending.set(key, {index, req: m, acks: new Set()})
    this.queue.push(key)
  }

  /** Records a heartbeat response carrying ctx; returns the acks so far (undefined if unknown). */
  recvAck(id: NodeId, ctx: Uint8Array): Set<NodeId> | undefined {
    const rs = this.pending.get(contextKey(ctx))
    if (rs === undefined) return undefined
    rs.acks.add(id)
    return rs.acks
  }

  /** Removes and returns every request up to and including the one with ctx. */
  advance(ctx: Uint8Array): ReadIndexStatus[] {
    const key = contextKey(ctx)
    const at = this.queue.indexOf(key)
    if (at < 0) return []
    const keys = this.queue.splice(0, at + 1)
    const done: ReadIndexStatus[] = []
    for (const k of keys) {
      const rs = this.pending.get(k)
      invariant(rs !== undefined, 'cannot find corresponding read state from pending map')
      this.pending.delete(k)
      done.push(rs)
    }
    return done
  }

  /** The context of the newest pending request, which heartbeats carry. */
  lastPendingRequestCtx(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined
    return this.pending.get(this.queue[this.queue.length - 1]!)!.req.entries[0]!.data
  }

  reset(): void {
    this.pending.clear()
    this.queue = []
  }
}
