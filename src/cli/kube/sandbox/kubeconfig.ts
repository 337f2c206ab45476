// The sandbox's entries in the user's kubeconfig, named like kind's: cluster, user and context
// `kctl-sandbox`, with the certificates embedded; `up` writes them and makes the context
// current, `down` removes them (as `kind delete cluster` does).
import {kubeconfigDocument, readKubeconfigFile, writeKubeconfigFile} from '../../../client/kube/kubeconfig.js'
import {loadRaw, sortedConfig} from '../kubeconfig-edit.js'
import {parseYaml, toYaml} from '../yaml.js'
import type {Pki} from './pki.js'
import {SANDBOX_NAME} from './state.js'

/** The file kubectl would write: --kubeconfig, else the first $KUBECONFIG file, else ~/.kube/config. */
export function targetKubeconfig(explicit: string | undefined): string {
  // a named file may not exist yet: up creates it
  if (explicit !== undefined && explicit !== '') return explicit
  return loadRaw(undefined).defaultFile
}

const b64 = (s: string) => Buffer.from(s).toString('base64')

export function writeSandboxContext(file: string, server: string, pki: Pki): void {
  const c = readKubeconfigFile(file, parseYaml)
  c.clusters = c.clusters.filter((x) => x.name !== SANDBOX_NAME)
  c.users = c.users.filter((x) => x.name !== SANDBOX_NAME)
  c.contexts = c.contexts.filter((x) => x.name !== SANDBOX_NAME)
  c.clusters.push({name: SANDBOX_NAME, cluster: {'certificate-authority-data': b64(pki.caCert), server}})
  c.users.push({name: SANDBOX_NAME, user: {'client-certificate-data': b64(pki.adminCert), 'client-key-data': b64(pki.adminKey)}})
  c.contexts.push({name: SANDBOX_NAME, context: {cluster: SANDBOX_NAME, user: SANDBOX_NAME}})
  c['current-context'] = SANDBOX_NAME
  writeKubeconfigFile(file, toYaml(kubeconfigDocument(sortedConfig(c))))
}

/** Removes the sandbox's entries; true if there were any. */
export function removeSandboxContext(file: string): boolean {
  const c = readKubeconfigFile(file, parseYaml)
  const before = c.clusters.length + c.users.length + c.contexts.length
  c.clusters = c.clusters.filter((x) => x.name !== SANDBOX_NAME)
  c.users = c.users.filter((x) => x.name !== SANDBOX_NAME)
  c.contexts = c.contexts.filter((x) => x.name !== SANDBOX_NAME)
  const removed = before !== c.clusters.length + c.users.length + c.contexts.length
  if (c['current-context'] === SANDBOX_NAME) c['current-context'] = ''
  if (removed) writeKubeconfigFile(file, toYaml(kubeconfigDocument(sortedConfig(c))))
  return removed
}
