// Golden: the real etcdctl 3.4 against `ectl server` vs against the real etcd 3.4 (users, roles,
// auth enable, and what each user may do once auth is on).
import {authEnforcementScripts, authManagementScripts} from './cases/auth.js'
import {registerGoldenScripts} from './harness/golden.js'

registerGoldenScripts([...authManagementScripts, ...authEnforcementScripts], 'ectl-server')
