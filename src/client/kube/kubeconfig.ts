// kubeconfig files as kubectl reads them (client-go's clientcmd loading rules):
//   --kubeconfig FILE      that file alone (it must exist);
//   $KUBECONFIG a:b:c      every listed file that exists, merged: the first file to define a
//                          cluster, user or context name (or current-context) wins;
//   otherwise              ~/.kube/config (if it exists).
// Then the overrides of the command line (--context, --cluster, --user, --server, --token, ...)
// pick and amend the cluster and user the client uses. Relative paths inside a file are
// relative to that file's folder.
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {KubeConfigError} from './errors.js'

export interface Cluster {
  server?: string
  'certificate-authority'?: string
  'certificate-authority-data'?: string
  'insecure-skip-tls-verify'?: boolean
  'tls-server-name'?: string
  'proxy-url'?: string
  extensions?: unknown[]
}
export interface AuthInfo {
  'client-certificate'?: string
  'client-certificate-data'?: string
  'client-key'?: string
  'client-key-data'?: string
  token?: string
  tokenFile?: string
  username?: string
  password?: string
  exec?: unknown
  'auth-provider'?: unknown
  extensions?: unknown[]
}
export interface Context {
  cluster?: string
  user?: string
  namespace?: string
  extensions?: unknown[]
}
export interface NamedCluster {
  name: string
  cluster: Cluster
}
export interface NamedAuthInfo {
  name: string
  user: AuthInfo
}
export interface NamedContext {
  name: string
  context: Context
}

export interface KubeConfig {
  apiVersion: string
  kind: string
  preferences: Record<string, unknown>
  clusters: NamedCluster[]
  users: NamedAuthInfo[]
  contexts: NamedContext[]
  'current-context': string
  extensions?: unknown[]
}

/** Where each named entry came from, so edits go back to the file that defines it. */
export interface LoadedKubeConfig {
  config: KubeConfig
  /** the files read, in precedence order */
  files: string[]
  clusterFile: Map<string, string>
  userFile: Map<string, string>
  contextFile: Map<string, string>
  /** the file that set current-context, if any */
  currentContextFile?: string
  /** where new entries are written (clientcmd's default filename) */
  defaultFile: string
  explicit: boolean
}

export function emptyConfig(): KubeConfig {
  return {apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [], 'current-context': ''}
}

export function defaultKubeconfigPath(): string {
  return join(process.env['HOME'] ?? homedir(), '.kube', 'config')
}

/** The files the loading rules consider, in precedence order, and whether one was named explicitly. */
export function kubeconfigFiles(explicitPath: string | undefined, env: NodeJS.ProcessEnv = process.env): {files: string[]; explicit: boolean} {
  if (explicitPath !== undefined && explicitPath !== '') return {files: [explicitPath], explicit: true}
  const list = env['KUBECONFIG']
  if (list !== undefined && list !== '') {
    const seen = new Set<string>()
    const files: string[] = []
    for (const f of list.split(':')) {
      if (f === '' || seen.has(f)) continue
      seen.add(f)
      files.push(f)
    }
    return {files, explicit: false}
  }
  return {files: [defaultKubeconfigPath()], explicit: false}
}

/** Parses one kubeconfig file's text (YAML or JSON); paths are made absolute against `dir`. */
export function parseKubeconfig(text: string, file: string, parseYaml: (s: string) => unknown, resolvePaths = true): KubeConfig {
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (err) {
    throw new KubeConfigError(`error loading config file "${file}": ${(err as Error).message}`)
  }
  const config = emptyConfig()
  if (raw === null || raw === undefined) return config
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new KubeConfigError(`error loading config file "${file}": couldn't get version/kind; json parse error`)
  }
  const r = raw as Record<string, unknown>
  config.apiVersion = typeof r['apiVersion'] === 'string' ? r['apiVersion'] : 'v1'
  config.kind = typeof r['kind'] === 'string' ? r['kind'] : 'Config'
  config.preferences = (r['preferences'] as Record<string, unknown>) ?? {}
  config['current-context'] = typeof r['current-context'] === 'string' ? r['current-context'] : ''
  if (r['extensions'] !== undefined) config.extensions = r['extensions'] as unknown[]
  const dir = dirname(resolve(file))
  const list = <T>(key: string, inner: string): {name: string; value: T}[] => {
    const v = r[key]
    if (v === null || v === undefined) return []
    if (!Array.isArray(v)) throw new KubeConfigError(`error loading config file "${file}": ${key} is not a list`)
    return v.map((e) => {
      const item = (e ?? {}) as Record<string, unknown>
      return {name: String(item['name'] ?? ''), value: ((item[inner] ?? {}) as T)}
    })
  }
  const abs = (p: string | undefined) => (!resolvePaths || p === undefined || p === '' || isAbsolute(p) ? p : join(dir, p))
  for (const {name, value} of list<Cluster>('clusters', 'cluster')) {
    const c = {...value}
    if (c['certificate-authority'] !== undefined) c['certificate-authority'] = abs(c['certificate-authority'])
    config.clusters.push({name, cluster: c})
  }
  for (const {name, value} of list<AuthInfo>('users', 'user')) {
    const u = {...value}
    if (u['client-certificate'] !== undefined) u['client-certificate'] = abs(u['client-certificate'])
    if (u['client-key'] !== undefined) u['client-key'] = abs(u['client-key'])
    if (u.tokenFile !== undefined) u.tokenFile = abs(u.tokenFile)
    config.users.push({name, user: u})
  }
  for (const {name, value} of list<Context>('contexts', 'context')) config.contexts.push({name, context: {...value}})
  return config
}

/** Reads and merges the files of the loading rules. A named --kubeconfig must exist. */
export function loadKubeconfig(
  explicitPath: string | undefined,
  parseYaml: (s: string) => unknown,
  env: NodeJS.ProcessEnv = process.env,
  resolvePaths = true,
): LoadedKubeConfig {
  const {files, explicit} = kubeconfigFiles(explicitPath, env)
  const loaded: LoadedKubeConfig = {
    config: emptyConfig(),
    files,
    clusterFile: new Map(),
    userFile: new Map(),
    contextFile: new Map(),
    defaultFile: files.length === 1 ? files[0]! : (files.find((f) => existsSync(f)) ?? files[files.length - 1] ?? defaultKubeconfigPath()),
    explicit,
  }
  for (const file of files) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' && !explicit) continue
      throw new KubeConfigError(`stat ${file}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`)
    }
    mergeInto(loaded, parseKubeconfig(text, file, parseYaml, resolvePaths), file)
  }
  return loaded
}

/** Adds `next` under what is already loaded: existing names and a set current-context win. */
export function mergeInto(loaded: LoadedKubeConfig, next: KubeConfig, file: string): void {
  const c = loaded.config
  for (const e of next.clusters) {
    if (loaded.clusterFile.has(e.name)) continue
    loaded.clusterFile.set(e.name, file)
    c.clusters.push(e)
  }
  for (const e of next.users) {
    if (loaded.userFile.has(e.name)) continue
    loaded.userFile.set(e.name, file)
    c.users.push(e)
  }
  for (const e of next.contexts) {
    if (loaded.contextFile.has(e.name)) continue
    loaded.contextFile.set(e.name, file)
    c.contexts.push(e)
  }
  if (c['current-context'] === '' && next['current-context'] !== '') {
    c['current-context'] = next['current-context']
    loaded.currentContextFile = file
  }
  if (Object.keys(c.preferences).length === 0) c.preferences = next.preferences
}

/** The command line's say over the kubeconfig (kubectl's global flags). */
export interface KubeOverrides {
  context?: string
  cluster?: string
  user?: string
  namespace?: string
  server?: string
  token?: string
  certificateAuthority?: string
  clientCertificate?: string
  clientKey?: string
  insecureSkipTlsVerify?: boolean
  username?: string
  password?: string
  tlsServerName?: string
}

/** Everything a transport needs, resolved from the kubeconfig and the overrides. */
export interface ResolvedConnection {
  contextName: string
  clusterName: string
  userName: string
  namespace: string
  /** true when the namespace came from -n or the context, not the fallback "default" */
  namespaceExplicit: boolean
  server: string
  caPem?: Buffer
  certPem?: Buffer
  keyPem?: Buffer
  token?: string
  username?: string
  password?: string
  insecureSkipTlsVerify: boolean
  /** nothing configured at all: no kubeconfig entry and no --server */
  empty: boolean
}

const readPem = (path: string, what: string): Buffer => {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new KubeConfigError(`unable to read ${what} from "${path}": ${(err as Error).message}`)
  }
}

/** Applies clientcmd's rules: overrides first, then the context's cluster and user. */
export function resolveConnection(config: KubeConfig, o: KubeOverrides): ResolvedConnection {
  const contextName = o.context ?? config['current-context']
  const ctx = config.contexts.find((c) => c.name === contextName)?.context
  if (o.context !== undefined && o.context !== '' && ctx === undefined) {
    throw new KubeConfigError(`context was not found for specified context: ${o.context}`)
  }
  const clusterName = o.cluster ?? ctx?.cluster ?? ''
  const userName = o.user ?? ctx?.user ?? ''
  const cluster = config.clusters.find((c) => c.name === clusterName)?.cluster
  if (o.cluster !== undefined && o.cluster !== '' && cluster === undefined) {
    throw new KubeConfigError(`cluster "${o.cluster}" does not exist`)
  }
  const user = config.users.find((u) => u.name === userName)?.user ?? {}
  if (o.user !== undefined && o.user !== '' && config.users.find((u) => u.name === o.user) === undefined) {
    throw new KubeConfigError(`auth info "${o.user}" does not exist`)
  }
  const server = o.server ?? cluster?.server ?? ''
  const resolved: ResolvedConnection = {
    contextName,
    clusterName,
    userName,
    namespace: o.namespace || ctx?.namespace || 'default',
    namespaceExplicit: Boolean(o.namespace || ctx?.namespace),
    server,
    insecureSkipTlsVerify: o.insecureSkipTlsVerify ?? cluster?.['insecure-skip-tls-verify'] ?? false,
    empty: server === '',
  }
  // a CA given on the command line replaces the kubeconfig's (clientcmd clears the data then)
  if (o.certificateAuthority !== undefined && o.certificateAuthority !== '') resolved.caPem = readPem(o.certificateAuthority, 'certificate-authority')
  else if (cluster?.['certificate-authority-data']) resolved.caPem = Buffer.from(cluster['certificate-authority-data'], 'base64')
  else if (cluster?.['certificate-authority']) resolved.caPem = readPem(cluster['certificate-authority'], 'certificate-authority')
  if (resolved.insecureSkipTlsVerify) resolved.caPem = undefined

  if (o.clientCertificate) resolved.certPem = readPem(o.clientCertificate, 'client-certificate')
  else if (user['client-certificate-data']) resolved.certPem = Buffer.from(user['client-certificate-data'], 'base64')
  else if (user['client-certificate']) resolved.certPem = readPem(user['client-certificate'], 'client-certificate')
  if (o.clientKey) resolved.keyPem = readPem(o.clientKey, 'client-key')
  else if (user['client-key-data']) resolved.keyPem = Buffer.from(user['client-key-data'], 'base64')
  else if (user['client-key']) resolved.keyPem = readPem(user['client-key'], 'client-key')

  if (o.token !== undefined && o.token !== '') resolved.token = o.token
  else if (user.token) resolved.token = user.token
  else if (user.tokenFile) resolved.token = readPem(user.tokenFile, 'tokenFile').toString('utf8').trim()
  resolved.username = o.username ?? user.username
  resolved.password = o.password ?? user.password
  return resolved
}

/** The file's own text of a kubeconfig, as clientcmd writes it (keys in its order). */
export function kubeconfigDocument(config: KubeConfig): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    apiVersion: config.apiVersion || 'v1',
    clusters: config.clusters.map((c) => ({cluster: c.cluster, name: c.name})),
    contexts: config.contexts.map((c) => ({context: c.context, name: c.name})),
    'current-context': config['current-context'],
    kind: config.kind || 'Config',
    preferences: config.preferences ?? {},
    users: config.users.map((u) => ({name: u.name, user: u.user})),
  }
  if (config.extensions !== undefined) doc['extensions'] = config.extensions
  return doc
}

/** Writes one kubeconfig file atomically (mode 0600, as kubectl). */
export function writeKubeconfigFile(file: string, text: string): void {
  mkdirSync(dirname(resolve(file)), {recursive: true})
  const tmp = `${file}.kctl-${process.pid}.tmp`
  writeFileSync(tmp, text, {mode: 0o600})
  renameSync(tmp, file)
}

/** Reads one file on its own (no merging, paths as written), or an empty config if it does not exist. */
export function readKubeconfigFile(file: string, parseYaml: (s: string) => unknown): KubeConfig {
  if (!existsSync(file)) return emptyConfig()
  return parseKubeconfig(readFileSync(file, 'utf8'), file, parseYaml, false)
}
