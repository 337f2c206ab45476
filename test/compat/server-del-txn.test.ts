// Golden: the real etcdctl 3.4 against `ectl server` vs against the real etcd 3.4 (del, txn).
import {delScripts} from './cases/del.js'
import {txnScripts} from './cases/txn.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts([...delScripts, ...txnScripts], 'ectl-server')
