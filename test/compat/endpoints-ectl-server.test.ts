// Golden: ectl over the network (`--endpoints`) against `ectl server` vs the real etcdctl 3.4
// against a real etcd 3.4 — every golden script, with our client and our server at both ends.
import {allScripts} from './cases/all.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts(allScripts, 'ectl-endpoints-server')
