// Golden: lease, watch, lock and elect through ectl over the network (`--endpoints`) against a
// real etcd 3.4 vs the real etcdctl 3.4: streams, sessions and keep-alives over our gRPC client.
import {leaseScripts, lockElectScripts, watchScripts} from './cases/live.js'
import {registerLiveScripts} from './harness/live-script.js'

registerLiveScripts([...leaseScripts, ...watchScripts, ...lockElectScripts], 'ectl-endpoints')
