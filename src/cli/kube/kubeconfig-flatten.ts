// `config view --flatten`: certificate and key files read into their -data fields, so the
// kubeconfig stands alone.
import {readFileSync} from 'node:fs'
import type {KubeConfig} from '../../client/kube/kubeconfig.js'
import {KctlError} from './errors.js'

function data(path: string): string {
  try {
    return readFileSync(path).toString('base64')
  } catch (err) {
    throw new KctlError(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`)
  }
}

export function flatten(c: KubeConfig): KubeConfig {
  return {
    ...c,
    clusters: c.clusters.map(({name, cluster}) => {
      const out = {...cluster}
      if (out['certificate-authority']) {
        out['certificate-authority-data'] = data(out['certificate-authority'])
        delete out['certificate-authority']
      }
      return {name, cluster: out}
    }),
    users: c.users.map(({name, user}) => {
      const out = {...user}
      if (out['client-certificate']) {
        out['client-certificate-data'] = data(out['client-certificate'])
        delete out['client-certificate']
      }
      if (out['client-key']) {
        out['client-key-data'] = data(out['client-key'])
        delete out['client-key']
      }
      return {name, user: out}
    }),
  }
}
