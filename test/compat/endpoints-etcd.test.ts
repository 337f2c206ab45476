// Golden: ectl over the network (`--endpoints`, gRPC) against a real etcd 3.4 vs the real
// etcdctl 3.4 against a real etcd 3.4 — every golden script: our client's wire, errors, retries.
import {allScripts} from './cases/all.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts(allScripts, 'ectl-endpoints')
