// The HTTP paths of etcd's grpc-gateway (the google.api.http bindings of etcd 3.5's
// rpc.proto, v3lock.proto and v3election.proto), each served under /v3/ and /v3beta/.
// Every binding is `POST <path>` with the whole request message as the JSON body.
import type {ServiceName} from '../../../api/grpc-methods.js'

type Binding = [path: string, service: ServiceName, method: string]

const bindings: Binding[] = [
  ['kv/range', 'etcdserverpb.KV', 'Range'],
  ['kv/put', 'etcdserverpb.KV', 'Put'],
  ['kv/deleterange', 'etcdserverpb.KV', 'DeleteRange'],
  ['kv/txn', 'etcdserverpb.KV', 'Txn'],
  ['kv/compaction', 'etcdserverpb.KV', 'Compact'],
  ['watch', 'etcdserverpb.Watch', 'Watch'],
  ['lease/grant', 'etcdserverpb.Lease', 'LeaseGrant'],
  ['lease/revoke', 'etcdserverpb.Lease', 'LeaseRevoke'],
  ['kv/lease/revoke', 'etcdserverpb.Lease', 'LeaseRevoke'],
  ['lease/keepalive', 'etcdserverpb.Lease', 'LeaseKeepAlive'],
  ['lease/timetolive', 'etcdserverpb.Lease', 'LeaseTimeToLive'],
  ['kv/lease/timetolive', 'etcdserverpb.Lease', 'LeaseTimeToLive'],
  ['lease/leases', 'etcdserverpb.Lease', 'LeaseLeases'],
  ['kv/lease/leases', 'etcdserverpb.Lease', 'LeaseLeases'],
  ['cluster/member/add', 'etcdserverpb.Cluster', 'MemberAdd'],
  ['cluster/member/remove', 'etcdserverpb.Cluster', 'MemberRemove'],
  ['cluster/member/update', 'etcdserverpb.Cluster', 'MemberUpdate'],
  ['cluster/member/list', 'etcdserverpb.Cluster', 'MemberList'],
  ['cluster/member/promote', 'etcdserverpb.Cluster', 'MemberPromote'],
  ['maintenance/alarm', 'etcdserverpb.Maintenance', 'Alarm'],
  ['maintenance/status', 'etcdserverpb.Maintenance', 'Status'],
  ['maintenance/defragment', 'etcdserverpb.Maintenance', 'Defragment'],
  ['maintenance/hash', 'etcdserverpb.Maintenance', 'Hash'],
  ['maintenance/hashkv', 'etcdserverpb.Maintenance', 'HashKV'],
  ['maintenance/snapshot', 'etcdserverpb.Maintenance', 'Snapshot'],
  ['maintenance/transfer-leadership', 'etcdserverpb.Maintenance', 'MoveLeader'],
  ['maintenance/downgrade', 'etcdserverpb.Maintenance', 'Downgrade'],
  ['auth/enable', 'etcdserverpb.Auth', 'AuthEnable'],
  ['auth/disable', 'etcdserverpb.Auth', 'AuthDisable'],
  ['auth/status', 'etcdserverpb.Auth', 'AuthStatus'],
  ['auth/authenticate', 'etcdserverpb.Auth', 'Authenticate'],
  ['auth/user/add', 'etcdserverpb.Auth', 'UserAdd'],
  ['auth/user/get', 'etcdserverpb.Auth', 'UserGet'],
  ['auth/user/list', 'etcdserverpb.Auth', 'UserList'],
  ['auth/user/delete', 'etcdserverpb.Auth', 'UserDelete'],
  ['auth/user/changepw', 'etcdserverpb.Auth', 'UserChangePassword'],
  ['auth/user/grant', 'etcdserverpb.Auth', 'UserGrantRole'],
  ['auth/user/revoke', 'etcdserverpb.Auth', 'UserRevokeRole'],
  ['auth/role/add', 'etcdserverpb.Auth', 'RoleAdd'],
  ['auth/role/get', 'etcdserverpb.Auth', 'RoleGet'],
  ['auth/role/list', 'etcdserverpb.Auth', 'RoleList'],
  ['auth/role/delete', 'etcdserverpb.Auth', 'RoleDelete'],
  ['auth/role/grant', 'etcdserverpb.Auth', 'RoleGrantPermission'],
  ['auth/role/revoke', 'etcdserverpb.Auth', 'RoleRevokePermission'],
  ['lock/lock', 'v3lockpb.Lock', 'Lock'],
  ['lock/unlock', 'v3lockpb.Lock', 'Unlock'],
  ['election/campaign', 'v3electionpb.Election', 'Campaign'],
  ['election/proclaim', 'v3electionpb.Election', 'Proclaim'],
  ['election/leader', 'v3electionpb.Election', 'Leader'],
  ['election/observe', 'v3electionpb.Election', 'Observe'],
  ['election/resign', 'v3electionpb.Election', 'Resign'],
]

export const gatewayPrefixes = ['/v3/', '/v3beta/'] as const

export interface Route {
  service: ServiceName
  method: string
}

const routes = new Map<string, Route>()
for (const prefix of gatewayPrefixes) {
  for (const [path, service, method] of bindings) routes.set(prefix + path, {service, method})
}

/** The method a gateway path names (the query string already removed), if any. */
export function gatewayRoute(path: string): Route | undefined {
  return routes.get(path)
}

/** Every (service, method) with a binding: for tests that walk the gateway. */
export function gatewayBindings(): readonly Binding[] {
  return bindings
}
