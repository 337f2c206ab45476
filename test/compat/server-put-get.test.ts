// Golden: the real etcdctl 3.4 against `ectl server` vs against the real etcd 3.4 (put/get, hex).
import {hexScripts} from './cases/hex.js'
import {putGetScripts} from './cases/put-get.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts([...putGetScripts, ...hexScripts], 'ectl-server')
