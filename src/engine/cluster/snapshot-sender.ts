// The leader's side of catching a follower up by snapshot (etcd's createMergedSnapshotMessage
// and rafthttp snapshot sender).
//
// Raft asks for a snapshot when a follower needs entries the log no longer holds; its MsgSnap
// names the last recorded snapshot, whose store state is long gone (the store only moves
// forward). So, as etcd does, the member sends its store as it is NOW: a consistent copy of the
// backend (one LMDB read transaction, written compactly to a file, applies going on meanwhile),
// with the raft index the copy holds and the configuration and roster at that index. The copy
// also carries a key-index checkpoint that matches it when no entry was applied while it was
// made, so the follower loads its key index instead of rebuilding it from every revision. It
// is streamed to the follower on a connection of its own (snapshot-stream.ts), and raft is told
// how it went (ReportSnapshot): on success it waits for the follower's ack of the index, on
// failure it probes again and asks for another snapshot later.
import {rm} from 'node:fs/promises'
import type {KvStore} from '../mvcc/kv.js'
import type {ConfState, Message, NodeId} from '../raft/index.js'
import type {SavedMember} from './roster.js'
import {sendDbFile} from './snapshot-files.js'
import {sendSnapshot} from './snapshot-stream.js'
import type {PeerTransport} from './transport.js'

/** What the member has applied at one moment. */
export interface AppliedPoint {
  /** Raft index of the last applied entry. */
  applied: number
  /** The store's consistent index (the last applied entry that changed the store). */
  consistentIndex: bigint
  confState: ConfState
  roster: SavedMember[]
  /** Counts configuration and roster changes applied, so a change during a copy is seen. */
  confVersion: number
}

export interface SnapshotSenderOptions {
  memberDir: string
  store: KvStore
  transport: PeerTransport
  appliedPoint(): AppliedPoint
  /** The term of the entry at `index` (throws if the log no longer holds it). */
  termAt(index: number): number
  report(to: NodeId, failed: boolean): void
  log(line: string): void
}

export class SnapshotSender {
  /** Snapshots sent whole and acknowledged by the follower. */
  sentCount = 0
  private readonly sending = new Set<NodeId>()
  private closed = false

  constructor(private readonly options: SnapshotSenderOptions) {}

  /** Sends the store for raft's MsgSnap `m`; one snapshot per follower at a time. */
  send(m: Message): void {
    if (this.closed || this.sending.has(m.to)) return
    this.sending.add(m.to)
    void this.sendOnce(m).finally(() => this.sending.delete(m.to))
  }

  private async sendOnce(m: Message): Promise<void> {
    const {store, transport, log} = this.options
    const file = sendDbFile(this.options.memberDir)
    const started = performance.now()
    try {
      const before = this.options.appliedPoint()
      const withIndex = await store.copyBackendWithKeyIndexTo(file)
      const after = this.options.appliedPoint()
      const copiedAt = performance.now()
      // the follower loads the key index from the copy rather than scanning it (8 s at 1M keys)
      const keyIndexNote = withIndex.keyIndex
        ? `key index of ${withIndex.keys} keys included, encoded in ${Math.round(withIndex.encodeMs)} ms`
        : `no key index: ${withIndex.why}`
      const copied = withIndex.consistentIndex
      let index: number
      if (copied === before.consistentIndex) {
        // nothing changed the store between `before` and the copy: it is the state at before.applied
        index = before.applied
      } else if (after.confVersion === before.confVersion) {
        // the copy holds later entries; the configuration is the same for all of them
        index = Number(copied)
      } else {
        throw new Error('the configuration changed while the store was being copied')
      }
      const snapshot = {
        data: Buffer.from(JSON.stringify(before.roster)),
        metadata: {index, term: this.options.termAt(index), confState: before.confState},
      }
      if (this.closed) return
      const socket = await transport.openSnapshotStream(m.to)
      try {
        const bytes = await sendSnapshot(socket, {...m, snapshot}, file)
        this.sentCount++
        const done = performance.now()
        log(
          `sent snapshot at index ${index} (term ${snapshot.metadata.term}, ${bytes} bytes) to member ${m.to.toString(16)} in ${Math.round(done - started)} ms (copy ${Math.round(copiedAt - started)} ms, stream ${Math.round(done - copiedAt)} ms; ${keyIndexNote})`,
        )
      } finally {
        socket.destroy()
      }
      if (!this.closed) this.options.report(m.to, false)
    } catch (error) {
      if (this.closed) return
      log(`ectl server: sending a snapshot to member ${m.to.toString(16)} failed: ${(error as Error).message}`)
      this.options.report(m.to, true)
    } finally {
      await rm(file, {force: true}).catch(() => undefined)
      await rm(`${file}-lock`, {force: true}).catch(() => undefined)
    }
  }

  close(): void {
    this.closed = true
  }
}
