// What a request asks for: kube-apiserver's RequestInfo (verb, resource, namespace, name,
// subresource) from the URL path, and the few helpers every handler needs to read a request and
// write a response.
import type {KubeRequest, KubeStreamResponse} from '../../../client/kube/transport.js'
import {Status, StatusError} from '../api/status.js'

export interface ResourcePath {
  group: string
  version: string
  plural: string
  namespace?: string
  name?: string
  subresource?: string
  /** A `/watch/` path (deprecated but still served). */
  watchPath: boolean
}

/**
 * Parses `/api/v1/...` and `/apis/<group>/<version>/...` into a resource path; undefined when
 * the path is not a resource path (discovery, /version, ...). `isResource` tells whether a
 * segment after `namespaces/<ns>/` names a resource (or a namespace subresource).
 */
export function parseResourcePath(path: string, isResource: (group: string, version: string, plural: string) => boolean): ResourcePath | undefined {
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent)
  let group: string
  let version: string
  let rest: string[]
  if (segs[0] === 'api' && segs.length >= 3) {
    group = ''
    version = segs[1]
    rest = segs.slice(2)
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]
    version = segs[2]
    rest = segs.slice(3)
  } else return undefined
  let watchPath = false
  if (rest[0] === 'watch') {
    watchPath = true
    rest = rest.slice(1)
  }
  if (rest.length === 0) return undefined
  if (rest[0] === 'namespaces' && rest.length >= 3 && isResource(group, version, rest[2])) {
    const [, namespace, plural, name, subresource, ...extra] = rest
    if (extra.length) return undefined
    return {group, version, plural, namespace, name, subresource, watchPath}
  }
  const [plural, name, subresource, ...extra] = rest
  if (extra.length) return undefined
  return {group, version, plural, name, subresource, watchPath}
}

export function queryValue(req: KubeRequest, key: string): string | undefined {
  const v = req.query?.[key]
  return Array.isArray(v) ? v[v.length - 1] : v
}

export function queryBool(req: KubeRequest, key: string): boolean {
  const v = queryValue(req, key)
  return v === 'true' || v === '1'
}

export function queryInt(req: KubeRequest, key: string): number | undefined {
  const v = queryValue(req, key)
  if (v === undefined || v === '') return undefined
  if (!/^-?\d+$/.test(v)) throw Status.badRequest(`invalid value for ${key}: ${v}`)
  return Number(v)
}

/** Largest request body accepted (kube-apiserver's limit is 3 MiB for JSON). */
export const maxBodyBytes = 3 * 1024 * 1024

export function jsonBody(req: KubeRequest): Record<string, unknown> {
  const body = req.body
  if (!body || body.length === 0) throw Status.badRequest('the body of the request was empty')
  if (body.length > maxBodyBytes) throw Status.tooLarge(maxBodyBytes)
  const text = Buffer.from(body).toString('utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw Status.badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw Status.badRequest('the body of the request must be a JSON object')
  return parsed as Record<string, unknown>
}

const jsonHeaders = {'content-type': 'application/json', 'cache-control': 'no-cache, private'}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes
}

export function respond(status: number, body: unknown, headers: Record<string, string> = {}): KubeStreamResponse {
  const bytes = body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
  return {status, headers: {...jsonHeaders, ...headers}, body: once(bytes), close: () => undefined}
}

export function respondError(error: unknown): KubeStreamResponse {
  const status = error instanceof StatusError ? error : Status.internal((error as Error)?.message ?? String(error))
  return respond(status.code, status.toStatus())
}
