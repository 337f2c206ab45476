// Golden: ectl compaction and error reporting against the real etcdctl 3.4.
import {compactionScripts} from './cases/compaction.js'
import {errorScripts} from './cases/errors.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts([...compactionScripts, ...errorScripts])
