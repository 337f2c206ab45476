// The data of the consensus core, modelled on etcd's raftpb: entries, hard and soft state,
// configurations, snapshots and messages. Numeric values of the enums are raftpb's, so a
// trace or a wire dump reads the same as etcd's.
//
// Terms and indexes are JS numbers: exact up to 2^53 (285 years at a million entries a
// second); raft asserts they stay safe integers. Node ids are 64-bit (bigint), as etcd's
// member ids; 0n means "none".

export type NodeId = bigint
export const None: NodeId = 0n

export enum EntryType {
  Normal = 0,
  ConfChange = 1,
}

export interface Entry {
  term: number
  index: number
  type: EntryType
  /** Opaque to raft for Normal entries; an encoded ConfChange (codec.ts) for ConfChange entries. */
  data: Uint8Array
}

/** What must be on stable storage before any message of the same Ready is sent. */
export interface HardState {
  term: number
  vote: NodeId
  commit: number
}

export enum StateType {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

/** Volatile state, useful to the driver and for logging; never persisted. */
export interface SoftState {
  lead: NodeId
  raftState: StateType
}

export interface ConfState {
  voters: NodeId[]
  learners: NodeId[]
}

export interface SnapshotMetadata {
  confState: ConfState
  index: number
  term: number
}

export interface Snapshot {
  /** The application's state machine at metadata.index (opaque to raft). */
  data: Uint8Array
  metadata: SnapshotMetadata
}

export enum ConfChangeType {
  AddNode = 0,
  RemoveNode = 1,
  /** Carries data (e.g. the member's URLs) to the application; the configuration is unchanged. */
  UpdateNode = 2,
  AddLearnerNode = 3,
}

/** One single-step membership change. AddNode on a learner promotes it to a voter. */
export interface ConfChange {
  type: ConfChangeType
  nodeId: NodeId
  context: Uint8Array
}

export enum MessageType {
  /** Local: start an election. */
  Hup = 0,
  /** Local: the leader sends heartbeats. */
  Beat = 1,
  Prop = 2,
  App = 3,
  AppResp = 4,
  Vote = 5,
  VoteResp = 6,
  Snap = 7,
  Heartbeat = 8,
  HeartbeatResp = 9,
  /** Local: the transport could not reach `from`. */
  Unreachable = 10,
  /** Local: the outcome of sending a snapshot to `from` (reject = failed). */
  SnapStatus = 11,
  /** Local: the leader checks it still hears from a quorum. */
  CheckQuorum = 12,
  TransferLeader = 13,
  TimeoutNow = 14,
  ReadIndex = 15,
  ReadIndexResp = 16,
  PreVote = 17,
  PreVoteResp = 18,
}

export interface Message {
  type: MessageType
  to: NodeId
  from: NodeId
  term: number
  /** Term of the entry at `index` (App, Vote, PreVote); for an App rejection, the follower's term at rejectHint. */
  logTerm: number
  index: number
  entries: Entry[]
  commit: number
  snapshot?: Snapshot
  reject: boolean
  rejectHint: number
  /** ReadIndex request context, echoed in heartbeats and responses; a campaign-transfer marker in votes. */
  context: Uint8Array
}

/** A completed ReadIndex: once the state machine has applied `index`, reads for `requestCtx` are linearizable. */
export interface ReadState {
  index: number
  requestCtx: Uint8Array
}

const empty = new Uint8Array(0)

/** A message with every field defaulted, for building messages by their interesting fields. */
export function message(fields: Partial<Message> & {type: MessageType}): Message {
  return {
    to: None,
    from: None,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: empty,
    ...fields,
  }
}

export function isLocalMessage(type: MessageType): boolean {
  return (
    type === MessageType.Hup ||
    type === MessageType.Beat ||
    type === MessageType.Unreachable ||
    type === MessageType.SnapStatus ||
    type === MessageType.CheckQuorum
  )
}

export function isResponseMessage(type: MessageType): boolean {
  return (
    type === MessageType.AppResp ||
    type === MessageType.VoteResp ||
    type === MessageType.HeartbeatResp ||
    type === MessageType.Unreachable ||
    type === MessageType.PreVoteResp
  )
}

/** The response type of a (pre-)vote request. */
export function voteRespType(type: MessageType): MessageType {
  if (type === MessageType.Vote) return MessageType.VoteResp
  if (type === MessageType.PreVote) return MessageType.PreVoteResp
  throw new Error(`not a vote message: ${MessageType[type]}`)
}

export function isEmptySnapshot(snapshot: Snapshot | undefined): boolean {
  return snapshot === undefined || snapshot.metadata.index === 0
}

export function emptyHardState(): HardState {
  return {term: 0, vote: None, commit: 0}
}

export function isHardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

/** An approximation of an entry's size in bytes, for maxSizePerMsg and the uncommitted-size limit. */
export function entrySizeBytes(entry: Entry): number {
  return entry.data.length + 24
}
