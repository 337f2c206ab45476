// Golden: ectl's user, role and auth commands on an embedded data dir vs the real etcdctl 3.4
// against the real etcd 3.4 (managing users and roles; enforcement is the server's, see
// server-auth.test.ts: on its own data dir ectl acts as root).
import {authManagementScripts} from './cases/auth.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts(authManagementScripts)
