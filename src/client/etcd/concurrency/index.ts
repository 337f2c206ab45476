// etcd's clientv3/concurrency recipes over our EtcdClient: sessions, mutexes, elections.
export {ConcurrencyError, ConcurrencyMessage, hasWatchAndLeases, type ConcurrencyClient} from './client.js'
export {Election} from './election.js'
export {leaseIdHex, leaseIdHex16, prefixRangeEnd} from './keys.js'
export {Mutex} from './mutex.js'
export {DEFAULT_SESSION_TTL_SECONDS, Session, type SessionEnd, type SessionOptions} from './session.js'
export {waitDelete, waitDeletes} from './wait-deletes.js'
export {cancelError, watchEvents} from './watch-events.js'
