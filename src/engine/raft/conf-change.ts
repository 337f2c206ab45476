// Single-step membership changes: one voter added, removed, promoted or demoted at a time, so
// the majorities of the old and the new configuration always overlap (no joint consensus).
// The application applies a ConfChange entry when it is committed; raft then switches its
// configuration (raft.applyConfChange).
import {RaftError} from './errors.js'
import {ConfChangeType, type ConfChange, type ConfState} from './types.js'

/**
 * The configuration after cc. A change that would leave no voter, or that names node 0, is
 * refused with a 'conf-change-refused' RaftError (the entry is then a no-op everywhere, as every member refuses it).
 */
export function nextConfState(cs: ConfState, cc: ConfChange): ConfState {
  const voters = new Set(cs.voters)
  const learners = new Set(cs.learners)
  if (cc.nodeId === 0n) throw new RaftError('conf-change-refused', 'it names node 0')
  switch (cc.type) {
    case ConfChangeType.AddNode:
      learners.delete(cc.nodeId)
      voters.add(cc.nodeId)
      break
    case ConfChangeType.AddLearnerNode:
      voters.delete(cc.nodeId)
      learners.add(cc.nodeId)
      break
    case ConfChangeType.RemoveNode:
      voters.delete(cc.nodeId)
      learners.delete(cc.nodeId)
      break
    case ConfChangeType.UpdateNode:
      break
  }
  if (voters.size === 0) throw new RaftError('conf-change-refused', 'it would remove every voter')
  return {voters: [...voters], learners: [...learners]}
}

/** Whether cc changes which nodes vote (at most one by construction). */
export function changesVoters(cs: ConfState, cc: ConfChange): boolean {
  const isVoter = cs.voters.includes(cc.nodeId)
  switch (cc.type) {
    case ConfChangeType.AddNode:
      return !isVoter
    case ConfChangeType.AddLearnerNode:
    case ConfChangeType.RemoveNode:
      return isVoter
    case ConfChangeType.UpdateNode:
      return false
  }
}
