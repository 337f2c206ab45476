// The driver's handle on a Raft node, as etcd-io/raft's RawNode: calls in (tick, step,
// propose, ...), and a Ready out with everything the driver must do, in this order:
//   1. install `snapshot` (if any) and append `entries` to stable storage, save `hardState`;
//   2. send `messages` (only now: a vote or an acknowledgement must not outrun the disk);
//   3. apply `committedEntries` (a ConfChange entry through applyConfChange) and serve
//      `readStates` once the state machine has applied their index;
//   4. call advance().
// At most one Ready is outstanding: ready() again before advance() is a bug.
//
// While a Ready's write is on its way to disk the driver need not sit idle (Raft thesis
// 10.2.1): a member counts its own log toward a commit only once advance() says it is durable,
// so the commit index always stands for entries durable on a quorum. Hence, between ready()
// and advance(), the driver may
//   - apply what takeCommittedEntries() hands out (committed meanwhile, e.g. by two followers
//     while the leader's own write is still pending), and serve takeReadStates();
//   - send the Ready's messages that mayPrecedeDurability allows (a leader's appends and
//     heartbeats, forwarded requests): none says anything about this member's own disk.
// A store applied ahead of its own log must not apply an entry twice after a restart (the
// store's consistent index does that here) nor record a snapshot past the durable log.
import {invariant} from './assert.js'
import {encodeConfChange} from './codec.js'
import {RaftError} from './errors.js'
import type {Progress} from './progress.js'
import {type Config, Raft} from './raft.js'
import {
  type ConfChange,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Message,
  MessageType,
  type NodeId,
  type ReadState,
  type Snapshot,
  type SoftState,
  StateType,
  isHardStateEqual,
  isLocalMessage,
  isResponseMessage,
  message,
} from './types.js'

export interface Ready {
  /** Set when it changed since the last Ready. */
  softState?: SoftState
  /** Set when it changed since the last Ready: persist it with `entries`. */
  hardState?: HardState
  /** Entries to append to stable storage before sending messages. */
  entries: Entry[]
  /** A snapshot to install in storage and in the state machine. */
  snapshot?: Snapshot
  /** Entries to apply to the state machine (already committed). */
  committedEntries: Entry[]
  /** Messages to send after the entries and hard state are durable. */
  messages: Message[]
  readStates: ReadState[]
}

/**
 * Whether a message may be sent before the Ready it came with (or the Readys before it) is
 * durable: it claims nothing about this member's log or vote. A leader's appends may carry
 * entries its own disk does not hold yet, since its copy counts only once durable. Votes,
 * vote and append answers and heartbeat answers wait for the disk.
 */
export function mayPrecedeDurability(m: Message): boolean {
  switch (m.type) {
    case MessageType.App:
    case MessageType.Heartbeat:
    case MessageType.TimeoutNow:
    case MessageType.ReadIndexResp:
    case MessageType.Prop:
    case MessageType.ReadIndex:
    case MessageType.TransferLeader:
      return true
    default:
      return false
  }
}

export interface Status {
  id: NodeId
  hardState: HardState
  softState: SoftState
  applied: number
  leadTransferee: NodeId
  /** The leader's view of every member (empty on a follower). */
  progress: Map<NodeId, Progress>
}

export class RawNode {
  readonly raft: Raft
  private prevSoftState: SoftState
  private prevHardState: HardState
  private outstanding: Ready | undefined
  /** Committed entries handed out by takeCommittedEntries since the outstanding Ready. */
  private takenEarly: Entry[] = []

  constructor(config: Config) {
    this.raft = new Raft(config)
    this.prevSoftState = this.raft.softState()
    this.prevHardState = this.raft.hardState()
  }

  /** One unit of time (the driver's clock decides how long that is). */
  tick(): void {
    this.raft.tick()
  }

  /** Starts an election now (tests and single-node bootstrap). */
  campaign(): void {
    this.raft.step(message({type: MessageType.Hup}))
  }

  /** Proposes data to be appended; throws RaftError('proposal-dropped') if it cannot be now. */
  propose(data: Uint8Array): void {
    this.raft.step(message({type: MessageType.Prop, from: this.raft.id, entries: [{term: 0, index: 0, type: EntryType.Normal, data}]}))
  }

  /** Proposes a membership change; it takes effect when the application applies the committed entry. */
  proposeConfChange(cc: ConfChange): void {
    const data = encodeConfChange(cc)
    this.raft.step(message({type: MessageType.Prop, from: this.raft.id, entries: [{term: 0, index: 0, type: EntryType.ConfChange, data}]}))
  }

  /** Applies a committed conf change; returns the configuration after it. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc)
  }

  /** Steps a message from the network. */
  step(m: Message): void {
    if (isLocalMessage(m.type)) throw new RaftError('step-local-message', MessageType[m.type])
    if (isResponseMessage(m.type) && !this.raft.prs.progress.has(m.from)) throw new RaftError('step-peer-not-found', String(m.from))
    this.raft.step(m)
  }

  /**
   * Asks for a linearizable read. A ReadState with this context appears in a later Ready (or
   * never, if leadership is lost meanwhile: the caller times out). The context must be unique.
   */
  readIndex(requestCtx: Uint8Array): void {
    this.raft.step(message({type: MessageType.ReadIndex, entries: [{term: 0, index: 0, type: EntryType.Normal, data: requestCtx}]}))
  }

  /** Asks the leader to hand leadership to transferee (through the leader, if this is a follower). */
  transferLeader(transferee: NodeId): void {
    this.raft.step(message({type: MessageType.TransferLeader, from: transferee}))
  }

  /** The transport failed to reach id. */
  reportUnreachable(id: NodeId): void {
    this.raft.step(message({type: MessageType.Unreachable, from: id}))
  }

  /** The transport finished (or failed) sending a snapshot to id. */
  reportSnapshot(id: NodeId, failed: boolean): void {
    this.raft.step(message({type: MessageType.SnapStatus, from: id, reject: failed}))
  }

  hasReady(): boolean {
    if (this.outstanding !== undefined) return false
    const r = this.raft
    if (!isSoftStateEqual(r.softState(), this.prevSoftState)) return true
    if (!isHardStateEqual(r.hardState(), this.prevHardState)) return true
    if (r.log.hasPendingSnapshot()) return true
    if (r.msgs.length > 0 || r.log.unstableEntries().length > 0 || r.log.hasNextEnts()) return true
    return r.readStates.length > 0
  }

  ready(): Ready {
    invariant(this.outstanding === undefined, 'ready() called again before advance()')
    const r = this.raft
    const rd: Ready = {
      entries: r.log.unstableEntries().slice(),
      committedEntries: r.log.nextEnts(),
      messages: r.msgs,
      readStates: r.readStates,
    }
    if (rd.committedEntries.length > 0) r.log.applyingTo(rd.committedEntries[rd.committedEntries.length - 1]!.index)
    const soft = r.softState()
    if (!isSoftStateEqual(soft, this.prevSoftState)) rd.softState = soft
    const hard = r.hardState()
    if (!isHardStateEqual(hard, this.prevHardState)) rd.hardState = hard
    if (r.log.hasPendingSnapshot()) rd.snapshot = r.log.unstable.snapshot
    r.msgs = []
    r.readStates = []
    this.outstanding = rd
    return rd
  }

  /**
   * Committed entries not handed out yet, while a Ready is outstanding (its write may still be
   * on its way): the commit index stands for entries durable on a quorum, so they may be
   * applied now. They count as applied at advance().
   */
  takeCommittedEntries(): Entry[] {
    invariant(this.outstanding !== undefined, 'takeCommittedEntries() without an outstanding Ready')
    const log = this.raft.log
    // a snapshot (outstanding, or received since) is installed before any entry after it
    if (this.outstanding.snapshot !== undefined || log.hasPendingSnapshot() || !log.hasNextEnts()) return []
    let entries = log.nextEnts()
    // A membership change waits for a Ready, whose messages go before it is applied: a member
    // it removes still hears the commit index that tells it so.
    const confChange = entries.findIndex((e) => e.type === EntryType.ConfChange)
    if (confChange >= 0) entries = entries.slice(0, confChange)
    if (entries.length === 0) return entries
    log.applyingTo(entries[entries.length - 1]!.index)
    for (const e of entries) this.takenEarly.push(e)
    return entries
  }

  /** Read states completed since the outstanding Ready (a read needs nothing of this member's disk). */
  takeReadStates(): ReadState[] {
    const r = this.raft
    if (r.readStates.length === 0) return []
    const taken = r.readStates
    r.readStates = []
    return taken
  }

  /** The last Ready was persisted, sent and applied (with what takeCommittedEntries handed out). */
  advance(): void {
    const rd = this.outstanding
    invariant(rd !== undefined, 'advance() without a ready()')
    this.outstanding = undefined
    if (rd.softState !== undefined) this.prevSoftState = rd.softState
    if (rd.hardState !== undefined) this.prevHardState = rd.hardState
    const applied = this.takenEarly.length > 0 ? rd.committedEntries.concat(this.takenEarly) : rd.committedEntries
    this.takenEarly = []
    if (applied.length > 0) {
      this.raft.appliedTo(applied[applied.length - 1]!.index, applied)
    } else if (rd.snapshot !== undefined) {
      this.raft.appliedTo(rd.snapshot.metadata.index, [])
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!
      this.raft.log.stableTo(last.index, last.term)
    }
    if (rd.snapshot !== undefined) this.raft.log.stableSnapTo(rd.snapshot.metadata.index)
    this.raft.ownLogDurable()
  }

  status(): Status {
    const r = this.raft
    return {
      id: r.id,
      hardState: r.hardState(),
      softState: r.softState(),
      applied: r.log.applied,
      leadTransferee: r.leadTransferee,
      progress: r.state === StateType.Leader ? new Map(r.prs.progress) : new Map(),
    }
  }
}

function isSoftStateEqual(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.raftState === b.raftState
}
