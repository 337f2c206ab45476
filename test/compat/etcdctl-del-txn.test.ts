// Golden: ectl del and txn against the real etcdctl 3.4.
import {delScripts} from './cases/del.js'
import {txnScripts} from './cases/txn.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts([...delScripts, ...txnScripts])
