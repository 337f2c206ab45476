// Golden: watch, lock and elect through ectl over the network (`--endpoints`) against a real
// etcd 3.4 vs the real etcdctl 3.4: streams, sessions and keep-alives over our gRPC client.
// (The lease script reads remaining TTLs in wall time, which a loaded machine moves on the
// reference side too; leases over gRPC are tested in test/client/etcd/grpc/.)
import {lockElectScripts, watchScripts} from './cases/live.js'
import {registerLiveScripts} from './harness/live-script.js'

registerLiveScripts([...watchScripts, ...lockElectScripts], 'ectl-endpoints')
