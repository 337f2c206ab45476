// `kctl config ...`: views of the merged kubeconfig (kubectl's redaction, --minify, --raw) and
// edits written back to the file that defines the entry (or the default file), as kubectl
// writes them: entries sorted by name, mode 0600.
import {
  emptyConfig,
  kubeconfigDocument,
  loadKubeconfig,
  readKubeconfigFile,
  writeKubeconfigFile,
  type KubeConfig,
  type LoadedKubeConfig,
} from '../../client/kube/kubeconfig.js'
import {KctlError} from './errors.js'
import {parseYaml, toYaml} from './yaml.js'

export function loadRaw(kubeconfig: string | undefined): LoadedKubeConfig {
  return loadKubeconfig(kubeconfig, parseYaml, process.env, false)
}

const byName = <T extends {name: string}>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

export function sortedConfig(c: KubeConfig): KubeConfig {
  return {...c, clusters: [...c.clusters].sort(byName), users: [...c.users].sort(byName), contexts: [...c.contexts].sort(byName)}
}

/** Only the current context (or --context) and what it names; kubectl's --minify. */
export function minify(c: KubeConfig, contextOverride?: string): KubeConfig {
  const name = contextOverride || c['current-context']
  if (name === '') throw new KctlError('current-context must exist in order to minify')
  const ctx = c.contexts.find((x) => x.name === name)
  if (ctx === undefined) throw new KctlError(`cannot locate context ${name}`)
  return {
    ...c,
    'current-context': name,
    contexts: [ctx],
    clusters: c.clusters.filter((x) => x.name === ctx.context.cluster),
    users: c.users.filter((x) => x.name === ctx.context.user),
  }
}

/** kubectl's redaction: certificate data becomes DATA+OMITTED, secrets REDACTED. */
export function redact(c: KubeConfig): KubeConfig {
  return {
    ...c,
    clusters: c.clusters.map((x) => ({
      name: x.name,
      cluster: x.cluster['certificate-authority-data'] ? {...x.cluster, 'certificate-authority-data': 'DATA+OMITTED'} : x.cluster,
    })),
    users: c.users.map((x) => {
      const u = {...x.user}
      if (u['client-certificate-data']) u['client-certificate-data'] = 'DATA+OMITTED'
      if (u['client-key-data']) u['client-key-data'] = 'DATA+OMITTED'
      if (u.token) u.token = 'REDACTED'
      if (u.password) u.password = 'REDACTED'
      return {name: x.name, user: u}
    }),
  }
}

const CLUSTER_ORDER = ['server', 'tls-server-name', 'insecure-skip-tls-verify', 'certificate-authority', 'certificate-authority-data', 'proxy-url', 'disable-compression', 'extensions']
const USER_ORDER = ['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'as', 'as-uid', 'as-groups', 'as-user-extra', 'username', 'password', 'auth-provider', 'exec', 'extensions']
const CONTEXT_ORDER = ['cluster', 'user', 'namespace', 'extensions']

function ordered(o: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of order) if (o[k] !== undefined) out[k] = o[k]
  for (const k of Object.keys(o)) if (!(k in out) && o[k] !== undefined) out[k] = o[k]
  return out
}

/** The JSON form of `config view -o json`: the Go struct's field order. */
export function configJsonDocument(c: KubeConfig): Record<string, unknown> {
  return {
    kind: c.kind || 'Config',
    apiVersion: c.apiVersion || 'v1',
    preferences: c.preferences ?? {},
    clusters: c.clusters.map((x) => ({name: x.name, cluster: ordered(x.cluster as Record<string, unknown>, CLUSTER_ORDER)})),
    users: c.users.map((x) => ({name: x.name, user: ordered(x.user as Record<string, unknown>, USER_ORDER)})),
    contexts: c.contexts.map((x) => ({name: x.name, context: ordered(x.context as Record<string, unknown>, CONTEXT_ORDER)})),
    'current-context': c['current-context'],
  }
}

export function configYaml(c: KubeConfig): string {
  const doc = kubeconfigDocument(c)
  // go-yaml prints `null` for empty lists in an empty config, as kubectl does
  for (const k of ['clusters', 'contexts', 'users']) if ((doc[k] as unknown[]).length === 0) doc[k] = null
  return toYaml(doc)
}

/** Reads one file, lets `edit` change it, writes it back sorted. */
export function editFile(file: string, edit: (c: KubeConfig) => void): void {
  const c = readKubeconfigFile(file, parseYaml)
  edit(c)
  writeKubeconfigFile(file, toYaml(kubeconfigDocument(sortedConfig(c))))
}

/** The file an edit of a named entry goes to: where it is defined, else the default file. */
export function fileFor(loaded: LoadedKubeConfig, kind: 'cluster' | 'user' | 'context', name: string): string {
  const map = kind === 'cluster' ? loaded.clusterFile : kind === 'user' ? loaded.userFile : loaded.contextFile
  return map.get(name) ?? loaded.defaultFile
}

export {emptyConfig}
