// The leader's and candidate's bookkeeping of the configuration: who votes, who learns, each
// one's Progress, and the votes of an election. Quorums are majorities of the voters.
//
// Invariant: voters and learners are disjoint; progress has exactly their union as keys.
import {invariant} from './assert.js'
import {Progress} from './progress.js'
import type {ConfState, NodeId} from './types.js'

export enum VoteResult {
  Pending = 0,
  Lost = 1,
  Won = 2,
}

export class ProgressTracker {
  voters = new Set<NodeId>()
  learners = new Set<NodeId>()
  progress = new Map<NodeId, Progress>()
  votes = new Map<NodeId, boolean>()

  constructor(readonly maxInflightMsgs: number) {}

  confState(): ConfState {
    return {voters: sortIds([...this.voters]), learners: sortIds([...this.learners])}
  }

  isVoter(id: NodeId): boolean {
    return this.voters.has(id)
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1
  }

  /** The largest index a quorum of voters has (their match), or 0 with no voters. */
  committed(): number {
    const n = this.voters.size
    if (n === 0) return 0
    const matches: number[] = []
    for (const id of this.voters) matches.push(this.progress.get(id)?.match ?? 0)
    matches.sort((a, b) => b - a)
    return matches[this.quorum() - 1]!
  }

  resetVotes(): void {
    this.votes.clear()
  }

  /** Records a vote (the first one of each voter counts). */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted)
  }

  tallyVotes(): {granted: number; rejected: number; result: VoteResult} {
    let granted = 0
    let rejected = 0
    for (const id of this.voters) {
      const v = this.votes.get(id)
      if (v === true) granted++
      else if (v === false) rejected++
    }
    const q = this.quorum()
    let result = VoteResult.Pending
    if (granted >= q) result = VoteResult.Won
    else if (this.voters.size - rejected < q) result = VoteResult.Lost
    return {granted, rejected, result}
  }

  /** Whether a quorum of voters was recently active (the leader counts itself via recentActive too). */
  quorumActive(): boolean {
    let active = 0
    for (const id of this.voters) if (this.progress.get(id)?.recentActive === true) active++
    return active >= this.quorum()
  }

  /** Sets the configuration, keeping the progress of members that stay. */
  setConfig(cs: ConfState, lastIndex: number): void {
    const voters = new Set(cs.voters)
    const learners = new Set(cs.learners)
    for (const id of learners) invariant(!voters.has(id), () => `${id} is both a voter and a learner`)
    for (const id of [...this.progress.keys()]) {
      if (!voters.has(id) && !learners.has(id)) this.progress.delete(id)
    }
    for (const id of [...voters, ...learners]) {
      const pr = this.progress.get(id)
      if (pr === undefined) {
        // A new member: probe it from our last index; it is treated as active so a leader
        // that just added it does not step down for want of a quorum before it answers.
        const fresh = new Progress(0, lastIndex + 1, this.maxInflightMsgs, learners.has(id))
        fresh.recentActive = true
        this.progress.set(id, fresh)
      } else {
        pr.isLearner = learners.has(id)
      }
    }
    this.voters = voters
    this.learners = learners
  }
}

export function sortIds(ids: NodeId[]): NodeId[] {
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
