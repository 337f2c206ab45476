// Golden: the real etcdctl 3.4 against `ectl server` vs against the real etcd 3.4 (ranges).
import {rangeScripts} from './cases/ranges.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts(rangeScripts, 'ectl-server')
