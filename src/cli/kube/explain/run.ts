// `kctl explain RESOURCE[.field...]`: finds the resource as kubectl does (the longest
// `resource.group` prefix of the argument, else the best match of its first word), reads the
// OpenAPI v3 document of that group version from the server and renders it (render.ts); or,
// with --output=plaintext-openapiv2, the v2 document and kubectl's older view (openapiv2.ts).
import type {KubeClient} from '../../../client/kube/client.js'
import {resourcesMatching, type ApiResource, type DiscoveryData} from '../../../client/kube/discovery.js'
import {KctlError} from '../errors.js'
import {renderExplainV2} from './openapiv2.js'
import {gvrString, renderExplain, type GroupVersionResource} from './render.js'

export interface ExplainOptions {
  apiVersion?: string
  recursive: boolean
  output: string
  write: (text: string) => void
}

interface Target {
  gvr: GroupVersionResource
  /** the resource's kind, from discovery */
  kind: string
  fieldPath: string[]
}

const gvrOf = (r: ApiResource): GroupVersionResource => ({group: r.group, version: r.version, resource: r.name})

/** kubectl's answer when no resource has that name (without the usual `error: `). */
function noSuchType(word: string): KctlError {
  return new KctlError(`the server doesn't have a resource type "${word}"`, `the server doesn't have a resource type "${word}"\n`)
}

/** The resource and field path an argument names; undefined when discovery has no such resource. */
export function explainTarget(data: DiscoveryData, arg: string, withApiVersion: boolean): Target | undefined {
  const input = arg.endsWith('.') ? arg.slice(0, -1) : arg
  const parts = input.split('.')
  const matches = resourcesMatching(data, parts[0]!)
  if (matches.length === 0) return undefined
  if (!withApiVersion) {
    // `deployments.apps.spec`: a group-qualified name is read as one, when it is one
    for (const r of matches) {
      const groupResource = r.group === '' ? r.name : `${r.name}.${r.group}`
      if (input.startsWith(groupResource)) {
        const rest = input.slice(groupResource.length)
        return {gvr: gvrOf(r), kind: r.kind, fieldPath: rest === '' ? [] : rest.split('.').slice(1)}
      }
    }
  }
  return {gvr: gvrOf(matches[0]!), kind: matches[0]!.kind, fieldPath: parts.slice(1)}
}

/** apimachinery's ParseGroupVersion: `v1`, `apps/v1`; more than one slash is refused. */
function parseGroupVersion(s: string): {group: string; version: string} {
  if (s === '' || s === '/') return {group: '', version: ''}
  const parts = s.split('/')
  if (parts.length === 1) return {group: '', version: s}
  if (parts.length === 2) return {group: parts[0]!, version: parts[1]!}
  throw new KctlError(`unexpected GroupVersion string: ${s}`)
}

async function resolveTarget(client: KubeClient, arg: string, withApiVersion: boolean): Promise<Target> {
  let target = explainTarget(await client.discovery(), arg, withApiVersion)
  // discovery read from the cache may predate a new resource type: ask the server once
  if (target === undefined && client.invalidateDiscovery()) target = explainTarget(await client.discovery(), arg, withApiVersion)
  if (target === undefined) throw noSuchType((arg.endsWith('.') ? arg.slice(0, -1) : arg).split('.')[0]!)
  return target
}

export async function runExplain(client: KubeClient, arg: string, o: ExplainOptions): Promise<void> {
  const withApiVersion = o.apiVersion !== undefined && o.apiVersion !== ''
  const {gvr, fieldPath, kind} = await resolveTarget(client, arg, withApiVersion)
  if (o.output === 'plaintext-openapiv2') {
    // the older view: the kind of the resource (in --api-version's group version when given),
    // its model in the OpenAPI v2 document
    const gvk = {group: gvr.group, version: gvr.version, kind}
    if (withApiVersion) Object.assign(gvk, parseGroupVersion(o.apiVersion!))
    const doc = await client.json<Record<string, unknown>>('GET', '/openapi/v2')
    const rendered = renderExplainV2(doc, gvk, fieldPath, o.recursive)
    o.write(rendered.stdout)
    if (rendered.error !== undefined) throw new KctlError(rendered.error.replace(/^error: /, ''))
    return
  }
  const index = await client.json<{paths?: Record<string, {serverRelativeURL?: string}>}>('GET', '/openapi/v3')
  if (withApiVersion) Object.assign(gvr, parseGroupVersion(o.apiVersion!))
  const gvPath = gvr.group === '' ? `api/${gvr.version}` : `apis/${gvr.group}/${gvr.version}`
  const entry = index.paths?.[gvPath]
  if (entry === undefined) throw new KctlError(`couldn't find resource for "${gvrString(gvr)}"`)
  const url = new URL(entry.serverRelativeURL ?? `/openapi/v3/${gvPath}`, 'http://server')
  const doc = await client.json<Record<string, unknown>>('GET', url.pathname, {query: Object.fromEntries(url.searchParams)})
  // kubectl checks the format only once it has the document
  if (o.output !== 'plaintext') throw new KctlError(`unrecognized format: ${o.output}`)
  const rendered = renderExplain(doc, gvr, fieldPath, o.recursive)
  o.write(rendered.stdout)
  if (rendered.error !== undefined) throw new KctlError(rendered.error.replace(/^error: /, ''))
}
