// Errors of the consensus core. An operating error (a proposal that cannot be taken now, an
// index that storage no longer holds) is a RaftError with a code; a broken invariant is an
// InvariantError (assert.ts) and means a bug.

export type RaftErrorCode =
  /** The proposal was not appended (no leader, a transfer in progress, a conf change pending, too much uncommitted). */
  | 'proposal-dropped'
  /** The requested index is below the first index storage still holds. */
  | 'compacted'
  /** The requested index is above the last index storage holds. */
  | 'unavailable'
  /** A snapshot older than the one storage holds. */
  | 'snapshot-out-of-date'
  /** The snapshot is being made; ask again later. */
  | 'snapshot-temporarily-unavailable'
  /** A local-only message (Hup, Beat, ...) was given to step() from the network. */
  | 'step-local-message'
  /** A response from a node that is not in the configuration. */
  | 'step-peer-not-found'
  /** A membership change that would leave no voter or names node 0 (a no-op on every member). */
  | 'conf-change-refused'

const messages: Record<RaftErrorCode, string> = {
  'proposal-dropped': 'raft proposal dropped',
  compacted: 'requested index is unavailable due to compaction',
  unavailable: 'requested entry at index is unavailable',
  'snapshot-out-of-date': 'requested index is older than the existing snapshot',
  'snapshot-temporarily-unavailable': 'snapshot is temporarily unavailable',
  'step-local-message': 'raft: cannot step raft local message',
  'step-peer-not-found': 'raft: cannot step as peer not found',
  'conf-change-refused': 'raft: conf change refused',
}

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    detail?: string,
  ) {
    super(detail === undefined ? messages[code] : `${messages[code]}: ${detail}`)
    this.name = 'RaftError'
  }
}

export function isRaftError(error: unknown, code: RaftErrorCode): boolean {
  return error instanceof RaftError && error.code === code
}
