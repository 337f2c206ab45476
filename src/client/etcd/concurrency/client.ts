// What the recipes need of a client: the key-value half and the watch/lease half of the v3 API.
import type {EtcdClient, EtcdWatchLeaseClient} from '../client.js'

export type ConcurrencyClient = EtcdClient & EtcdWatchLeaseClient

/** A failure of a recipe itself (not of a call to the server), with etcd's clientv3 wording. */
export class ConcurrencyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConcurrencyError'
  }
}

export const ConcurrencyMessage = {
  /** concurrency.ErrElectionNotLeader */
  notLeader: 'election: not leader',
  /** concurrency.ErrElectionNoLeader */
  noLeader: 'election: no leader',
  /** concurrency.ErrSessionExpired */
  sessionExpired: 'mutex: session is expired',
  /** what waitDelete returns when its watch ends without the delete it waited for */
  lostWatcher: 'lost watcher waiting for delete',
} as const

/** True when the client also speaks the watch and lease services (every client of ours will). */
export function hasWatchAndLeases(client: EtcdClient): client is ConcurrencyClient {
  const c = client as Partial<EtcdWatchLeaseClient>
  return typeof c.watch === 'function' && typeof c.leaseGrant === 'function' && typeof c.leaseKeepAlive === 'function'
}
