// A seeded simulation of a whole cluster built from the pure raft core: members (member.ts)
// over an in-memory network (network.ts), a fake clock (the tick loop below), and clients
// issuing put/get/delete/cas. One seed decides everything (faults, delays, election timeouts,
// client choices), so a failing seed replays exactly.
//
// A run: `faultTicks` of chaos (partitions both ways and one way, drops, delays, duplicates,
// crashes that lose unsynced state, restarts, membership changes, leader transfers), then the
// faults heal and the cluster must elect a leader and commit within `livenessBoundTicks`.
// Safety (safety.ts) is checked after every tick; the client history is checked for
// linearizability at the end.
import {isRaftError} from '../../src/engine/raft/errors.js'
import {Mulberry32} from '../../src/engine/raft/rng.js'
import {ConfChangeType, type Message, type NodeId, type ReadState, StateType} from '../../src/engine/raft/types.js'
import {type KvCommand, type KvOp, type KvOutput, encodeCommand} from './kv.js'
import {type CheckResult, type HistoryOp, checkHistory, describeOp} from './linearizability.js'
import {type MemberHooks, SimMember, electionTimeoutTicks} from './member.js'
import {SimNetwork} from './network.js'
import {SafetyChecker} from './safety.js'

export interface SimOptions {
  members: 3 | 5
  faultTicks: number
  livenessBoundTicks: number
  clients: number
  keys: string[]
  opTimeoutTicks: number
  /** Bound of members ever created (initial + added). */
  maxMembers: number
}

export const defaultSimOptions: SimOptions = {
  members: 3,
  faultTicks: 400,
  livenessBoundTicks: 20 * electionTimeoutTicks,
  clients: 4,
  keys: ['a', 'b', 'c'],
  opTimeoutTicks: 60,
  maxMembers: 8,
}

export interface SimResult {
  seed: number
  ticks: number
  opsCompleted: number
  opsUnknown: number
  leaderTerms: number
  livenessTicks: number
  membersCreated: number
  snapshotsSent: number
  check: CheckResult
  events: string[]
}

interface PendingOp {
  client: number
  seq: number
  op: KvOp
  member: NodeId
  deadlineTick: number
  history: HistoryOp
}

export class SimFailure extends Error {
  constructor(
    readonly seed: number,
    message: string,
    readonly events: string[],
  ) {
    super(`SIM_SEED=${seed}: ${message}\nlast events:\n${events.slice(-60).join('\n')}`)
    this.name = 'SimFailure'
  }
}

export class Simulation {
  readonly rng: Mulberry32
  readonly net: SimNetwork
  readonly members = new Map<NodeId, SimMember>()
  readonly safety = new SafetyChecker()
  readonly history: HistoryOp[] = []
  private readonly events: string[] = []
  private readonly opts: SimOptions
  private tickNow = 0
  /** Logical time of client events: every call and return takes the next number. */
  private clock = 0
  private nextMemberId = 1n
  private pending = new Map<string, PendingOp>()
  private clientBusy: boolean[]
  private clientSeq: number[]
  /** The member each client talks to, as a client keeps one connection (undefined: pick anew). */
  private clientMember: (NodeId | undefined)[]
  private restartAt = new Map<NodeId, number>()
  /** Members frozen (a long GC pause, a stopped VM) until a tick: no timers, no messages. */
  private pausedUntil = new Map<NodeId, number>()
  /** Per member, the chance a tick of the global clock reaches it (clocks drift apart). */
  private tickRate = new Map<NodeId, number>()
  private healAt = -1
  private lastLeader: NodeId | undefined
  private snapshotsSent = 0
  private readonly maxSizePerMsgBytes: number

  constructor(
    readonly seed: number,
    opts: Partial<SimOptions> = {},
  ) {
    this.opts = {...defaultSimOptions, ...opts}
    this.rng = new Mulberry32(seed)
    this.net = new SimNetwork(this.rng)
    this.net.faults = {
      dropRate: this.rng.pick([0, 0.01, 0.05, 0.1]),
      duplicateRate: this.rng.pick([0, 0.01, 0.05]),
      maxDelayTicks: this.rng.pick([0, 1, 2, 3]),
    }
    this.maxSizePerMsgBytes = this.rng.pick([100, 300, 4096])
    this.clientBusy = new Array<boolean>(this.opts.clients).fill(false)
    this.clientSeq = new Array<number>(this.opts.clients).fill(0)
    this.clientMember = new Array<NodeId | undefined>(this.opts.clients).fill(undefined)
    const ids: NodeId[] = []
    for (let i = 0; i < this.opts.members; i++) ids.push(this.nextMemberId++)
    for (const id of ids) {
      this.members.set(id, new SimMember(id, this.rng, this.hooks, {voters: ids, learners: []}, this.maxSizePerMsgBytes))
      this.tickRate.set(id, this.rng.pick([1, 1, 1, 0.9, 0.6]))
    }
    this.log(`start: ${this.opts.members} members, network ${JSON.stringify(this.net.faults)}, max ${this.maxSizePerMsgBytes} bytes per MsgApp`)
  }

  private log(event: string): void {
    this.events.push(`[${this.tickNow}] ${event}`)
    if (this.events.length > 400) this.events.splice(0, 200)
  }

  private fail(message: string): never {
    throw new SimFailure(this.seed, message, this.events)
  }

  private readonly hooks: MemberHooks = {
    onPersist: (member, entries) => this.safety.persisting(member, entries),
    onApply: (member, entry, command, output) => {
      this.safety.applied(member, entry)
      if (command !== undefined) this.maybeComplete(member, command, output)
    },
    onRead: (member, rs) => this.completeRead(member, rs),
    onConfChange: (member, type, nodeId) => {
      if (type !== ConfChangeType.RemoveNode) return
      const removed = this.members.get(nodeId)
      if (removed === undefined || removed.removed) return
      // As etcd: a removed member is refused by its peers and stops for good.
      this.log(`member ${nodeId} removed (applied on ${member.id}); stopping it`)
      removed.removed = true
      removed.crash()
      this.abandonOpsAt(nodeId)
    },
    send: (m: Message) => {
      const sent = this.net.send(m, this.tickNow)
      if (m.snapshot !== undefined) {
        this.snapshotsSent++
        // The transport reports a snapshot it could not send (and one it delivered, in step()).
        if (!sent) this.members.get(m.from)?.node?.reportSnapshot(m.to, true)
      }
    },
  }

  run(): SimResult {
    try {
      return this.runUnchecked()
    } catch (error) {
      if (error instanceof SimFailure) throw error
      return this.fail(error instanceof Error ? (error.stack ?? error.message) : String(error))
    }
  }

  private runUnchecked(): SimResult {
    const total = this.opts.faultTicks
    for (; this.tickNow < total; this.tickNow++) {
      this.injectFaults()
      this.step()
    }
    this.heal()
    const livenessTicks = this.runUntilLive()
    // Let stragglers finish, then every outstanding op is unknown.
    for (let i = 0; i < 30; i++, this.tickNow++) this.step()
    const check = checkHistory(this.history)
    if (!check.ok) {
      this.fail(`history not linearizable on key ${check.key} (${check.reason}):\n${check.ops.map(describeOp).join('\n')}`)
    }
    return {
      seed: this.seed,
      ticks: this.tickNow,
      opsCompleted: this.history.filter((h) => h.returnTime !== Infinity).length,
      opsUnknown: this.history.filter((h) => h.returnTime === Infinity).length,
      leaderTerms: this.safety.leaderCount(),
      livenessTicks,
      membersCreated: Number(this.nextMemberId - 1n),
      snapshotsSent: this.snapshotsSent,
      check,
      events: this.events,
    }
  }

  /** One tick of the fake clock: clients, network, timers, Ready handling, safety. */
  private step(): void {
    this.issueClientOps()
    for (const m of this.net.due(this.tickNow)) {
      const to = this.members.get(m.to)
      if (this.isPaused(m.to)) continue
      if (m.snapshot !== undefined) this.members.get(m.from)?.node?.reportSnapshot(m.to, to === undefined || !to.alive)
      to?.receive(m)
    }
    for (const member of this.members.values()) {
      if (!member.alive || this.isPaused(member.id)) continue
      if (this.rng.chance(this.tickRate.get(member.id) ?? 1)) member.tick()
      member.step()
    }
    for (const member of this.members.values()) {
      if (!member.alive) continue
      this.safety.observe(member)
      const r = member.node!.raft
      if (r.state === StateType.Leader && this.lastLeader !== member.id) {
        this.lastLeader = member.id
        this.log(`leader ${member.id} in term ${r.term}`)
      }
    }
    this.expireOps()
  }

  private isPaused(id: NodeId): boolean {
    return (this.pausedUntil.get(id) ?? -1) > this.tickNow
  }

  private liveMembers(): SimMember[] {
    return [...this.members.values()].filter((m) => m.alive)
  }

  private leader(): SimMember | undefined {
    let best: SimMember | undefined
    for (const m of this.members.values()) {
      const r = m.node?.raft
      if (r !== undefined && r.state === StateType.Leader && (best === undefined || r.term > best.node!.raft.term)) best = m
    }
    return best
  }

  // ---- faults ----

  private injectFaults(): void {
    const rng = this.rng
    const t = this.tickNow
    if (t === this.healAt) {
      this.net.heal()
      this.log('network healed')
    }
    for (const [id, at] of this.restartAt) {
      if (at !== t) continue
      this.restartAt.delete(id)
      const m = this.members.get(id)!
      if (!m.removed) {
        m.start()
        this.log(`member ${id} restarted (term ${m.node!.raft.term}, commit ${m.node!.raft.log.committed}, applied ${m.applied})`)
      }
    }
    const ids = [...this.members.values()].filter((m) => !m.removed).map((m) => m.id)
    if (rng.chance(0.01)) {
      const shuffled = ids.map((id) => ({id, k: rng.nextUint32()})).sort((a, b) => a.k - b.k).map((x) => x.id)
      const cut = 1 + rng.intBelow(Math.max(1, shuffled.length - 1))
      const a = shuffled.slice(0, cut)
      const b = shuffled.slice(cut)
      this.net.heal()
      this.net.partition(a, b)
      this.healAt = t + 20 + rng.intBelow(80)
      this.log(`partition ${a.join(',')} | ${b.join(',')} until ${this.healAt}`)
    }
    if (rng.chance(0.01) && ids.length > 1) {
      const from = rng.pick(ids)
      const to = rng.pick(ids.filter((id) => id !== from))
      this.net.blockOneWay(from, to)
      if (this.healAt < t) this.healAt = t + 20 + rng.intBelow(60)
      this.log(`one-way cut ${from} -> ${to} until ${this.healAt}`)
    }
    if (rng.chance(0.012)) {
      const alive = this.liveMembers()
      if (alive.length > 0) {
        const victim = rng.pick(alive)
        victim.crash()
        this.abandonOpsAt(victim.id)
        this.restartAt.set(victim.id, t + 5 + rng.intBelow(60))
        this.log(`member ${victim.id} crashed (unsynced state lost), restarts at ${this.restartAt.get(victim.id)}`)
      }
    }
    if (rng.chance(0.008)) {
      const alive = this.liveMembers().filter((m) => !this.isPaused(m.id))
      if (alive.length > 0) {
        const frozen = rng.pick(alive)
        this.pausedUntil.set(frozen.id, t + 5 + rng.intBelow(40))
        this.log(`member ${frozen.id} paused until ${this.pausedUntil.get(frozen.id)}`)
      }
    }
    if (rng.chance(0.01)) this.changeMembership()
    if (rng.chance(0.005)) {
      const leader = this.leader()
      if (leader !== undefined) {
        const voters = leader.confState.voters.filter((id) => id !== leader.id)
        if (voters.length > 0) {
          const to = rng.pick(voters)
          leader.node!.transferLeader(to)
          this.log(`transfer leadership ${leader.id} -> ${to}`)
        }
      }
    }
  }

  private changeMembership(): void {
    const leader = this.leader()
    if (leader === undefined) return
    const cs = leader.confState
    const rng = this.rng
    const choices: (() => {type: ConfChangeType; nodeId: NodeId} | undefined)[] = [
      () => this.newMember(ConfChangeType.AddLearnerNode),
      () => this.newMember(ConfChangeType.AddNode),
      () => (cs.learners.length > 0 ? {type: ConfChangeType.AddNode, nodeId: rng.pick(cs.learners)} : undefined),
      () => (cs.voters.length > 3 ? {type: ConfChangeType.RemoveNode, nodeId: rng.pick(cs.voters)} : undefined),
      () => (cs.learners.length > 0 ? {type: ConfChangeType.RemoveNode, nodeId: rng.pick(cs.learners)} : undefined),
      () => ({type: ConfChangeType.UpdateNode, nodeId: rng.pick(cs.voters)}),
    ]
    const change = rng.pick(choices)()
    if (change === undefined) return
    if (change.type === ConfChangeType.AddNode && !cs.learners.includes(change.nodeId) && cs.voters.length >= 5) return
    try {
      leader.node!.proposeConfChange({...change, context: new Uint8Array(0)})
      this.log(`propose conf change ${ConfChangeType[change.type]} ${change.nodeId} at leader ${leader.id}`)
    } catch (error) {
      if (!isRaftError(error, 'proposal-dropped')) throw error
    }
  }

  /** Starts an empty member (it learns everything from the leader) and returns the change adding it. */
  private newMember(type: ConfChangeType): {type: ConfChangeType; nodeId: NodeId} | undefined {
    if (Number(this.nextMemberId - 1n) >= this.opts.maxMembers) return undefined
    const id = this.nextMemberId++
    this.members.set(id, new SimMember(id, this.rng, this.hooks, undefined, this.maxSizePerMsgBytes))
    return {type, nodeId: id}
  }

  private heal(): void {
    this.net.heal()
    this.net.faults = {dropRate: 0, duplicateRate: 0, maxDelayTicks: this.net.faults.maxDelayTicks}
    for (const [id] of this.restartAt) {
      const m = this.members.get(id)!
      if (!m.removed && !m.alive) m.start()
    }
    this.restartAt.clear()
    this.pausedUntil.clear()
    this.healAt = -1
    this.log('all faults healed; every member up')
  }

  /** After healing: a leader must be elected and a write committed within the bound. */
  private runUntilLive(): number {
    const start = this.tickNow
    const probeClient = this.opts.clients
    let probeSeq = 0
    let probeKey: string | undefined
    for (; this.tickNow - start <= this.opts.livenessBoundTicks; this.tickNow++) {
      this.step()
      const leader = this.leader()
      if (leader === undefined || !leader.confState.voters.includes(leader.id)) continue
      if (probeKey === undefined || !this.pending.has(probeKey)) {
        if (probeKey !== undefined && this.history.some((h) => h.client === probeClient && h.returnTime !== Infinity)) {
          return this.tickNow - start
        }
        probeSeq++
        probeKey = `${probeClient}/${probeSeq}`
        this.submit(probeClient, probeSeq, {kind: 'put', key: 'live', value: `probe${probeSeq}`}, leader)
      }
    }
    if (this.history.some((h) => h.client === probeClient && h.returnTime !== Infinity)) return this.tickNow - start
    const states = [...this.members.values()].map((m) => `${m.id}:${m.removed ? 'removed' : m.alive ? `${StateType[m.node!.raft.state]} t${m.node!.raft.term} c${m.node!.raft.log.committed} voters=${m.confState.voters.join(',')}` : 'down'}`)
    return this.fail(`no leader committed a write within ${this.opts.livenessBoundTicks} ticks after healing: ${states.join(' ')}`)
  }

  // ---- clients ----

  private issueClientOps(): void {
    if (this.tickNow >= this.opts.faultTicks + this.opts.livenessBoundTicks) return
    for (let c = 0; c < this.opts.clients; c++) {
      if (this.clientBusy[c] || !this.rng.chance(0.5)) continue
      const alive = this.liveMembers()
      if (alive.length === 0) return
      // A client keeps its member until an op there fails or times out; a new one is a member
      // that believes it leads (a stale leader, cut off, too), or any member.
      let member = this.members.get(this.clientMember[c] ?? 0n)
      if (member === undefined || !member.alive || this.rng.chance(0.05)) {
        const leaders = alive.filter((m) => m.node!.raft.state === StateType.Leader)
        member = leaders.length > 0 && this.rng.chance(0.7) ? this.rng.pick(leaders) : this.rng.pick(alive)
        this.clientMember[c] = member.id
      }
      const seq = ++this.clientSeq[c]!
      this.submit(c, seq, this.randomOp(c, seq), member)
    }
  }

  private randomOp(client: number, seq: number): KvOp {
    const key = this.rng.pick(this.opts.keys)
    const value = `${client}.${seq}`
    switch (this.rng.intBelow(7)) {
      case 0:
      case 1:
      case 2:
        return {kind: 'get', key}
      case 3:
        return {kind: 'put', key, value}
      case 4:
        return {kind: 'delete', key}
      default: {
        // Compare against a value that was likely written: some earlier op's value, or absent.
        const recent = this.history.filter((h) => h.op.key === key && (h.op.kind === 'put' || h.op.kind === 'cas'))
        const last = recent[recent.length - 1]?.op
        const expected = last !== undefined && last.kind !== 'get' && last.kind !== 'delete' && this.rng.chance(0.8) ? last.value : null
        return {kind: 'cas', key, expected, value}
      }
    }
  }

  private submit(client: number, seq: number, op: KvOp, member: SimMember): void {
    const key = `${client}/${seq}`
    const history: HistoryOp = {client, op, output: undefined, callTime: ++this.clock, returnTime: Infinity}
    try {
      if (op.kind === 'get') member.node!.readIndex(new TextEncoder().encode(key))
      else member.node!.propose(encodeCommand({client, seq, op}))
    } catch (error) {
      if (!isRaftError(error, 'proposal-dropped')) throw error
      // Refused at once: it never happened; the client tries another member later.
      this.clock--
      if (client < this.opts.clients) this.clientMember[client] = undefined
      return
    }
    if (client < this.opts.clients) this.clientBusy[client] = true
    this.history.push(history)
    this.pending.set(key, {client, seq, op, member: member.id, deadlineTick: this.tickNow + this.opts.opTimeoutTicks, history})
  }

  private maybeComplete(member: SimMember, cmd: KvCommand, output: KvOutput | undefined): void {
    const key = `${cmd.client}/${cmd.seq}`
    const p = this.pending.get(key)
    if (p === undefined || p.member !== member.id) return
    this.finish(key, p, output ?? null)
  }

  private completeRead(member: SimMember, rs: ReadState): void {
    const key = new TextDecoder().decode(rs.requestCtx)
    const p = this.pending.get(key)
    if (p === undefined || p.member !== member.id) return
    this.finish(key, p, member.kv.read(p.op.key))
  }

  private finish(key: string, p: PendingOp, output: KvOutput): void {
    p.history.output = output
    p.history.returnTime = ++this.clock
    this.pending.delete(key)
    if (p.client < this.opts.clients) this.clientBusy[p.client] = false
  }

  /** The member's connections broke: its clients' ops end with an unknown outcome. */
  private abandonOpsAt(id: NodeId): void {
    for (const [key, p] of this.pending) {
      if (p.member !== id) continue
      this.pending.delete(key)
      if (p.client < this.opts.clients) this.clientBusy[p.client] = false
    }
  }

  private expireOps(): void {
    for (const [key, p] of this.pending) {
      if (p.deadlineTick > this.tickNow) continue
      this.pending.delete(key)
      if (p.client < this.opts.clients) {
        this.clientBusy[p.client] = false
        this.clientMember[p.client] = undefined
      }
    }
  }
}

export function runSeed(seed: number, opts: Partial<SimOptions> = {}): SimResult {
  return new Simulation(seed, opts).run()
}
