// The API server: a KubeHandler that routes each request (discovery, OpenAPI, resources) and
// answers it as kube-apiserver would. It holds no Node HTTP objects, so the in-process
// transport calls handle() directly and the HTTPS adapter (https.ts) only moves bytes.
import {load as loadYaml} from 'js-yaml'
import type {EtcdClient, EtcdWatchLeaseClient} from '../../../client/etcd/client.js'
import type {KubeHandler, KubeRequest, KubeStreamResponse} from '../../../client/kube/transport.js'
import {apiVersionOf, ResourceRegistry, virtualKinds, type ResourceDef} from '../api/registry.js'
import {matchesFields, matchesSelector, parseFieldSelector, parseLabelSelector} from '../api/selectors.js'
import {Status, StatusError} from '../api/status.js'
import {openApiV3Document, openApiV3Index} from '../api/openapi.js'
import {openApiV2Response} from './openapi-v2.js'
import {decodeProtobufObject, protobufMediaType} from '../api/protobuf.js'
import {pruneUnknownFields} from '../api/field-validation.js'
import {aggregatedDiscovery, aggregatedMediaType, aggregatedMediaTypeBeta, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated} from './discovery.js'
import {ApiState} from './state.js'
import {jsonPatch, mergePatch, patchTypes, strategicMerge} from './patch.js'
import {jsonBody, parseResourcePath, queryBool, queryInt, queryValue, respond, respondError, type ResourcePath} from './request.js'
import {collectionPrefix, decode, type Obj} from './storage.js'
import {toTable, type IncludeObject} from './tables.js'
import {startWatch} from './watch.js'
import {serverVersion} from './version.js'
import type {Authorizer, Caller} from './authz.js'
import {applyConfig, type Writer} from './managed-fields/manager.js'
import {syncLastApplied} from './managed-fields/last-applied.js'
import {propagationPolicies} from './objects.js'

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export interface ApiServerOptions {
  etcd: EtcdClient & EtcdWatchLeaseClient
  /** host:port clients reach this server at (discovery's serverAddressByClientCIDRs). */
  serverAddress?: string
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number
  /** Decides whether a caller may do what it asks; everything is allowed when absent. */
  authorizer?: Authorizer
  /** Longest a watch lasts when the client names no timeoutSeconds (kube-apiserver: 30-60 min). */
  watchTimeoutMs?: number
  bookmarkIntervalMs?: number
  /** How often history is compacted (kube-apiserver: 5 minutes). */
  compactIntervalMs?: number
  /** PEM of the key service account tokens are signed with; generated at start when absent. */
  serviceAccountKey?: string | Buffer
}

/** Largest page a list returns when the client asks for more (or none). */
const maxListLimit = 100_000
const maxWatchQueue = 10_000

const tableAccept = /as=Table/

function acceptsTable(req: KubeRequest): boolean {
  const accept = req.headers?.accept ?? ''
  return tableAccept.test(accept) && accept.includes('g=meta.k8s.io')
}

function includeObject(req: KubeRequest): IncludeObject {
  const v = queryValue(req, 'includeObject')
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v
  return 'Metadata'
}

interface Continue {
  rv: bigint
  start: string
}

function encodeContinue(revision: bigint, start: string, prefix: string): string {
  const rel = start.startsWith(prefix) ? start.slice(prefix.length) : start
  return Buffer.from(JSON.stringify({v: 'meta.k8s.io/v1', rv: Number(revision), start: rel})).toString('base64url')
}

function decodeContinue(token: string, prefix: string): Continue {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {v?: string; rv?: number; start?: string}
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || parsed.start.includes('..')) throw new Error('bad')
    return {rv: BigInt(parsed.rv), start: prefix + parsed.start}
  } catch {
    throw Status.badRequest(`continue key is not valid: ${token}`)
  }
}

export class ApiServer implements KubeHandler {
  readonly state: ApiState
  readonly registry: ResourceRegistry

  constructor(private readonly opts: ApiServerOptions) {
    this.registry = new ResourceRegistry()
    this.state = new ApiState(opts.etcd, this.registry, opts.now ?? Date.now, opts.serviceAccountKey)
    if (opts.compactIntervalMs) this.state.compactIntervalMs = opts.compactIntervalMs
  }

  async start(): Promise<void> {
    await this.state.start()
    await this.opts.authorizer?.start?.({follow: (group, kind, onChange) => this.state.follow(group, kind, onChange)})
  }

  async close(): Promise<void> {
    this.state.close()
  }

  async handle(req: KubeRequest, caller?: Caller): Promise<KubeStreamResponse> {
    try {
      return await this.route(req, caller ?? {user: 'system:admin', groups: ['system:masters', 'system:authenticated']})
    } catch (error) {
      return respondError(error)
    }
  }

  private async route(req: KubeRequest, caller: Caller): Promise<KubeStreamResponse> {
    let path = req.path
    const q = path.indexOf('?')
    if (q >= 0) {
      const query = {...(req.query ?? {})}
      for (const [k, v] of new URLSearchParams(path.slice(q + 1))) query[k] = v
      req = {...req, query}
      path = path.slice(0, q)
    }
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
    const rp = parseResourcePath(path, (g, v, p) => this.registry.lookup(g, v, p) !== undefined)
    if (rp) return this.resource(req, rp, caller)
    if (req.method !== 'GET') throw Status.methodNotAllowed()
    return this.nonResource(req, path, caller)
  }

  private nonResource(req: KubeRequest, path: string, caller: Caller): KubeStreamResponse {
    const segs = path.split('/').filter(Boolean)
    this.opts.authorizer?.authorizeNonResource(caller, 'get', path)
    if (path === '/version') return respond(200, serverVersion())
    if (['/healthz', '/livez', '/readyz'].includes(path)) return respond(200, 'ok', {'content-type': 'text/plain; charset=utf-8'})
    const aggregated = wantsAggregated(req.headers?.accept)
    if (path === '/api') {
      if (aggregated) return respond(200, aggregatedDiscovery(this.registry, true, aggregated), {'content-type': aggregated === 'v2' ? aggregatedMediaType : aggregatedMediaTypeBeta})
      return respond(200, apiVersions(this.opts.serverAddress ?? '127.0.0.1:6443'))
    }
    if (path === '/apis') {
      if (aggregated) return respond(200, aggregatedDiscovery(this.registry, false, aggregated), {'content-type': aggregated === 'v2' ? aggregatedMediaType : aggregatedMediaTypeBeta})
      return respond(200, apiGroupList(this.registry))
    }
    if (segs[0] === 'api' && segs.length === 2) {
      const list = apiResourceList(this.registry, '', segs[1])
      if (list) return respond(200, list)
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const group = apiGroup(this.registry, segs[1])
      if (group) return respond(200, group)
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const list = apiResourceList(this.registry, segs[1], segs[2])
      if (list) return respond(200, list)
    }
    if (path === '/openapi/v3') return respond(200, openApiV3Index(this.registry))
    if (segs[0] === 'openapi' && segs[1] === 'v3' && segs.length >= 3) {
      const doc = openApiV3Document(this.registry, segs.slice(2).join('/'))
      if (doc) return respond(200, doc)
    }
    if (path === '/openapi/v2') return openApiV2Response(this.registry, req.headers?.accept)
    throw Status.pathNotFound()
  }

  private async resource(req: KubeRequest, rp: ResourcePath, caller: Caller): Promise<KubeStreamResponse> {
    const def = this.registry.lookup(rp.group, rp.version, rp.plural)
    if (!def) throw Status.pathNotFound()
    const ns = def.namespaced ? rp.namespace : undefined
    if (!def.namespaced && rp.namespace) throw Status.pathNotFound()
    if (rp.subresource && !def.subresources.includes(rp.subresource as 'status')) throw Status.pathNotFound()
    const watch = rp.watchPath || queryBool(req, 'watch')
    const verb = this.verbOf(req, rp, watch)
    this.opts.authorizer?.authorize(caller, {verb, def, namespace: ns, name: rp.name, subresource: rp.subresource})
    if (virtualKinds.has(def.kind) || (rp.subresource && this.extraSubresource(def, rp.subresource))) {
      if (req.method !== 'POST') throw Status.methodNotAllowed()
      return respond(201, await this.state.virtualCreate(def, ns, rp.name, rp.subresource, this.body(req), caller, this.opts.authorizer))
    }
    const dryRun = queryValue(req, 'dryRun') === 'All'
    switch (verb) {
      case 'get': {
        const obj = await this.state.objects.storage.mustGet(def, ns, rp.name!)
        if (rp.subresource === 'scale') return respond(200, this.state.scaleOf(def, obj))
        return this.one(req, def, obj, 200)
      }
      case 'list':
        return this.list(req, def, ns, rp)
      case 'watch':
        return this.watch(req, def, ns, rp)
      case 'create': {
        if (rp.name) throw Status.methodNotAllowed()
        const warnings: string[] = []
        const body = this.checkFields(req, def, this.body(req), warnings)
        const created = await this.state.objects.create(def, ns, body, {dryRun, writer: this.writer(req)})
        return this.one(req, def, created, 201, warnings)
      }
      case 'update': {
        const warnings: string[] = []
        const body = this.body(req)
        if (rp.subresource === 'scale') return respond(200, await this.state.updateScale(def, ns, rp.name!, () => body, dryRun, this.writer(req, rp.subresource)))
        this.checkFields(req, def, body, warnings)
        const updated = await this.state.objects.update(def, ns, rp.name!, () => body, {subresource: rp.subresource, dryRun, writer: this.writer(req, rp.subresource)})
        return this.one(req, def, updated, 200, warnings)
      }
      case 'patch': {
        const applying = (req.headers?.['content-type'] ?? '').split(';')[0].trim() === patchTypes.apply
        const writer = this.writer(req, rp.subresource)
        this.checkPatchOptions(req, applying)
        const patcher = this.patcher(req, def, writer)
        if (rp.subresource === 'scale') return respond(200, await this.state.updateScale(def, ns, rp.name!, patcher, dryRun, writer))
        const warnings: string[] = []
        const checked = (current: Obj) => {
          warnings.length = 0
          return this.checkFields(req, def, patcher(current), warnings)
        }
        try {
          const patched = await this.state.objects.update(def, ns, rp.name!, checked, {subresource: rp.subresource, dryRun, writer, applied: applying})
          return this.one(req, def, patched, 200, warnings)
        } catch (error) {
          // Server-side apply creates what does not exist yet.
          if (!applying || !(error instanceof StatusError && error.reason === 'NotFound') || rp.subresource) throw error
          const applied = checked({apiVersion: apiVersionOf(def), kind: def.kind, metadata: {name: rp.name, ...(ns ? {namespace: ns} : {})}})
          const created = await this.state.objects.create(def, ns, applied, {dryRun, writer, applied: true})
          return this.one(req, def, created, 201, warnings)
        }
      }
      case 'delete': {
        const options = this.deleteOptions(req)
        const result = await this.state.objects.remove(def, ns, rp.name!, {...options, dryRun})
        return this.one(req, def, result.obj, result.deleted ? 200 : 202)
      }
      case 'deletecollection': {
        const options = this.deleteOptions(req)
        const page = await this.state.objects.storage.list(def, ns, {limit: 0, filter: this.filter(req, def)})
        for (const item of page.items) {
          const meta = item.metadata as Obj
          await this.state.objects.remove(def, meta.namespace as string | undefined, String(meta.name), {...options, dryRun}).catch((error) => {
            if (!(error instanceof StatusError && error.reason === 'NotFound')) throw error
          })
        }
        return respond(200, {kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: {resourceVersion: String(page.revision)}, items: page.items})
      }
    }
    throw Status.methodNotAllowed()
  }

  /** Subresources served by a create (pods/binding, pods/eviction, serviceaccounts/token). */
  private extraSubresource(def: ResourceDef, sub: string): boolean {
    return sub !== 'status' && sub !== 'scale' && def.subresources.includes(sub as 'token')
  }

  /** The caller a service account token speaks for, while its account still exists. */
  async authenticateToken(token: string): Promise<Caller | undefined> {
    const claims = this.state.saTokens.verify(token, this.state.now())
    if (!claims) return undefined
    const sa = await this.state.storage.get(this.state.def('', 'ServiceAccount'), claims.namespace, claims.name)
    if (!sa || (sa.metadata as Obj | undefined)?.uid !== claims.uid) return undefined
    return claims.caller
  }

  private verbOf(req: KubeRequest, rp: ResourcePath, watch: boolean): string {
    switch (req.method) {
      case 'GET':
        if (watch) return 'watch'
        return rp.name ? 'get' : 'list'
      case 'POST':
        return 'create'
      case 'PUT':
        if (!rp.name) throw Status.methodNotAllowed()
        return 'update'
      case 'PATCH':
        if (!rp.name) throw Status.methodNotAllowed()
        return 'patch'
      case 'DELETE':
        return rp.name ? 'delete' : 'deletecollection'
    }
    throw Status.methodNotAllowed()
  }

  private body(req: KubeRequest): Obj {
    const type = req.headers?.['content-type'] ?? 'application/json'
    if (type.startsWith(protobufMediaType)) return decodeProtobufObject(req.body ?? new Uint8Array())
    if (type.includes('yaml')) {
      try {
        const parsed = loadYaml(Buffer.from(req.body ?? new Uint8Array()).toString('utf8'))
        if (!isObj(parsed)) throw new Error('not an object')
        return parsed
      } catch (error) {
        throw Status.badRequest(`error decoding YAML: ${(error as Error).message}`)
      }
    }
    return jsonBody(req)
  }

  /**
   * Who a write is recorded under: the fieldManager the request names, else the first word of
   * its user agent (kube-apiserver's default: `kubectl/v1.32.0 (linux/amd64) ...` is kubectl).
   */
  private writer(req: KubeRequest, subresource?: string): Writer {
    const asked = queryValue(req, 'fieldManager')
    const manager = asked ?? (req.headers?.['user-agent'] ?? '').split('/')[0].slice(0, 128)
    return {manager, subresource: subresource === 'status' || subresource === 'scale' ? subresource : undefined}
  }

  /** PatchOptions as kube-apiserver validates them: appliers must name themselves, only they force. */
  private checkPatchOptions(req: KubeRequest, applying: boolean): void {
    const force = queryValue(req, 'force')
    if (applying && !queryValue(req, 'fieldManager')) {
      throw Status.invalid('PatchOptions', 'meta.k8s.io', '', [{type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch'}])
    }
    if (!applying && force !== undefined) {
      throw Status.invalid('PatchOptions', 'meta.k8s.io', '', [{type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch'}])
    }
    const manager = queryValue(req, 'fieldManager')
    if (manager !== undefined && manager.length > 128) {
      throw Status.invalid('PatchOptions', 'meta.k8s.io', '', [{type: 'FieldValueTooLong', field: 'fieldManager', value: manager, detail: 'may not be longer than 128'}])
    }
  }

  private patcher(req: KubeRequest, def: ResourceDef, writer: Writer): (current: Obj) => Obj {
    const type = (req.headers?.['content-type'] ?? '').split(';')[0].trim()
    const raw = Buffer.from(req.body ?? new Uint8Array()).toString('utf8')
    let patch: unknown
    try {
      patch = type === patchTypes.apply ? loadYaml(raw) : JSON.parse(raw)
    } catch (error) {
      throw Status.badRequest(`error decoding patch: ${(error as Error).message}`)
    }
    switch (type) {
      case patchTypes.json:
        return (current) => jsonPatch(current, patch)
      case patchTypes.merge:
        return (current) => mergePatch(current, patch) as Obj
      case patchTypes.strategic:
        if (def.custom) throw Status.unsupportedMediaType(type)
        return (current) => strategicMerge(current, patch) as Obj
      case patchTypes.apply:
        if (!isObj(patch)) throw Status.badRequest('the body of an apply patch must be an object')
        return (current) => syncLastApplied(applyConfig(def, current, patch, writer, queryBool(req, 'force'), this.state.now()), current, patch, writer.manager)
      default:
        throw Status.unsupportedMediaType(type)
    }
  }

  private deleteOptions(req: KubeRequest): {gracePeriodSeconds?: number; propagationPolicy?: string; preconditions?: {uid?: string; resourceVersion?: string}} {
    let body: Obj = {}
    if (req.body && req.body.length > 0) body = jsonBody(req)
    const grace = queryInt(req, 'gracePeriodSeconds') ?? (typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined)
    let propagationPolicy = queryValue(req, 'propagationPolicy') ?? (body.propagationPolicy as string | undefined)
    // orphanDependents, the older form: true is Orphan, false Background.
    const orphan = queryValue(req, 'orphanDependents') ?? (typeof body.orphanDependents === 'boolean' ? String(body.orphanDependents) : undefined)
    if (orphan !== undefined && propagationPolicy !== undefined) {
      throw Status.invalid('DeleteOptions', 'meta.k8s.io', '', [{type: 'FieldValueInvalid', field: 'propagationPolicy', value: propagationPolicy, detail: 'orphanDependents and deletionPropagation cannot be both set'}])
    }
    if (orphan !== undefined) propagationPolicy = orphan === 'true' ? 'Orphan' : 'Background'
    if (propagationPolicy !== undefined && !propagationPolicies.includes(propagationPolicy)) {
      throw Status.invalid('DeleteOptions', 'meta.k8s.io', '', [{type: 'FieldValueNotSupported', field: 'propagationPolicy', value: propagationPolicy, detail: 'supported values: "Foreground", "Background", "Orphan"'}])
    }
    return {
      gracePeriodSeconds: grace,
      propagationPolicy,
      preconditions: isObj(body.preconditions) ? (body.preconditions as {uid?: string; resourceVersion?: string}) : undefined,
    }
  }

  private filter(req: KubeRequest, def: ResourceDef, name?: string): ((obj: Obj) => boolean) | undefined {
    const labels = parseLabelSelector(queryValue(req, 'labelSelector') ?? '')
    const fields = parseFieldSelector(queryValue(req, 'fieldSelector') ?? '', def.kind)
    if (labels.length === 0 && fields.length === 0 && !name) return undefined
    return (obj) => {
      const meta = (obj.metadata ?? {}) as Obj
      if (name && meta.name !== name) return false
      return matchesSelector(labels, meta.labels as Record<string, string>) && matchesFields(fields, obj)
    }
  }

  private present(def: ResourceDef, obj: Obj): Obj {
    obj.kind = def.kind
    obj.apiVersion = apiVersionOf(def)
    return obj
  }

  private one(req: KubeRequest, def: ResourceDef, obj: Obj, status: number, warnings: string[] = []): KubeStreamResponse {
    this.present(def, obj)
    const headers: Record<string, string> = warnings.length ? {warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ')} : {}
    if (acceptsTable(req)) return respond(status, toTable(def, [obj], {include: includeObject(req)}), headers)
    return respond(status, obj, headers)
  }

  /**
   * Unknown fields per the request's fieldValidation (Strict refuses, Warn warns, Ignore does
   * not); they are dropped either way, as kube-apiserver's decoder drops them.
   */
  private checkFields(req: KubeRequest, def: ResourceDef, obj: Obj, warnings: string[]): Obj {
    const mode = queryValue(req, 'fieldValidation') ?? 'Warn'
    if (!['Ignore', 'Warn', 'Strict'].includes(mode)) throw Status.badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", not "${mode}"`)
    const unknown = pruneUnknownFields(def, obj)
    if (unknown.length === 0 || mode === 'Ignore') return obj
    const words = unknown.map((f) => `unknown field ${JSON.stringify(f)}`)
    if (mode === 'Strict') {
      throw Status.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${words.join(', ')}`)
    }
    warnings.push(...words)
    return obj
  }

  private async list(req: KubeRequest, def: ResourceDef, ns: string | undefined, rp: ResourcePath): Promise<KubeStreamResponse> {
    const prefix = collectionPrefix(def, ns)
    const limitAsked = queryInt(req, 'limit') ?? 0
    const limit = limitAsked > 0 ? Math.min(limitAsked, maxListLimit) : 0
    const token = queryValue(req, 'continue')
    let revision: bigint | undefined
    let start: string | undefined
    if (token) {
      const c = decodeContinue(token, prefix)
      revision = c.rv
      start = c.start
    } else {
      const rv = queryValue(req, 'resourceVersion')
      if (rv && queryValue(req, 'resourceVersionMatch') === 'Exact') {
        if (!/^\d+$/.test(rv)) throw Status.badRequest(`invalid resource version: ${rv}`)
        revision = BigInt(rv)
      }
    }
    const table = acceptsTable(req)
    // A plain JSON list goes out as the stored bytes, resourceVersion spliced in.
    const raw = table ? undefined : {kind: def.kind, apiVersion: apiVersionOf(def)}
    const page = await this.state.objects.storage.list(def, ns, {limit, startKey: start, revision, filter: this.filter(req, def, rp.name), raw})
    const listMeta: Obj = {resourceVersion: String(page.revision)}
    if (page.nextKey) {
      listMeta.continue = encodeContinue(page.revision, page.nextKey, prefix)
      if (page.remaining !== undefined) listMeta.remainingItemCount = page.remaining
    }
    if (page.rawItems) {
      const head = JSON.stringify({kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: listMeta})
      return respond(200, `${head.slice(0, -1)},"items":[${page.rawItems.join(',')}]}`)
    }
    const items = page.items.map((o) => this.present(def, o))
    if (table) return respond(200, toTable(def, items, {include: includeObject(req), listMeta}))
    return respond(200, {kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: listMeta, items})
  }

  private async watch(req: KubeRequest, def: ResourceDef, ns: string | undefined, rp: ResourcePath): Promise<KubeStreamResponse> {
    const filter = this.filter(req, def, rp.name) ?? (() => true)
    const rv = queryValue(req, 'resourceVersion') ?? ''
    const sendInitial = queryValue(req, 'sendInitialEvents')
    const table = acceptsTable(req)
    const include = includeObject(req)
    let initial: {items: Obj[]; revision: bigint} | undefined
    let after: bigint
    const wantInitial = sendInitial === 'true' || (sendInitial === undefined && (rv === '' || rv === '0'))
    if (wantInitial) {
      const page = await this.state.objects.storage.list(def, ns, {limit: 0, filter})
      initial = {items: page.items.map((o) => this.present(def, o)), revision: page.revision}
      after = page.revision
    } else if (rv === '' || rv === '0') {
      after = this.state.cache.revision
    } else {
      if (!/^\d+$/.test(rv)) throw Status.badRequest(`invalid resource version: ${rv}`)
      after = BigInt(rv)
    }
    const timeoutSeconds = queryInt(req, 'timeoutSeconds')
    const defaultTimeout = this.opts.watchTimeoutMs ?? (30 + Math.random() * 30) * 60_000
    return startWatch(
      this.state.cache,
      {
        def,
        prefix: collectionPrefix(def, ns),
        matches: filter,
        initial,
        after,
        sendInitialEventsBookmark: sendInitial === 'true',
        allowBookmarks: queryBool(req, 'allowWatchBookmarks'),
        timeoutMs: timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds * 1000 : defaultTimeout,
        bookmarkIntervalMs: this.opts.bookmarkIntervalMs ?? 60_000,
        render: (obj, first) => (table ? toTable(def, [obj], {include, withColumns: first}) : obj),
        rendersPerWatcher: table,
        decode: (value, revision) => this.present(def, decode({key: Buffer.alloc(0), value, modRevision: revision, createRevision: 0n, version: 0n, lease: 0n}, revision)),
        maxQueued: maxWatchQueue,
      },
      {'content-type': 'application/json', 'cache-control': 'no-cache, private'},
    )
  }
}

