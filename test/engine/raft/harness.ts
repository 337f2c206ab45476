// A deterministic little cluster for scripted raft tests: RawNodes over MemoryStorage, a
// message queue delivered in order until quiet, and filters to cut links or drop types. Each
// Ready is handled as a driver must: persist, send, apply (conf changes included), advance.
// Delivered messages are recorded as trace lines so a test can assert what went on the wire.
import {decodeConfChange} from '../../../src/engine/raft/codec.js'
import {isRaftError} from '../../../src/engine/raft/errors.js'
import type {Config} from '../../../src/engine/raft/raft.js'
import {RawNode} from '../../../src/engine/raft/rawnode.js'
import {Mulberry32} from '../../../src/engine/raft/rng.js'
import {MemoryStorage} from '../../../src/engine/raft/storage.js'
import {
  type ConfState,
  type Entry,
  EntryType,
  type Message,
  MessageType,
  type NodeId,
  type ReadState,
  StateType,
} from '../../../src/engine/raft/types.js'

export interface TestNode {
  id: NodeId
  node: RawNode
  storage: MemoryStorage
  /** Every entry applied, in order (normal and conf change). */
  applied: Entry[]
  readStates: ReadState[]
  confState: ConfState
}

export interface ClusterOptions {
  preVote?: boolean
  checkQuorum?: boolean
  electionTimeoutTicks?: number
  heartbeatTicks?: number
  seed?: number
  maxSizePerMsgBytes?: number
  maxInflightMsgs?: number
  /** Learners of the initial configuration. */
  learners?: NodeId[]
}

export function describeMessage(m: Message): string {
  let s = `${m.from}->${m.to} Msg${MessageType[m.type]} term=${m.term}`
  if (m.type === MessageType.App || m.type === MessageType.Vote || m.type === MessageType.PreVote) s += ` logTerm=${m.logTerm} index=${m.index}`
  if (m.type === MessageType.App) s += ` commit=${m.commit} entries=[${m.entries.map((e) => `${e.term}/${e.index}`).join(' ')}]`
  if (m.type === MessageType.AppResp) s += ` index=${m.index}${m.reject ? ` reject hint=${m.rejectHint}/${m.logTerm}` : ''}`
  else if (m.reject) s += ' reject'
  if (m.type === MessageType.Heartbeat) s += ` commit=${m.commit}`
  if (m.type === MessageType.Snap) s += ` snapshot=${m.snapshot!.metadata.index}`
  return s
}

export class Cluster {
  readonly nodes = new Map<NodeId, TestNode>()
  readonly trace: string[] = []
  private queue: Message[] = []
  private cut = new Set<string>()
  private ignored = new Set<MessageType>()
  private readonly rng: Mulberry32

  constructor(
    ids: NodeId[],
    private readonly opts: ClusterOptions = {},
  ) {
    this.rng = new Mulberry32(opts.seed ?? 1)
    const confState = {voters: ids.filter((id) => !(opts.learners ?? []).includes(id)), learners: opts.learners ?? []}
    for (const id of ids) this.add(id, confState)
  }

  /** Adds a node whose storage starts at a bootstrap snapshot of confState (index 1, term 1), or empty. */
  add(id: NodeId, confState: ConfState | undefined): TestNode {
    const storage = new MemoryStorage()
    if (confState !== undefined) {
      storage.applySnapshot({data: new Uint8Array(0), metadata: {index: 1, term: 1, confState}})
      storage.setHardState({term: 1, vote: 0n, commit: 1})
    }
    const tn: TestNode = {id, node: new RawNode(this.config(id, storage)), storage, applied: [], readStates: [], confState: confState ?? {voters: [], learners: []}}
    this.nodes.set(id, tn)
    return tn
  }

  /** Replaces a node's RawNode with a new one over the same storage (a restart that kept its disk). */
  restart(id: NodeId): void {
    const tn = this.get(id)
    tn.node = new RawNode(this.config(id, tn.storage))
    tn.applied = []
  }

  private config(id: NodeId, storage: MemoryStorage): Config {
    return {
      id,
      storage,
      rng: this.rng,
      electionTimeoutTicks: this.opts.electionTimeoutTicks ?? 10,
      heartbeatTicks: this.opts.heartbeatTicks ?? 1,
      preVote: this.opts.preVote ?? false,
      checkQuorum: this.opts.checkQuorum ?? false,
      ...(this.opts.maxSizePerMsgBytes === undefined ? {} : {maxSizePerMsgBytes: this.opts.maxSizePerMsgBytes}),
      ...(this.opts.maxInflightMsgs === undefined ? {} : {maxInflightMsgs: this.opts.maxInflightMsgs}),
    }
  }

  get(id: NodeId): TestNode {
    const tn = this.nodes.get(id)
    if (tn === undefined) throw new Error(`no node ${id}`)
    return tn
  }

  raft(id: NodeId) {
    return this.get(id).node.raft
  }

  state(id: NodeId): StateType {
    return this.raft(id).state
  }

  leader(): NodeId | undefined {
    let best: TestNode | undefined
    for (const tn of this.nodes.values()) {
      if (tn.node.raft.state === StateType.Leader && (best === undefined || tn.node.raft.term > best.node.raft.term)) best = tn
    }
    return best?.id
  }

  /** Cuts the link both ways. */
  cutLink(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}-${b}`)
    this.cut.add(`${b}-${a}`)
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other)
  }

  ignore(type: MessageType): void {
    this.ignored.add(type)
  }

  recover(): void {
    this.cut.clear()
    this.ignored.clear()
  }

  /** Handles every node's Ready until no node has one; queues their messages. */
  processReadies(): void {
    for (let progress = true; progress; ) {
      progress = false
      for (const tn of this.nodes.values()) {
        while (tn.node.hasReady()) {
          progress = true
          const rd = tn.node.ready()
          if (rd.snapshot !== undefined) {
            tn.storage.applySnapshot(rd.snapshot)
            tn.confState = rd.snapshot.metadata.confState
          }
          tn.storage.append(rd.entries)
          if (rd.hardState !== undefined) tn.storage.setHardState(rd.hardState)
          this.queue.push(...rd.messages)
          for (const e of rd.committedEntries) {
            tn.applied.push(e)
            if (e.type === EntryType.ConfChange) tn.confState = tn.node.applyConfChange(decodeConfChange(e.data))
          }
          tn.readStates.push(...rd.readStates)
          tn.node.advance()
        }
      }
    }
  }

  /** Delivers queued messages (and everything they cause) until the cluster is quiet. */
  stabilize(maxMessages = 100_000): void {
    this.processReadies()
    let delivered = 0
    while (this.queue.length > 0) {
      const m = this.queue.shift()!
      if (this.cut.has(`${m.from}-${m.to}`) || this.ignored.has(m.type)) continue
      const tn = this.nodes.get(m.to)
      if (tn === undefined) continue
      this.trace.push(describeMessage(m))
      try {
        tn.node.step(m)
      } catch (error) {
        if (!isRaftError(error, 'step-peer-not-found') && !isRaftError(error, 'proposal-dropped')) throw error
      }
      this.processReadies()
      if (++delivered > maxMessages) throw new Error('cluster does not quiet down')
    }
  }

  /** Drops whatever is queued (messages lost on the wire). */
  dropQueued(): void {
    this.queue = []
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) this.get(id).node.tick()
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) for (const tn of this.nodes.values()) tn.node.tick()
  }

  /** Elects `id` by an explicit campaign and lets the cluster settle. */
  elect(id: NodeId): void {
    this.get(id).node.campaign()
    this.stabilize()
  }

  propose(id: NodeId, text: string): void {
    this.get(id).node.propose(new TextEncoder().encode(text))
    this.stabilize()
  }

  /** Applied normal entries with data, as text. */
  appliedText(id: NodeId): string[] {
    return this.get(id)
      .applied.filter((e) => e.type === EntryType.Normal && e.data.length > 0)
      .map((e) => new TextDecoder().decode(e.data))
  }

  /** Tracing from here on: clears the trace and returns it later. */
  takeTrace(): string[] {
    return this.trace.splice(0)
  }
}
