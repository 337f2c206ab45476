// The leader's view of one follower, as etcd's tracker.Progress.
//
// States:
//  - Probe: the leader does not know where the follower's log matches; it sends one MsgApp per
//    heartbeat interval (msgAppFlowPaused) and moves `next` back on each rejection.
//  - Replicate: the follower is known to match up to `match`; the leader streams entries
//    optimistically (next advances as it sends), bounded by the inflights window.
//  - Snapshot: the follower needs a snapshot; nothing else is sent until it reports back.
// Invariant: match < next.
import {invariant} from './assert.js'
import {Inflights} from './inflights.js'

export enum ProgressState {
  Probe = 0,
  Replicate = 1,
  Snapshot = 2,
}

export class Progress {
  match: number
  next: number
  state = ProgressState.Probe
  /** In Snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0
  /** Heard from since the last check-quorum round. */
  recentActive = false
  /** In Probe state: a MsgApp was sent and no answer came yet, so no more until the next heartbeat. */
  msgAppFlowPaused = false
  readonly inflights: Inflights
  isLearner: boolean

  constructor(match: number, next: number, maxInflightMsgs: number, isLearner: boolean) {
    this.match = match
    this.next = next
    this.inflights = new Inflights(maxInflightMsgs)
    this.isLearner = isLearner
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false
    this.pendingSnapshot = 0
    this.state = state
    this.inflights.reset()
  }

  becomeProbe(): void {
    // Coming back from a snapshot: the follower has at least the snapshot.
    if (this.state === ProgressState.Snapshot) {
      const pending = this.pendingSnapshot
      this.resetState(ProgressState.Probe)
      this.next = Math.max(this.match + 1, pending + 1)
    } else {
      this.resetState(ProgressState.Probe)
      this.next = this.match + 1
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate)
    this.next = this.match + 1
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot)
    this.pendingSnapshot = snapshotIndex
  }

  /** An MsgApp carrying `count` entries up to lastIndex was sent. */
  sentEntries(lastIndex: number, count: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count > 0) {
        this.next = lastIndex + 1
        this.inflights.add(lastIndex)
      }
    } else if (this.state === ProgressState.Probe) {
      this.msgAppFlowPaused = true
    } else {
      invariant(false, `sending append in unhandled state ${ProgressState[this.state]}`)
    }
  }

  /** The follower acknowledged up to n. Returns false if that was old news. */
  maybeUpdate(n: number): boolean {
    let updated = false
    if (this.match < n) {
      this.match = n
      updated = true
      this.msgAppFlowPaused = false
    }
    this.next = Math.max(this.next, n + 1)
    return updated
  }

  /**
   * The follower rejected an MsgApp at `rejected`, hinting it matches at most at
   * matchHint. Returns false if the rejection is stale (out of order).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      // A rejection for an index we already know matched is stale.
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    // Probe (or snapshot): only the rejection of the last probe counts.
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1)
    this.msgAppFlowPaused = false
    return true
  }

  /** Whether the leader must not send MsgApp to this follower now. */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.msgAppFlowPaused
      case ProgressState.Replicate:
        return this.inflights.full()
      case ProgressState.Snapshot:
        return true
    }
  }

  toString(): string {
    return `${ProgressState[this.state]} match=${this.match} next=${this.next}${this.isLearner ? ' learner' : ''}${this.state === ProgressState.Snapshot ? ` pendingSnap=${this.pendingSnapshot}` : ''}${this.msgAppFlowPaused ? ' paused' : ''}${this.inflights.full() ? ' inflight-full' : ''}`
  }
}
