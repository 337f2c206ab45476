// Golden: the real etcdctl 3.4 against `ectl server` vs against the real etcd 3.4 (compaction, errors).
import {compactionScripts} from './cases/compaction.js'
import {errorScripts} from './cases/errors.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts([...compactionScripts, ...errorScripts], 'ectl-server')
