// From a command's words to resources: `pods`, `pods,svc`, `pod a b`, `pod/a svc/b`, `all`,
// resolved through discovery with kubectl's messages for what the server does not have.
import type {KubeClient} from '../../client/kube/client.js'
import {resolveResource, type ApiResource, type DiscoveryData} from '../../client/kube/discovery.js'
import {KctlError} from './errors.js'

export interface ResourceRequest {
  resource: ApiResource
  /** names asked for; empty = list */
  names: string[]
}

/** The category `all` when the server names none (kubectl's built-in list). */
const ALL_FALLBACK = ['pods', 'replicationcontrollers', 'services', 'daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'statefulsets.apps', 'horizontalpodautoscalers.autoscaling', 'cronjobs.batch', 'jobs.batch']

export function resolveWord(data: DiscoveryData, word: string): ApiResource {
  const r = resolveResource(data, word)
  if (r === undefined) throw new KctlError(`the server doesn't have a resource type "${word}"`)
  return r
}

function expandCategory(data: DiscoveryData, word: string): ApiResource[] | undefined {
  const members = data.resources.filter((r) => r.categories.includes(word))
  if (members.length > 0) {
    // one version per group and resource: the preferred one
    const preferred = new Map(data.groups.map((g) => [g.name, g.preferredVersion]))
    return members.filter((r) => preferred.get(r.group) === r.version)
  }
  if (word === 'all') return ALL_FALLBACK.map((w) => resolveResource(data, w)).filter((r): r is ApiResource => r !== undefined)
  return undefined
}

/** Resolves `get`-style arguments; a word the cached discovery lacks makes kctl ask the server again. */
export async function resourceRequests(client: KubeClient, args: string[]): Promise<ResourceRequest[]> {
  try {
    return await resourceRequestsOnce(client, args)
  } catch (err) {
    if (err instanceof KctlError && client.invalidateDiscovery()) return resourceRequestsOnce(client, args)
    throw err
  }
}

async function resourceRequestsOnce(client: KubeClient, args: string[]): Promise<ResourceRequest[]> {
  const data = await client.discovery()
  if (args.some((a) => a.includes('/'))) {
    const out: ResourceRequest[] = []
    for (const a of args) {
      const slash = a.indexOf('/')
      if (slash < 0) {
        throw new KctlError(
          "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kctl get resource/<resource_name>' instead of 'kctl get resource resource/<resource_name>'",
        )
      }
      const resource = resolveWord(data, a.slice(0, slash))
      const name = a.slice(slash + 1)
      if (name === '') throw new KctlError(`arguments in resource/name form must have a single resource and name`)
      const last = out[out.length - 1]
      if (last !== undefined && last.resource === resource) last.names.push(name)
      else out.push({resource, names: [name]})
    }
    return out
  }
  const [types, ...names] = args
  const out: ResourceRequest[] = []
  for (const word of types!.split(',')) {
    if (word === '') continue
    const category = expandCategory(data, word)
    if (category !== undefined && resolveResource(data, word) === undefined) {
      if (names.length > 0) throw new KctlError(`you may only specify a single resource type`)
      for (const resource of category) out.push({resource, names: []})
      continue
    }
    const resource = resolveWord(data, word)
    if (!out.some((r) => r.resource === resource)) out.push({resource, names: [...names]})
  }
  return out
}

/** `pod`, `deployment.apps`: how kubectl prefixes names when several kinds print together. */
export function kindPrefix(r: ApiResource): string {
  return r.group === '' ? r.kind.toLowerCase() : `${r.kind.toLowerCase()}.${r.group}`
}
