// One simulated member: a RawNode over a MemoryStorage "disk", and the key-value state machine.
// A Ready is taken at the end of one step and persisted at the next, or, with a slow disk, a
// few steps later; a crash in between loses it: the entries and hard state were never durable,
// and the messages that must wait for the disk were never sent. As the cluster's driver does,
// the member does not idle meanwhile: it sends at once what may precede the write (a leader's
// appends), and at once and on every step until the write is durable it applies what is
// committed (even entries its own disk does not hold yet: a commit means a quorum of durable
// copies) and answers reads.
// After a restart the member rebuilds its state machine from the disk's snapshot and
// re-applies the committed log.
import {decodeConfChange} from '../../src/engine/raft/codec.js'
import {isRaftError} from '../../src/engine/raft/errors.js'
import {RawNode, type Ready, mayPrecedeDurability} from '../../src/engine/raft/rawnode.js'
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
/** Chance that a Ready's write is still on its way at the next step (a slow disk). */
const slowWriteChance = 0.3

export class SimMember {
  readonly storage = new MemoryStorage()
  node: RawNode | undefined
  kv = new KvStateMachine()
  confState: ConfState = {voters: [], learners: []}
  applied = 0
  private unsynced: Ready | undefined
  /** The unsynced Ready's messages that wait for its write. */
  private held: Message[] = []
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
    this.held = []
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
    this.held = []
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

  /** Syncs the Ready taken last step (if any, unless its write is slow), then takes the next one. */
  step(): void {
    if (this.node === undefined) return
    if (this.unsynced !== undefined) {
      if (this.rng.chance(slowWriteChance)) {
        this.whileWriting()
        return
      }
      this.sync(this.unsynced)
      if (this.node === undefined) return
    }
    this.unsynced = this.node.hasReady() ? this.node.ready() : undefined
    if (this.unsynced !== undefined) this.take(this.unsynced)
  }

  /** A Ready taken: what need not wait for its write goes now. */
  private take(rd: Ready): void {
    this.held = []
    for (const m of rd.messages) {
      if (mayPrecedeDurability(m)) this.hooks.send(m)
      else this.held.push(m)
    }
    // a snapshot's state comes before the entries after it
    if (rd.snapshot !== undefined) return
    for (const e of rd.committedEntries) {
      this.applyEntry(e)
      if (this.node === undefined) return
    }
    this.waitingReads.push(...rd.readStates)
    this.whileWriting()
  }

  /** Between a Ready and its durable write: applies and reads what may go already. */
  private whileWriting(): void {
    const node = this.node!
    for (const e of node.takeCommittedEntries()) {
      this.applyEntry(e)
      if (this.node === undefined) return
    }
    this.waitingReads.push(...node.takeReadStates())
    this.serveReads()
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
    for (const m of this.held) this.hooks.send(m)
    this.held = []
    if (rd.snapshot !== undefined) {
      for (const e of rd.committedEntries) {
        this.applyEntry(e)
        if (this.node === undefined) return
      }
      this.waitingReads.push(...rd.readStates)
    }
    this.whileWriting()
    if (this.node === undefined) return
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
    // applied ahead of the durable log: a snapshot there would cover entries the log may lose
    if (this.applied > this.storage.lastIndex()) return
    this.storage.createSnapshot(this.applied, this.confState, this.kv.snapshot())
    // what was applied is committed, though the hard state on disk may say less (applied before
    // the commit index was saved): as the cluster's log on open, a restart commits at least this
    const hs = this.storage.initialState().hardState
    if (hs.commit < this.applied) this.storage.setHardState({...hs, commit: this.applied})
    const compactTo = this.applied - keepBehindSnapshot
    if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo)
  }
}
