// Golden: ectl lease, watch, lock and elect against the real etcdctl 3.4 (live steps, lease ids masked).
import {leaseScripts, lockElectScripts, watchScripts} from './cases/live.js'
import {registerLiveScripts} from './harness/live-script.js'

registerLiveScripts([...leaseScripts, ...watchScripts, ...lockElectScripts])
