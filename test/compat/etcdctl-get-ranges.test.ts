// Golden: ectl get over ranges, sorting and history against the real etcdctl 3.4.
import {rangeScripts} from './cases/ranges.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts(rangeScripts)
