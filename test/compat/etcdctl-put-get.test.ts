// Golden: ectl put/get (formats, put's flags, stdin values, --hex) against the real etcdctl 3.4.
import {hexScripts} from './cases/hex.js'
import {putGetScripts} from './cases/put-get.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts([...putGetScripts, ...hexScripts])
