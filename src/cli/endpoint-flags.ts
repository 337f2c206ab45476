import {Flags} from '@oclif/core'

/** etcdctl's persistent flag of `endpoint` (and defrag's own). */
export const clusterFlag = Flags.boolean({description: 'use all endpoints from the cluster member list'})
