// The simulated network: every message is encoded with the raft codec (as a real transport
// would), then delivered after a random delay, or dropped, or duplicated, unless a partition
// (symmetric or one-way) blocks the link. Random delays reorder messages.
import {decodeMessage, encodeMessage} from '../../src/engine/raft/codec.js'
import type {Mulberry32} from '../../src/engine/raft/rng.js'
import type {Message, NodeId} from '../../src/engine/raft/types.js'

export interface NetworkFaults {
  dropRate: number
  duplicateRate: number
  /** Delay in ticks, uniformly in [0, maxDelayTicks]. */
  maxDelayTicks: number
}

interface InFlight {
  deliverAtTick: number
  /** Order of sending, to break ties deterministically. */
  seq: number
  from: NodeId
  to: NodeId
  bytes: Uint8Array
}

export class SimNetwork {
  private inFlight: InFlight[] = []
  private seq = 0
  /** Blocked directed links "from>to". */
  private blocked = new Set<string>()
  faults: NetworkFaults = {dropRate: 0, duplicateRate: 0, maxDelayTicks: 1}
  /** Bound of messages in flight; past it new ones are dropped (a full socket buffer). */
  readonly maxInFlight = 20_000
  stats = {sent: 0, delivered: 0, dropped: 0, duplicated: 0}

  constructor(private readonly rng: Mulberry32) {}

  blockOneWay(from: NodeId, to: NodeId): void {
    this.blocked.add(`${from}>${to}`)
  }

  partition(groupA: NodeId[], groupB: NodeId[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.blockOneWay(a, b)
        this.blockOneWay(b, a)
      }
    }
  }

  heal(): void {
    this.blocked.clear()
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(`${from}>${to}`)
  }

  /** Sends m; returns false if the network lost it at once. */
  send(m: Message, nowTick: number): boolean {
    this.stats.sent++
    if (this.isBlocked(m.from, m.to) || this.rng.chance(this.faults.dropRate) || this.inFlight.length >= this.maxInFlight) {
      this.stats.dropped++
      return false
    }
    const bytes = encodeMessage(m)
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1
    if (copies === 2) this.stats.duplicated++
    for (let i = 0; i < copies; i++) {
      this.inFlight.push({deliverAtTick: nowTick + this.rng.intBelow(this.faults.maxDelayTicks + 1), seq: this.seq++, from: m.from, to: m.to, bytes})
    }
    return true
  }

  /** Removes and returns the messages due by nowTick, in delivery order; a link cut meanwhile drops them. */
  due(nowTick: number): Message[] {
    const ready: InFlight[] = []
    const rest: InFlight[] = []
    for (const f of this.inFlight) (f.deliverAtTick <= nowTick ? ready : rest).push(f)
    this.inFlight = rest
    ready.sort((a, b) => a.deliverAtTick - b.deliverAtTick || a.seq - b.seq)
    const out: Message[] = []
    for (const f of ready) {
      if (this.isBlocked(f.from, f.to)) {
        this.stats.dropped++
        continue
      }
      this.stats.delivered++
      out.push(decodeMessage(f.bytes))
    }
    return out
  }
}
