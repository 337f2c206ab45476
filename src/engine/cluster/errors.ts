// The errors a cluster member answers beyond a single member's, worded and coded as etcd's
// rpctypes (clients match on these strings and retry on Unavailable).
import {EtcdError, ErrorMessage, GrpcCode} from '../../api/errors.js'

export const RaftErrors = {
  timeout: () => new EtcdError(GrpcCode.UNAVAILABLE, ErrorMessage.timeout),
  noLeader: () => new EtcdError(GrpcCode.UNAVAILABLE, 'etcdserver: no leader'),
  notLeader: () => new EtcdError(GrpcCode.FAILED_PRECONDITION, 'etcdserver: not leader'),
  leaderChanged: () => new EtcdError(GrpcCode.UNAVAILABLE, 'etcdserver: leader changed'),
} as const
