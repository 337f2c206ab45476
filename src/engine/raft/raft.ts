// The Raft consensus algorithm as a pure state machine, after etcd-io/raft's raft.go: no IO,
// no clock, no randomness of its own. The driver calls tick() for time and step() for each
// message, and takes what to persist, send and apply from `msgs`, `readStates` and the log
// (rawnode.ts packages them as a Ready).
//
// Features: pre-vote and check-quorum (a member that was partitioned away cannot disrupt the
// cluster when it returns, and a leader that loses its quorum steps down), log replication
// with flow control (progress.ts), commit only of entries of the current term by a quorum,
// snapshots for followers behind the compacted log, single-step membership changes applied
// when committed (at most one pending), ReadIndex, and leadership transfer.
import {assertIndex, invariant} from './assert.js'
import {nextConfState} from './conf-change.js'
import {RaftError, isRaftError} from './errors.js'
import {RaftLog} from './log.js'
import {type Progress, ProgressState} from './progress.js'
import {ReadOnly, contextKey} from './read-only.js'
import type {Rng} from './rng.js'
import type {Storage} from './storage.js'
import {ProgressTracker, VoteResult} from './tracker.js'
import {
  type ConfChange,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Message,
  MessageType,
  None,
  type NodeId,
  type ReadState,
  type Snapshot,
  type SoftState,
  StateType,
  entrySizeBytes,
  message,
  voteRespType,
} from './types.js'

/** How far back send() looks for a message to the same peer to merge with (a bound, not a tuning). */
const maxPendingLookBack = 64

function sizeOf(entries: Entry[]): number {
  let bytes = 0
  for (const e of entries) bytes += entrySizeBytes(e)
  return bytes
}

export interface Config {
  /** This node's id, never 0. */
  id: NodeId
  /** A follower that hears nothing from a leader for this many ticks (randomized in [n, 2n)) starts an election. */
  electionTimeoutTicks: number
  /** A leader sends heartbeats every this many ticks; must be less than electionTimeoutTicks. */
  heartbeatTicks: number
  storage: Storage
  /** The source of randomized election timeouts. */
  rng: Rng
  /** The last applied index, when restarting with state applied past the storage's snapshot. */
  applied?: number
  /** Bound of the entries' size in one MsgApp (at least one entry is always sent). Default 1 MiB. */
  maxSizePerMsgBytes?: number
  /** Bound of the committed entries' size in one Ready. Default 8 MiB. */
  maxCommittedSizePerReadyBytes?: number
  /** Bound of the leader's appended-but-uncommitted payload; proposals past it are dropped. Default 64 MiB. */
  maxUncommittedEntriesSizeBytes?: number
  /** Bound of MsgApp in flight to one follower in Replicate state. Default 256. */
  maxInflightMsgs?: number
  /** Bound of ReadIndex requests waiting on the leader. Default 4096. */
  maxPendingReadIndex?: number
  /** The leader steps down when it has not heard from a quorum for an election timeout. Default true. */
  checkQuorum?: boolean
  /** A node first asks whether it could win before it raises its term. Default true. */
  preVote?: boolean
  /** Followers drop proposals instead of forwarding them to the leader. Default false. */
  disableProposalForwarding?: boolean
}

enum CampaignType {
  PreElection = 'pre-election',
  Election = 'election',
  Transfer = 'transfer',
}

/** The context of a MsgVote that comes from a leadership transfer: it may disturb a leader. */
const campaignTransferContext = new TextEncoder().encode('CampaignTransfer')
const campaignTransferKey = contextKey(campaignTransferContext)

export class Raft {
  readonly id: NodeId
  term = 0
  vote: NodeId = None
  readStates: ReadState[] = []
  readonly log: RaftLog
  readonly prs: ProgressTracker
  state = StateType.Follower
  isLearner = false
  /** Messages to send; the driver takes them (after persisting the Ready they came with). */
  msgs: Message[] = []
  lead: NodeId = None
  /** The node leadership is being transferred to, or None. */
  leadTransferee: NodeId = None
  /** Index of the latest conf change the leader appended; only one may be pending (not yet applied). */
  pendingConfIndex = 0
  /** Payload bytes appended by this leader and not yet applied. */
  uncommittedSizeBytes = 0
  readonly readOnly: ReadOnly
  /** ReadIndex requests that came before this leader committed an entry of its term. */
  private pendingReadIndexMessages: Message[] = []

  /** Ticks since the last election timeout reset (leader: since the last check-quorum round). */
  electionElapsed = 0
  /** Ticks since the last heartbeat (leader only). */
  heartbeatElapsed = 0
  readonly checkQuorum: boolean
  readonly preVote: boolean
  readonly heartbeatTicks: number
  readonly electionTimeoutTicks: number
  /** In [electionTimeoutTicks, 2 * electionTimeoutTicks), drawn again on every reset. */
  randomizedElectionTimeoutTicks = 0
  readonly disableProposalForwarding: boolean
  private readonly maxMsgSizeBytes: number
  private readonly maxUncommittedSizeBytes: number
  private readonly rng: Rng
  /** Entry bytes of the MsgApps extendPendingAppend grew (their entries arrays are their own). */
  private readonly pendingAppendBytes = new WeakMap<Message, number>()

  constructor(c: Config) {
    invariant(c.id !== None, 'cannot use none as id')
    invariant(c.heartbeatTicks > 0, 'heartbeat tick must be greater than 0')
    invariant(c.electionTimeoutTicks > c.heartbeatTicks, 'election tick must be greater than heartbeat tick')
    this.id = c.id
    this.rng = c.rng
    this.electionTimeoutTicks = c.electionTimeoutTicks
    this.heartbeatTicks = c.heartbeatTicks
    this.maxMsgSizeBytes = c.maxSizePerMsgBytes ?? 1024 * 1024
    this.maxUncommittedSizeBytes = c.maxUncommittedEntriesSizeBytes ?? 64 * 1024 * 1024
    this.checkQuorum = c.checkQuorum ?? true
    this.preVote = c.preVote ?? true
    this.disableProposalForwarding = c.disableProposalForwarding ?? false
    this.log = new RaftLog(c.storage, c.maxCommittedSizePerReadyBytes ?? 8 * 1024 * 1024)
    this.prs = new ProgressTracker(c.maxInflightMsgs ?? 256)
    this.readOnly = new ReadOnly(c.maxPendingReadIndex ?? 4096)

    const {hardState, confState} = c.storage.initialState()
    this.prs.setConfig(confState, this.log.lastIndex())
    this.isLearner = this.prs.learners.has(this.id)
    if (hardState.term !== 0 || hardState.vote !== None || hardState.commit !== 0) this.loadState(hardState)
    if (c.applied !== undefined && c.applied > 0) this.log.appliedTo(c.applied)
    this.becomeFollower(this.term, None)
  }

  softState(): SoftState {
    return {lead: this.lead, raftState: this.state}
  }

  hardState(): HardState {
    return {term: this.term, vote: this.vote, commit: this.log.committed}
  }

  // ---- sending ----

  private send(m: Message): void {
    m.from = this.id
    if (m.type === MessageType.Vote || m.type === MessageType.VoteResp || m.type === MessageType.PreVote || m.type === MessageType.PreVoteResp) {
      // Votes carry the term they are for (a pre-vote the term it would campaign in).
      invariant(m.term !== 0, () => `term should be set when sending ${MessageType[m.type]}`)
    } else {
      invariant(m.term === 0, () => `term should not be set when sending ${MessageType[m.type]} (was ${m.term})`)
      // Proposals and read requests are forwarded without a term: they are local to the leader.
      if (m.type !== MessageType.Prop && m.type !== MessageType.ReadIndex) m.term = this.term
    }
    if (m.type === MessageType.AppResp && this.mergeAppResp(m)) return
    this.msgs.push(m)
  }

  /** The last message to `to` not yet handed to the driver (looking back a bounded way). */
  private pendingMsgTo(to: NodeId): Message | undefined {
    for (let i = this.msgs.length - 1, seen = 0; i >= 0 && seen < maxPendingLookBack; i--, seen++) {
      if (this.msgs[i]!.to === to) return this.msgs[i]
    }
    return undefined
  }

  /**
   * An acceptance that follows another one to the same leader in the same Ready says all it
   * says: the leader reads only the highest index acknowledged. One answer per Ready, not one
   * per MsgApp stepped.
   */
  private mergeAppResp(m: Message): boolean {
    if (m.reject) return false
    const pending = this.pendingMsgTo(m.to)
    if (pending?.type !== MessageType.AppResp || pending.reject || pending.term !== m.term || pending.index > m.index) return false
    pending.index = m.index
    return true
  }

  /**
   * Puts `entries` (which follow prevIndex) and the commit index into the MsgApp to `to` still
   * waiting in msgs, when it ends at prevIndex: the follower gets one MsgApp per Ready with
   * every entry proposed meanwhile, instead of one per proposal, and answers it once. That is
   * the message the leader would send anyway to a follower it had not sent to yet; it stands
   * for one message in flight (its inflights slot moves to its new last index).
   */
  private extendPendingAppend(to: NodeId, pr: Progress, prevIndex: number, entries: Entry[]): boolean {
    const pending = this.pendingMsgTo(to)
    if (pending?.type !== MessageType.App || pending.term !== this.term || pending.index + pending.entries.length !== prevIndex) return false
    if (entries.length > 0) {
      let bytes = this.pendingAppendBytes.get(pending) ?? sizeOf(pending.entries)
      bytes += sizeOf(entries)
      if (pending.entries.length > 0 && bytes > this.maxMsgSizeBytes) return false
      const lastIndex = prevIndex + entries.length
      if (pr.state === ProgressState.Replicate) {
        if (pending.entries.length > 0 && pr.inflights.lastIndex() === prevIndex) pr.inflights.replaceLast(lastIndex)
        else pr.inflights.add(lastIndex)
        pr.next = lastIndex + 1
      } else {
        pr.sentEntries(lastIndex, entries.length)
      }
      if (this.pendingAppendBytes.has(pending)) for (const e of entries) pending.entries.push(e)
      else pending.entries = pending.entries.concat(entries)
      this.pendingAppendBytes.set(pending, bytes)
    }
    pending.commit = this.log.committed
    return true
  }

  private sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true)
  }

  /**
   * Sends an MsgApp (or a snapshot, when the entries it needs are compacted) to `to`, unless
   * its progress is paused or there is nothing to send and sendIfEmpty is false.
   */
  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.progress.get(to)
    if (pr === undefined || pr.isPaused()) return false
    const prevIndex = pr.next - 1
    const prevTerm = this.log.termOrUndefined(prevIndex)
    let entries: Entry[] | undefined
    if (prevTerm !== undefined) {
      try {
        entries = this.log.entries(pr.next, this.maxMsgSizeBytes)
      } catch (error) {
        if (!isRaftError(error, 'compacted')) throw error
      }
    }
    if (entries !== undefined && prevTerm !== undefined) {
      if (entries.length === 0 && !sendIfEmpty) return false
      if (this.extendPendingAppend(to, pr, prevIndex, entries)) return true
      pr.sentEntries(prevIndex + entries.length, entries.length)
      this.send(message({type: MessageType.App, to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed}))
      return true
    }
    // The follower needs entries we no longer have: send a snapshot, if it is listening.
    if (!pr.recentActive) return false
    let snapshot: Snapshot
    try {
      snapshot = this.log.snapshot()
    } catch (error) {
      if (isRaftError(error, 'snapshot-temporarily-unavailable')) return false
      throw error
    }
    invariant(snapshot.metadata.index !== 0, 'need non-empty snapshot')
    pr.becomeSnapshot(snapshot.metadata.index)
    this.send(message({type: MessageType.Snap, to, snapshot}))
    return true
  }

  private sendHeartbeat(to: NodeId, context: Uint8Array | undefined): void {
    const pr = this.prs.progress.get(to)!
    // Never tell a follower to commit past what it is known to have: it may not have it.
    const commit = Math.min(pr.match, this.log.committed)
    this.send(message({type: MessageType.Heartbeat, to, commit, ...(context === undefined ? {} : {context})}))
  }

  private bcastAppend(): void {
    for (const id of this.prs.progress.keys()) if (id !== this.id) this.sendAppend(id)
  }

  private bcastHeartbeat(): void {
    this.bcastHeartbeatWithContext(this.readOnly.lastPendingRequestCtx())
  }

  private bcastHeartbeatWithContext(context: Uint8Array | undefined): void {
    for (const id of this.prs.progress.keys()) if (id !== this.id) this.sendHeartbeat(id, context)
  }

  // ---- commit, apply ----

  /** Commits what a quorum has, if it is of this term; returns whether the commit index moved. */
  private maybeCommit(): boolean {
    return this.log.maybeCommit(this.prs.committed(), this.term)
  }

  /**
   * The driver made the log durable up to log.stableLastIndex(): a leader counts its own copy
   * toward a commit from now on (and tells the followers when that moved the commit index).
   */
  ownLogDurable(): void {
    if (this.state !== StateType.Leader) return
    const self = this.prs.progress.get(this.id)
    // a removed leader (no progress) does not count itself
    if (self === undefined || !self.maybeUpdate(this.log.stableLastIndex())) return
    if (this.maybeCommit()) {
      this.commitAdvancedOnLeader()
      this.bcastAppend()
    }
  }

  /** The application applied `entries` (the committed entries of a Ready). */
  appliedTo(index: number, entries: Entry[]): void {
    this.log.appliedTo(index)
    if (this.state === StateType.Leader) {
      let size = 0
      for (const e of entries) size += e.data.length
      this.uncommittedSizeBytes = Math.max(0, this.uncommittedSizeBytes - size)
    }
  }

  private reset(term: number): void {
    if (this.term !== term) {
      assertIndex(term, 'term')
      this.term = term
      this.vote = None
    }
    this.lead = None
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.resetRandomizedElectionTimeout()
    this.abortLeaderTransfer()
    this.prs.resetVotes()
    const last = this.log.lastIndex()
    // Our own match is what our log holds durably: an entry still on its way to disk is not a vote for it.
    const durable = this.log.stableLastIndex()
    for (const [id, pr] of this.prs.progress) {
      pr.match = id === this.id ? durable : 0
      pr.next = last + 1
      pr.becomeProbe()
      pr.next = last + 1
      pr.recentActive = false
    }
    this.pendingConfIndex = 0
    this.uncommittedSizeBytes = 0
    this.readOnly.reset()
    this.pendingReadIndexMessages = []
  }

  private appendEntry(entries: Entry[]): boolean {
    const last = this.log.lastIndex()
    for (let i = 0; i < entries.length; i++) {
      entries[i] = {...entries[i]!, term: this.term, index: last + 1 + i}
    }
    if (!this.increaseUncommittedSize(entries)) return false
    const li = this.log.append(entries)
    assertIndex(li, 'last index')
    // The leader's own copy counts toward a commit only once it is durable (ownLogDurable):
    // until then only the followers' acknowledged, durable copies do (Raft thesis 10.2.1).
    return true
  }

  private increaseUncommittedSize(entries: Entry[]): boolean {
    let size = 0
    for (const e of entries) size += e.data.length
    // Always admit one proposal when nothing is pending, however large, so progress is possible.
    if (this.uncommittedSizeBytes > 0 && size > 0 && this.uncommittedSizeBytes + size > this.maxUncommittedSizeBytes) return false
    this.uncommittedSizeBytes += size
    return true
  }

  // ---- time ----

  tick(): void {
    if (this.state === StateType.Leader) this.tickHeartbeat()
    else this.tickElection()
  }

  private tickElection(): void {
    this.electionElapsed++
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0
      this.step(message({type: MessageType.Hup, from: this.id}))
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    if (this.electionElapsed >= this.electionTimeoutTicks) {
      this.electionElapsed = 0
      if (this.checkQuorum) this.step(message({type: MessageType.CheckQuorum, from: this.id}))
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === StateType.Leader && this.leadTransferee !== None) this.abortLeaderTransfer()
    }
    if (this.state !== StateType.Leader) return
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0
      this.step(message({type: MessageType.Beat, from: this.id}))
    }
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeoutTicks
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeoutTicks = this.electionTimeoutTicks + this.rng.intBelow(this.electionTimeoutTicks)
  }

  // ---- roles ----

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term)
    this.lead = lead
    this.state = StateType.Follower
  }

  private becomeCandidate(): void {
    invariant(this.state !== StateType.Leader, 'invalid transition [leader -> candidate]')
    this.reset(this.term + 1)
    this.vote = this.id
    this.state = StateType.Candidate
  }

  private becomePreCandidate(): void {
    invariant(this.state !== StateType.Leader, 'invalid transition [leader -> pre-candidate]')
    // A pre-candidate changes neither its term nor its vote.
    this.prs.resetVotes()
    this.lead = None
    this.state = StateType.PreCandidate
  }

  private becomeLeader(): void {
    invariant(this.state !== StateType.Follower, 'invalid transition [follower -> leader]')
    this.reset(this.term)
    this.lead = this.id
    this.state = StateType.Leader
    this.prs.progress.get(this.id)?.becomeReplicate()
    // An empty entry of the new term: committing it commits everything before it (a leader
    // may only count replicas of entries of its own term), and it gates conf changes and reads.
    const ok = this.appendEntry([{term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0)}])
    invariant(ok, 'empty entry was dropped')
    // No conf change until the empty entry is applied: that fences the configuration a
    // previous leader may have left uncommitted (the single-server change rule).
    this.pendingConfIndex = this.log.lastIndex()
  }

  /** Whether this node may become leader: it is a voter of its configuration. */
  promotable(): boolean {
    return this.prs.voters.has(this.id)
  }

  private hup(t: CampaignType): void {
    if (this.state === StateType.Leader) return
    if (!this.promotable()) return
    // A conf change committed but not applied may change who votes: wait for it.
    if (this.hasUnappliedConfChanges()) return
    this.campaign(t)
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false
    const entries = this.log.slice(this.log.applied + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER)
    return entries.some((e) => e.type === EntryType.ConfChange)
  }

  private campaign(t: CampaignType): void {
    if (!this.promotable()) return
    let voteMsg: MessageType
    let term: number
    if (t === CampaignType.PreElection) {
      this.becomePreCandidate()
      voteMsg = MessageType.PreVote
      // The term we would campaign in; our own term does not move before we win the pre-vote.
      term = this.term + 1
    } else {
      this.becomeCandidate()
      voteMsg = MessageType.Vote
      term = this.term
    }
    if (this.poll(this.id, voteRespType(voteMsg), true) === VoteResult.Won) {
      // A single voter wins at once.
      if (t === CampaignType.PreElection) this.campaign(CampaignType.Election)
      else this.becomeLeader()
      return
    }
    const lastIndex = this.log.lastIndex()
    const lastTerm = this.log.lastTerm()
    for (const id of this.prs.voters) {
      if (id === this.id) continue
      this.send(
        message({
          type: voteMsg,
          to: id,
          term,
          index: lastIndex,
          logTerm: lastTerm,
          ...(t === CampaignType.Transfer ? {context: campaignTransferContext} : {}),
        }),
      )
    }
  }

  private poll(id: NodeId, _type: MessageType, granted: boolean): VoteResult {
    this.prs.recordVote(id, granted)
    return this.prs.tallyVotes().result
  }

  // ---- the state machine ----

  /**
   * Handles one message (local or from a peer). Throws RaftError('proposal-dropped') for a
   * proposal that cannot be taken now; every other outcome is in msgs/readStates/the log.
   */
  step(m: Message): void {
    if (m.term === 0) {
      // Local message (or a forwarded proposal/read request).
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = contextKey(m.context) === campaignTransferKey
        const inLease = this.checkQuorum && this.lead !== None && this.electionElapsed < this.electionTimeoutTicks
        // We heard from a leader within the minimum election timeout: it is alive, so a vote
        // request comes from a node that was cut off; do not let it disturb the cluster.
        if (!force && inLease) return
      }
      if (m.type === MessageType.PreVote) {
        // A pre-vote never changes our term.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // Granted pre-votes carry the future term; we take it when we win.
      } else if (m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap) {
        this.becomeFollower(m.term, m.from)
      } else {
        this.becomeFollower(m.term, None)
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A leader of an older term (cut off, with check-quorum it may never see a vote of a
        // higher term): our response with our term makes it step down.
        this.send(message({type: MessageType.AppResp, to: m.from}))
      } else if (m.type === MessageType.PreVote) {
        // Reject, with our term, so the pre-candidate learns it is behind.
        this.send(message({type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true}))
      }
      return
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.preVote ? CampaignType.PreElection : CampaignType.Election)
        return
      case MessageType.Vote:
      case MessageType.PreVote: {
        const canVote =
          this.vote === m.from ||
          (this.vote === None && this.lead === None) ||
          (m.type === MessageType.PreVote && m.term > this.term)
        if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
          // The response carries the term of the request (for a pre-vote, the future term).
          this.send(message({type: voteRespType(m.type), to: m.from, term: m.term}))
          if (m.type === MessageType.Vote) {
            this.electionElapsed = 0
            this.vote = m.from
          }
        } else {
          this.send(message({type: voteRespType(m.type), to: m.from, term: this.term, reject: true}))
        }
        return
      }
      default:
        switch (this.state) {
          case StateType.Leader:
            this.stepLeader(m)
            return
          case StateType.Candidate:
          case StateType.PreCandidate:
            this.stepCandidate(m)
            return
          case StateType.Follower:
            this.stepFollower(m)
            return
        }
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case MessageType.Beat:
        this.bcastHeartbeat()
        return
      case MessageType.CheckQuorum: {
        const self = this.prs.progress.get(this.id)
        if (self !== undefined) self.recentActive = true
        if (!this.prs.quorumActive()) this.becomeFollower(this.term, None)
        // Everyone (but us) must prove itself active again before the next check.
        for (const [id, pr] of this.prs.progress) if (id !== this.id) pr.recentActive = false
        return
      }
      case MessageType.Prop: {
        invariant(m.entries.length > 0, 'stepped empty MsgProp')
        if (!this.prs.progress.has(this.id)) throw new RaftError('proposal-dropped', 'this leader was removed from the configuration')
        if (this.leadTransferee !== None) throw new RaftError('proposal-dropped', `leadership is being transferred to ${this.leadTransferee}`)
        const entries = m.entries.map((e) => ({...e}))
        for (let i = 0; i < entries.length; i++) {
          if (entries[i]!.type !== EntryType.ConfChange) continue
          if (this.pendingConfIndex > this.log.applied) {
            // One change at a time: a second one becomes an empty entry (its proposer times out).
            entries[i] = {term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0)}
          } else {
            this.pendingConfIndex = this.log.lastIndex() + i + 1
          }
        }
        if (!this.appendEntry(entries)) throw new RaftError('proposal-dropped', 'too many uncommitted entries')
        this.bcastAppend()
        return
      }
      case MessageType.ReadIndex: {
        if (!this.readOnly.hasRoom() || this.pendingReadIndexMessages.length >= this.readOnly.maxPending) {
          if (m.from === None || m.from === this.id) throw new RaftError('proposal-dropped', 'too many pending read index requests')
          return
        }
        // Until this leader committed an entry of its term it does not know the commit index.
        if (!this.committedEntryInCurrentTerm()) {
          this.pendingReadIndexMessages.push(m)
          return
        }
        this.sendReadIndexResponse(m)
        return
      }
      case MessageType.App:
      case MessageType.Heartbeat:
      case MessageType.Snap:
        invariant(false, () => `two leaders in term ${this.term}: ${this.id} got ${MessageType[m.type]} from ${m.from}`)
    }

    const pr = this.prs.progress.get(m.from)
    if (pr === undefined) return
    switch (m.type) {
      case MessageType.AppResp: {
        pr.recentActive = true
        if (m.reject) {
          // The follower's hint: its last index, or where its log's term drops to <= m.logTerm.
          let nextProbeIndex = m.rejectHint
          if (m.logTerm > 0) nextProbeIndex = this.log.findConflictByTerm(m.rejectHint, m.logTerm)
          if (pr.maybeDecrTo(m.index, nextProbeIndex)) {
            if (pr.state === ProgressState.Replicate) pr.becomeProbe()
            this.sendAppend(m.from)
          }
          return
        }
        const oldPaused = pr.isPaused()
        if (!pr.maybeUpdate(m.index)) return
        if (pr.state === ProgressState.Probe) {
          pr.becomeReplicate()
        } else if (pr.state === ProgressState.Snapshot && pr.match + 1 >= this.log.firstIndex()) {
          // The follower caught up past the snapshot and can go on from our log.
          pr.becomeProbe()
          pr.becomeReplicate()
        } else if (pr.state === ProgressState.Replicate) {
          pr.inflights.freeLE(m.index)
        }
        if (this.maybeCommit()) {
          this.commitAdvancedOnLeader()
          this.bcastAppend()
        } else if (oldPaused) {
          this.sendAppend(m.from)
        }
        // Fill the window while there is something to send.
        while (this.maybeSendAppend(m.from, false)) {
          // keep sending
        }
        if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from)
        return
      }
      case MessageType.HeartbeatResp: {
        pr.recentActive = true
        pr.msgAppFlowPaused = false
        // The follower is alive: let one more MsgApp through a full window.
        if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne()
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from)
        if (m.context.length === 0) return
        const acks = this.readOnly.recvAck(m.from, m.context)
        if (acks === undefined) return
        let votes = 0
        for (const id of acks) if (this.prs.voters.has(id)) votes++
        if (votes < this.prs.quorum()) return
        for (const rs of this.readOnly.advance(m.context)) this.respondToReadIndex(rs.req, rs.index)
        return
      }
      case MessageType.SnapStatus: {
        if (pr.state !== ProgressState.Snapshot) return
        if (m.reject) pr.pendingSnapshot = 0
        pr.becomeProbe()
        // Wait for the next heartbeat (or the follower's MsgAppResp) before sending more.
        pr.msgAppFlowPaused = true
        return
      }
      case MessageType.Unreachable:
        // Optimistic sending was wasted; go back to probing.
        if (pr.state === ProgressState.Replicate) pr.becomeProbe()
        return
      case MessageType.TransferLeader: {
        if (pr.isLearner) return
        const transferee = m.from
        if (this.leadTransferee !== None) {
          if (this.leadTransferee === transferee) return
          this.abortLeaderTransfer()
        }
        if (transferee === this.id) return
        // The transfer must end within an election timeout (tickHeartbeat aborts it).
        this.electionElapsed = 0
        this.leadTransferee = transferee
        if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(transferee)
        else this.sendAppend(transferee)
        return
      }
    }
  }

  private stepCandidate(m: Message): void {
    const myVoteRespType = this.state === StateType.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp
    switch (m.type) {
      case MessageType.Prop:
        throw new RaftError('proposal-dropped', 'no leader')
      case MessageType.App:
        this.becomeFollower(m.term, m.from)
        this.handleAppendEntries(m)
        return
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from)
        this.handleHeartbeat(m)
        return
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from)
        this.handleSnapshot(m)
        return
      case MessageType.ReadIndex:
        if (m.from === None || m.from === this.id) throw new RaftError('proposal-dropped', 'no leader')
        return
      case myVoteRespType: {
        const result = this.poll(m.from, m.type, !m.reject)
        if (result === VoteResult.Won) {
          if (this.state === StateType.PreCandidate) {
            this.campaign(CampaignType.Election)
          } else {
            this.becomeLeader()
            this.bcastAppend()
          }
        } else if (result === VoteResult.Lost) {
          // A pre-vote or vote response with a higher term moved our term already in step().
          this.becomeFollower(this.term, None)
        }
        return
      }
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.Prop:
        if (this.lead === None) throw new RaftError('proposal-dropped', 'no leader')
        if (this.disableProposalForwarding) throw new RaftError('proposal-dropped', 'proposal forwarding is disabled')
        this.send({...m, to: this.lead, term: 0})
        return
      case MessageType.App:
        this.electionElapsed = 0
        this.lead = m.from
        this.handleAppendEntries(m)
        return
      case MessageType.Heartbeat:
        this.electionElapsed = 0
        this.lead = m.from
        this.handleHeartbeat(m)
        return
      case MessageType.Snap:
        this.electionElapsed = 0
        this.lead = m.from
        this.handleSnapshot(m)
        return
      case MessageType.TransferLeader:
        if (this.lead === None) return
        this.send({...m, to: this.lead, term: 0})
        return
      case MessageType.TimeoutNow:
        // A transfer: campaign at once and without a pre-vote (nobody is partitioned away here).
        this.hup(CampaignType.Transfer)
        return
      case MessageType.ReadIndex:
        if (this.lead === None) {
          if (m.from === None || m.from === this.id) throw new RaftError('proposal-dropped', 'no leader')
          return
        }
        this.send({...m, to: this.lead, term: 0})
        return
      case MessageType.ReadIndexResp:
        invariant(m.entries.length === 1, () => `invalid MsgReadIndexResp from ${m.from}: ${m.entries.length} entries`)
        this.readStates.push({index: m.index, requestCtx: m.entries[0]!.data})
        return
    }
  }

  private handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed) {
      this.send(message({type: MessageType.AppResp, to: m.from, index: this.log.committed}))
      return
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries)
    if (lastNew !== undefined) {
      this.send(message({type: MessageType.AppResp, to: m.from, index: lastNew}))
      return
    }
    // Reject, with a hint that lets the leader skip a whole term of mismatching entries: the
    // largest index <= m.index whose term is <= m.logTerm.
    const hintIndex = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm)
    const hintTerm = this.log.termOrUndefined(hintIndex)
    invariant(hintTerm !== undefined, () => `term(${hintIndex}) must be valid`)
    this.send(message({type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm}))
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit)
    this.send(message({type: MessageType.HeartbeatResp, to: m.from, context: m.context}))
  }

  private handleSnapshot(m: Message): void {
    const snapshot = m.snapshot
    invariant(snapshot !== undefined, 'MsgSnap without a snapshot')
    if (this.restore(snapshot)) {
      this.send(message({type: MessageType.AppResp, to: m.from, index: this.log.lastIndex()}))
    } else {
      this.send(message({type: MessageType.AppResp, to: m.from, index: this.log.committed}))
    }
  }

  /** Installs a snapshot (log and configuration); returns false if it is not newer than what we have. */
  restore(snapshot: Snapshot): boolean {
    const {index, term} = snapshot.metadata
    if (index <= this.log.committed) return false
    if (this.state !== StateType.Follower) {
      // Only a follower is sent snapshots; a leader of a newer term got this one by mistake.
      this.becomeFollower(this.term + 1, None)
      return false
    }
    if (this.log.matchTerm(index, term)) {
      // We have the snapshot's last entry: just commit up to it.
      this.log.commitTo(index)
      return false
    }
    this.log.restore(snapshot)
    this.prs.progress.clear()
    this.prs.setConfig(snapshot.metadata.confState, this.log.lastIndex())
    this.isLearner = this.prs.learners.has(this.id)
    return true
  }

  // ---- reads ----

  private committedEntryInCurrentTerm(): boolean {
    return this.log.termOrUndefined(this.log.committed) === this.term
  }

  /** The commit index moved on a leader: reads waiting for the first commit of this term can go. */
  private commitAdvancedOnLeader(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return
    const waiting = this.pendingReadIndexMessages
    this.pendingReadIndexMessages = []
    for (const m of waiting) this.sendReadIndexResponse(m)
  }

  private sendReadIndexResponse(m: Message): void {
    if (this.prs.voters.size === 1 && this.prs.voters.has(this.id)) {
      // Alone: nobody else can be leader.
      this.respondToReadIndex(m, this.log.committed)
      return
    }
    // Remember the commit index now, then confirm leadership with a round of heartbeats.
    this.readOnly.addRequest(this.log.committed, m)
    const ctx = m.entries[0]!.data
    this.readOnly.recvAck(this.id, ctx)
    this.bcastHeartbeatWithContext(ctx)
  }

  private respondToReadIndex(req: Message, index: number): void {
    if (req.from === None || req.from === this.id) {
      this.readStates.push({index, requestCtx: req.entries[0]!.data})
    } else {
      this.send(message({type: MessageType.ReadIndexResp, to: req.from, index, entries: req.entries}))
    }
  }

  // ---- transfer, configuration ----

  private sendTimeoutNow(to: NodeId): void {
    this.send(message({type: MessageType.TimeoutNow, to}))
  }

  private abortLeaderTransfer(): void {
    this.leadTransferee = None
  }

  /** Applies a committed conf change; returns the new configuration. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.switchToConfig(nextConfState(this.prs.confState(), cc))
  }

  private switchToConfig(cs: ConfState): ConfState {
    this.prs.setConfig(cs, this.log.lastIndex())
    const self = this.prs.progress.get(this.id)
    this.isLearner = self?.isLearner ?? false
    if (this.state === StateType.Leader && (self === undefined || this.isLearner)) {
      // Removed or demoted: step down; the others elect a leader among themselves.
      this.becomeFollower(this.term, None)
      return this.prs.confState()
    }
    if (this.state !== StateType.Leader || this.prs.voters.size === 0) return this.prs.confState()
    // The quorum changed: the commit index may move, and new members need entries.
    if (this.maybeCommit()) {
      this.commitAdvancedOnLeader()
      this.bcastAppend()
    } else {
      for (const id of this.prs.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, false)
    }
    if (this.leadTransferee !== None && !this.prs.voters.has(this.leadTransferee)) this.abortLeaderTransfer()
    return this.prs.confState()
  }

  private loadState(hs: HardState): void {
    invariant(
      hs.commit >= this.log.committed && hs.commit <= this.log.lastIndex(),
      () => `${this.id} state.commit ${hs.commit} is out of range [${this.log.committed}, ${this.log.lastIndex()}]`,
    )
    this.log.committed = hs.commit
    this.term = hs.term
    this.vote = hs.vote
  }
}
