// A REST client for the Kubernetes API over any KubeTransport: discovery (cached for the
// client's life), and get/list/create/replace/patch/delete/watch of any resource by
// group/version/resource. Objects are plain JSON (unstructured), as kubectl handles them.
import {buildDiscovery, type ApiGroupInfo, type ApiResource, type DiscoveryData, type RawResource} from './discovery.js'
import {errorFromResponse} from './errors.js'
import type {KubeMethod, KubeRequest, KubeResponse, KubeTransport} from './transport.js'

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string
  kind?: string
  metadata?: ObjectMeta
}

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string | null
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: {apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean}[]
  finalizers?: string[]
  managedFields?: unknown[]
  [key: string]: unknown
}

export interface KubeList<T = KubeObject> {
  apiVersion?: string
  kind?: string
  metadata: {resourceVersion?: string; continue?: string; remainingItemCount?: number}
  items: T[]
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  object: T
}

export interface ListOptions {
  labelSelector?: string
  fieldSelector?: string
  limit?: number
  continue?: string
  resourceVersion?: string
}

export interface WriteOptions {
  dryRun?: boolean
  fieldManager?: string
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict'
}

export interface DeleteOptions {
  dryRun?: boolean
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'
  gracePeriodSeconds?: number
  /** The delete happens only while the object still has this uid (and resourceVersion). */
  preconditions?: {uid?: string; resourceVersion?: string}
}

export type PatchType = 'strategic' | 'merge' | 'json' | 'apply'

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
}

/** What kubectl asks for when it prints a table: the server's Table, or plain JSON. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'

/** The most watch events buffered while one line is incomplete, in bytes. */
const MAX_WATCH_LINE_BYTES = 64 * 1024 * 1024

/**
 * Where discovery results outlive one run (kubectl keeps them under ~/.kube/cache): the raw
 * group list and resource lists, or undefined when missing or stale.
 */
export interface DiscoveryStore {
  load(): RawDiscovery | undefined
  save(d: RawDiscovery): void
}

export interface RawDiscovery {
  groups: ApiGroupInfo[]
  lists: Record<string, RawResource[]>
  failed: string[]
}

export class KubeClient {
  private discoveryCache?: Promise<DiscoveryData>
  private fromStore = false
  /** set once the stored discovery proved stale: later reads go to the server */
  private storeStale = false

  constructor(
    readonly transport: KubeTransport,
    readonly userAgent = 'kctl',
    private readonly store?: DiscoveryStore,
  ) {}

  /**
   * Forgets discovery read from the store, so the next call asks the server (a resource type
   * the cached data lacks may be new). False when the data is already fresh from the server.
   */
  invalidateDiscovery(): boolean {
    if (!this.fromStore) return false
    this.discoveryCache = undefined
    this.fromStore = false
    this.storeStale = true
    return true
  }

  /** Forgets discovery entirely: the next call asks the server (resources come and go with CRDs). */
  refreshDiscovery(): void {
    this.discoveryCache = undefined
    this.fromStore = false
    this.storeStale = true
  }

  /** Hears each warning the server sends (`Warning` headers, RFC 7234's code 299), as client-go's handler does. */
  onWarning: ((message: string) => void) | undefined

  /** One request; a failure status becomes a KubeApiError. */
  async call(req: KubeRequest): Promise<KubeResponse> {
    const headers = {accept: 'application/json', 'user-agent': this.userAgent, ...(req.headers ?? {})}
    const res = await this.transport.request({...req, headers})
    const warning = res.headers['warning']
    if (warning !== undefined && this.onWarning !== undefined) for (const message of parseWarnings(warning)) this.onWarning(message)
    if (res.status >= 400 || res.status < 200) throw errorFromResponse(res.status, res.body)
    return res
  }

  async json<T>(method: KubeMethod, path: string, options: {query?: KubeRequest['query']; body?: unknown; contentType?: string; accept?: string} = {}): Promise<T> {
    const headers: Record<string, string> = {}
    if (options.accept !== undefined) headers['accept'] = options.accept
    let body: Uint8Array | undefined
    if (options.body !== undefined) {
      body = Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body))
      headers['content-type'] = options.contentType ?? 'application/json'
    }
    const res = await this.call({method, path, query: options.query, headers, body})
    const text = Buffer.from(res.body).toString('utf8')
    if (text === '') return {} as T
    return JSON.parse(text) as T
  }

  /** The served groups and resources, read once per client. */
  discovery(): Promise<DiscoveryData> {
    if (this.discoveryCache === undefined) {
      const stored = this.storeStale || this.store === undefined ? undefined : this.store.load()
      if (stored !== undefined && this.discoveryCache === undefined) {
        this.fromStore = true
        this.discoveryCache = Promise.resolve(buildDiscovery(stored.groups, new Map(Object.entries(stored.lists)), stored.failed))
      } else {
        this.discoveryCache = this.readDiscovery()
      }
    }
    return this.discoveryCache
  }

  private async readDiscovery(): Promise<DiscoveryData> {
    const [core, apis] = await Promise.all([
      this.json<{versions?: string[]}>('GET', '/api'),
      this.json<{groups?: {name: string; versions: {groupVersion: string; version: string}[]; preferredVersion?: {version: string}}[]}>('GET', '/apis'),
    ])
    const groups: ApiGroupInfo[] = []
    const coreVersions = core.versions ?? []
    if (coreVersions.length > 0) groups.push({name: '', versions: coreVersions, preferredVersion: coreVersions[0]!})
    for (const g of apis.groups ?? []) {
      const versions = g.versions.map((v) => v.version)
      groups.push({name: g.name, versions, preferredVersion: g.preferredVersion?.version ?? versions[0] ?? ''})
    }
    const lists = new Map<string, RawResource[]>()
    const failed: string[] = []
    await Promise.all(
      groups.flatMap((g) =>
        g.versions.map(async (v) => {
          const gv = g.name === '' ? v : `${g.name}/${v}`
          const path = g.name === '' ? `/api/${v}` : `/apis/${gv}`
          try {
            const list = await this.json<{resources?: RawResource[]}>('GET', path)
            lists.set(gv, list.resources ?? [])
          } catch {
            failed.push(gv)
          }
        }),
      ),
    )
    failed.sort()
    if (failed.length === 0) this.store?.save({groups, lists: Object.fromEntries(lists), failed})
    return buildDiscovery(groups, lists, failed)
  }

  /** `/api/v1/namespaces/ns/pods/name/status` and the like. */
  path(r: Pick<ApiResource, 'group' | 'version' | 'name' | 'namespaced'>, namespace?: string, name?: string, subresource?: string): string {
    let p = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`
    if (r.namespaced && namespace !== undefined && namespace !== '') p += `/namespaces/${encodeURIComponent(namespace)}`
    p += `/${r.name}`
    if (name !== undefined) p += `/${encodeURIComponent(name)}`
    if (subresource !== undefined) p += `/${subresource}`
    return p
  }

  get<T = KubeObject>(r: ApiResource, namespace: string | undefined, name: string, accept?: string): Promise<T> {
    return this.json<T>('GET', this.path(r, namespace, name), {accept})
  }

  list<T = KubeList>(r: ApiResource, namespace: string | undefined, options: ListOptions = {}, accept?: string): Promise<T> {
    return this.json<T>('GET', this.path(r, namespace), {query: listQuery(options), accept})
  }

  create<T = KubeObject>(r: ApiResource, namespace: string | undefined, body: unknown, options: WriteOptions = {}): Promise<T> {
    return this.json<T>('POST', this.path(r, namespace), {body, query: writeQuery(options)})
  }

  replace<T = KubeObject>(r: ApiResource, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}, subresource?: string): Promise<T> {
    return this.json<T>('PUT', this.path(r, namespace, name, subresource), {body, query: writeQuery(options)})
  }

  patch<T = KubeObject>(
    r: ApiResource,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: WriteOptions & {force?: boolean} = {},
    subresource?: string,
  ): Promise<T> {
    const query = writeQuery(options)
    if (options.force === true) query['force'] = 'true'
    return this.json<T>('PATCH', this.path(r, namespace, name, subresource), {body: patch, contentType: PATCH_CONTENT_TYPE[type], query})
  }

  delete<T = KubeObject>(r: ApiResource, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<T> {
    const body: Record<string, unknown> = {kind: 'DeleteOptions', apiVersion: 'v1'}
    if (options.propagationPolicy !== undefined) body['propagationPolicy'] = options.propagationPolicy
    if (options.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = options.gracePeriodSeconds
    if (options.preconditions !== undefined) body['preconditions'] = options.preconditions
    if (options.dryRun === true) body['dryRun'] = ['All']
    return this.json<T>('DELETE', this.path(r, namespace, name), {body, query: options.dryRun ? {dryRun: 'All'} : undefined})
  }

  /**
   * A watch: events as they come, until `signal` aborts or the server ends the stream.
   * `accept` may ask for Table rows (as `kubectl get -w` does).
   */
  async *watch<T = KubeObject>(
    r: ApiResource,
    namespace: string | undefined,
    options: ListOptions & {allowWatchBookmarks?: boolean; timeoutSeconds?: number},
    signal?: AbortSignal,
    accept?: string,
  ): AsyncGenerator<WatchEvent<T>> {
    const query = listQuery(options)
    query['watch'] = 'true'
    if (options.allowWatchBookmarks === true) query['allowWatchBookmarks'] = 'true'
    if (options.timeoutSeconds !== undefined) query['timeoutSeconds'] = String(options.timeoutSeconds)
    const res = await this.transport.stream({
      method: 'GET',
      path: this.path(r, namespace),
      query,
      headers: {accept: accept ?? 'application/json', 'user-agent': this.userAgent},
    })
    if (res.status >= 400) {
      const chunks: Uint8Array[] = []
      for await (const c of res.body) chunks.push(c)
      throw errorFromResponse(res.status, Buffer.concat(chunks))
    }
    const onAbort = () => res.close()
    signal?.addEventListener('abort', onAbort, {once: true})
    try {
      let pending = ''
      for await (const chunk of res.body) {
        pending += Buffer.from(chunk).toString('utf8')
        if (pending.length > MAX_WATCH_LINE_BYTES) throw new Error(`watch event larger than ${MAX_WATCH_LINE_BYTES} bytes`)
        let nl: number
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim()
          pending = pending.slice(nl + 1)
          if (line !== '') yield JSON.parse(line) as WatchEvent<T>
        }
      }
      if (pending.trim() !== '') yield JSON.parse(pending) as WatchEvent<T>
    } finally {
      signal?.removeEventListener('abort', onAbort)
      res.close()
    }
  }

  close(): Promise<void> {
    return this.transport.close()
  }
}

function listQuery(o: ListOptions): Record<string, string> {
  const q: Record<string, string> = {}
  if (o.labelSelector) q['labelSelector'] = o.labelSelector
  if (o.fieldSelector) q['fieldSelector'] = o.fieldSelector
  if (o.limit !== undefined && o.limit > 0) q['limit'] = String(o.limit)
  if (o.continue) q['continue'] = o.continue
  if (o.resourceVersion !== undefined) q['resourceVersion'] = o.resourceVersion
  return q
}

function writeQuery(o: WriteOptions): Record<string, string> {
  const q: Record<string, string> = {}
  if (o.dryRun === true) q['dryRun'] = 'All'
  if (o.fieldManager !== undefined) q['fieldManager'] = o.fieldManager
  if (o.fieldValidation !== undefined) q['fieldValidation'] = o.fieldValidation
  return q
}

/**
 * The texts of a `Warning` header's values (`299 - "text"`, several joined by commas): client-go
 * shows only code 299 warnings, with the quoted text unescaped.
 */
export function parseWarnings(header: string): string[] {
  const out: string[] = []
  const re = /(\d{3}) \S+ "((?:[^"\\]|\\.)*)"/g
  let m: RegExpExecArray | null
  while ((m = re.exec(header)) !== null) if (m[1] === '299') out.push(m[2]!.replace(/\\(.)/g, '$1'))
  return out
}
