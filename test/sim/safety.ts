// Raft's safety properties, checked as the simulation runs (a violation throws at once, so the
// failing step is the last one in the trace):
//  - election safety: at most one leader per term;
//  - log matching: two logs with an entry of the same index and term hold the same entry, and
//    agree on every entry before it (checked inductively: an entry at (index, term) always has
//    the same data and the same term before it);
//  - leader completeness: a leader's log holds every entry committed before its term;
//  - state machine safety: no two members apply different entries at one index;
//  - durable votes: a member's persisted term never goes back, nor its vote within a term.
import {type Entry, type HardState, type NodeId, StateType} from '../../src/engine/raft/types.js'
import type {SimMember} from './member.js'

export class SafetyViolation extends Error {
  constructor(message: string) {
    super(`safety violation: ${message}`)
    this.name = 'SafetyViolation'
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export class SafetyChecker {
  private leaders = new Map<number, NodeId>()
  /** `${index}/${term}` -> what every log must hold there. */
  private entries = new Map<string, {data: Uint8Array; type: number; prevTerm: number | undefined}>()
  /** Index -> the entry applied there (committed). */
  private committed = new Map<number, {term: number; data: Uint8Array}>()
  private maxCommitted = 0
  private hardStates = new Map<NodeId, HardState>()
  checks = 0

  /** Called after every step for every live member. */
  observe(m: SimMember): void {
    const node = m.node
    if (node === undefined) return
    const r = node.raft
    if (r.state === StateType.Leader) {
      const known = this.leaders.get(r.term)
      if (known === undefined) {
        this.leaders.set(r.term, m.id)
        this.checkLeaderCompleteness(m)
      } else if (known !== m.id) {
        throw new SafetyViolation(`two leaders in term ${r.term}: ${known} and ${m.id}`)
      }
    }
    const hs = m.storage.hardStateNow()
    const prev = this.hardStates.get(m.id)
    if (prev !== undefined) {
      if (hs.term < prev.term) throw new SafetyViolation(`member ${m.id}'s durable term went back from ${prev.term} to ${hs.term}`)
      if (hs.term === prev.term && prev.vote !== 0n && hs.vote !== prev.vote) {
        throw new SafetyViolation(`member ${m.id} changed its vote in term ${hs.term} from ${prev.vote} to ${hs.vote}`)
      }
    }
    this.hardStates.set(m.id, hs)
    this.checks++
  }

  /** Entries a member is about to persist; prevTerm is the term of the entry before the first. */
  persisting(m: SimMember, entries: Entry[]): void {
    if (entries.length === 0) return
    // The durable log decides what the entry before the first one is.
    let prevTerm: number | undefined
    try {
      prevTerm = m.storage.term(entries[0]!.index - 1)
    } catch {
      prevTerm = undefined
    }
    for (const e of entries) {
      const key = `${e.index}/${e.term}`
      const known = this.entries.get(key)
      if (known === undefined) {
        this.entries.set(key, {data: e.data, type: e.type, prevTerm})
      } else {
        if (!same(known.data, e.data) || known.type !== e.type) throw new SafetyViolation(`log matching: member ${m.id} holds a different entry at ${key}`)
        if (prevTerm !== undefined && known.prevTerm !== undefined && known.prevTerm !== prevTerm) {
          throw new SafetyViolation(`log matching: member ${m.id}'s entry before ${key} has term ${prevTerm}, another log's has ${known.prevTerm}`)
        }
      }
      prevTerm = e.term
    }
  }

  applied(m: SimMember, e: Entry): void {
    const known = this.committed.get(e.index)
    if (known === undefined) {
      this.committed.set(e.index, {term: e.term, data: e.data})
      if (e.index > this.maxCommitted) this.maxCommitted = e.index
    } else if (known.term !== e.term || !same(known.data, e.data)) {
      throw new SafetyViolation(`state machine safety: member ${m.id} applied ${e.term}/${e.index}, another member applied ${known.term}/${e.index}`)
    }
  }

  private checkLeaderCompleteness(m: SimMember): void {
    const log = m.node!.raft.log
    const last = log.lastIndex()
    if (last < this.maxCommitted) throw new SafetyViolation(`leader completeness: leader ${m.id} of term ${m.node!.raft.term} ends at ${last}, ${this.maxCommitted} is committed`)
    for (let i = log.firstIndex(); i <= this.maxCommitted; i++) {
      const c = this.committed.get(i)
      if (c === undefined) continue
      if (log.termOrUndefined(i) !== c.term) throw new SafetyViolation(`leader completeness: leader ${m.id} of term ${m.node!.raft.term} lacks committed entry ${c.term}/${i}`)
    }
  }

  leaderCount(): number {
    return this.leaders.size
  }
}
