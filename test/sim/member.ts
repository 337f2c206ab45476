// One simulated member: a RawNode over a MemoryStorage "disk", and the key-value state machine.
// A Ready is taken at the end of one step and synced (persisted, sent, applied) at the next,
// so a crash in between loses it: the entries, hard state and messages were never durable or
// sent. After a restart the member rebuilds its state machine from the disk's snapshot and
// re-applies the committed log.
import {decodeConfChange} from '../../src/engine/raft/codec.js'
import {isRaftError} from '../../src/engine/raft/errors.js'
import {RawNode, type Ready} from '../../src/engine/raft/rawnode.js'
import type {Mulberry32} from '../../src/engine/raft/rng.js'
import {MemoryStorage} from '../../src/engine/raft/storage.js'
import {ConfChangeType, type ConfState, type Entry, EntryType, type Message, type NodeId, type ReadState} from '../../src/engine/raft/types.js'
import {type KvCommand, type KvOutput, KvStateMachine, decodeCommand} from './kv.js'

export interface MemberHooks {
  /** Each Ready's entries, before they are persisted (log matching checks). */
  onPersist(member: SimMember, entries: Entry[]): void
  /** Each applied entry, with the command's output for normal entries. */
  onApply(member: SimMember, entry: Entry, command: KvCommand | undefined, output: KvOutput | undefined): void
  /** A read whose index this member has applied. */
  onRead(member: SimMember, rs: ReadState): void
  /** A conf change this member applied (after the switch). */
  onConfChange(member: SimMember, type: ConfChangeType, nodeId: NodeId): void
  send(m: Message): void
}

export const electionTimeoutTicks = 10
export const heartbeatTicks = 2
/** A member snapshots its state machine every this many applied entries. */
const snapshotEveryEntries = 25
/** Entries kept in the log behind a snapshot, so slightly lagging followers need no snapshot. */
const keepBehindSnapshot = 5

export class SimMember {
  readonly storage = new MemoryStorage()
  node: RawNode | undefined
  kv = new KvStateMachine()
  confState: ConfState = {voters: [], learners: []}
  applied = 0
  private unsynced: Ready | undefined
  private waitingReads: ReadState[] = []
  /** Stopped for good (removed from the cluster). */
  removed = false

  constructor(
    readonly id: NodeId,
    private readonly rng: Mulberry32,
    private readonly hooks: MemberHooks,
    bootstrap: ConfState | undefined,
    /** Small values split the log into many MsgApp, which makes more interleavings. */
    private readonly maxSizePerMsgBytes: number,
  ) {
    if (bootstrap !== undefined) {
      // Every initial member starts from the same snapshot of the (empty) state machine.
      this.storage.applySnapshot({data: this.kv.snapshot(), metadata: {index: 1, term: 1, confState: bootstrap}})
      this.storage.setHardState({term: 1, vote: 0n, commit: 1})
    }
    this.start()
  }

  get alive(): boolean {
    return this.node !== undefined
  }

  /** Starts from what is on disk. */
  start(): void {
    const snap = this.storage.snapshot()
    this.kv = KvStateMachine.restore(snap.data)
    this.confState = snap.metadata.confState
    this.applied = snap.metadata.index
    this.waitingReads = []
    this.unsynced = undefined
    this.node = new RawNode({
      id: this.id,
      storage: this.storage,
      rng: this.rng,
      electionTimeoutTicks,
      heartbeatTicks,
      checkQuorum: true,
      preVote: true,
      maxSizePerMsgBytes: this.maxSizePerMsgBytes,
      maxInflightMsgs: 8,
    })
  }

  /** Loses everything not on disk. */
  crash(): void {
    this.node = undefined
    this.unsynced = undefined
    this.waitingReads = []
  }

  tick(): void {
    this.node?.tick()
  }

  receive(m: Message): void {
    if (this.node === undefined) return
    try {
      this.node.step(m)
    } catch (error) {
      if (!isRaftError(error, 'step-peer-not-found') && !isRaftError(error, 'proposal-dropped')) throw error
    }
  }

  /** Syncs the Ready taken last step (if any), then takes the next one. */
  step(): void {
    if (this.node === undefined) return
    if (this.unsynced !== undefined) this.sync(this.unsynced)
    this.unsynced = this.node?.hasReady() ? this.node.ready() : undefined
  }

  private sync(rd: Ready): void {
    const node = this.node!
    if (rd.snapshot !== undefined) {
      this.storage.applySnapshot(rd.snapshot)
      this.kv = KvStateMachine.restore(rd.snapshot.data)
      this.confState = rd.snapshot.metadata.confState
      this.applied = rd.snapshot.metadata.index
    }
    this.hooks.onPersist(this, rd.entries)
    this.storage.append(rd.entries)
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState)
    for (const m of rd.messages) this.hooks.send(m)
    for (const e of rd.committedEntries) {
      this.applyEntry(e)
      if (this.node === undefined) return
    }
    this.waitingReads.push(...rd.readStates)
    this.serveReads()
    node.advance()
    this.maybeSnapshot()
  }

  private applyEntry(e: Entry): void {
    this.applied = e.index
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data)
      try {
        this.confState = this.node!.applyConfChange(cc)
      } catch (error) {
        if (!isRaftError(error, 'conf-change-refused')) throw error
      }
      this.hooks.onApply(this, e, undefined, undefined)
      this.hooks.onConfChange(this, cc.type, cc.nodeId)
      return
    }
    if (e.data.length === 0) {
      this.hooks.onApply(this, e, undefined, undefined)
      return
    }
    const cmd = decodeCommand(e.data)
    const output = this.kv.apply(cmd)
    this.hooks.onApply(this, e, cmd, output)
  }

  private serveReads(): void {
    const still: ReadState[] = []
    for (const rs of this.waitingReads) {
      if (rs.index <= this.applied) this.hooks.onRead(this, rs)
      else still.push(rs)
    }
    this.waitingReads = still
  }

  private maybeSnapshot(): void {
    const snapIndex = this.storage.snapshot().metadata.index
    if (this.applied - snapIndex < snapshotEveryEntries) return
    this.storage.createSnapshot(this.applied, this.confState, this.kv.snapshot())
    const compactTo = this.applied - keepBehindSnapshot
    if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo)
  }
}
