// Discovery: which resources the server serves (from /api and /apis), and kubectl's mapping of
// what a user types — `pods`, `pod`, `po`, `Pod`, `deployments.apps`, `deploy.v1.apps` — to one
// resource. Read once per run and kept in memory.

export interface ApiResource {
  name: string
  singularName: string
  namespaced: boolean
  kind: string
  verbs: string[]
  shortNames: string[]
  categories: string[]
  group: string
  version: string
}

export interface ApiGroupInfo {
  name: string
  versions: string[]
  preferredVersion: string
}

export interface DiscoveryData {
  groups: ApiGroupInfo[]
  /** every top-level resource (no subresources) of every served group version */
  resources: ApiResource[]
  /** subresources by `group/version/resource` ("status", "scale", ...) */
  subresources: Map<string, string[]>
  /** group versions that could not be read (kubectl warns and goes on) */
  failed: string[]
}

export interface RawResource {
  name: string
  singularName?: string
  namespaced?: boolean
  kind: string
  verbs?: string[]
  shortNames?: string[]
  categories?: string[]
  group?: string
  version?: string
}

/** Builds the discovery data from the group list and each group version's resource list. */
export function buildDiscovery(
  groups: ApiGroupInfo[],
  lists: Map<string, RawResource[]>,
  failed: string[] = [],
): DiscoveryData {
  const resources: ApiResource[] = []
  const subresources = new Map<string, string[]>()
  for (const g of groups) {
    for (const v of g.versions) {
      const gv = g.name === '' ? v : `${g.name}/${v}`
      for (const r of lists.get(gv) ?? []) {
        const slash = r.name.indexOf('/')
        if (slash >= 0) {
          const key = `${g.name}/${v}/${r.name.slice(0, slash)}`
          subresources.set(key, [...(subresources.get(key) ?? []), r.name.slice(slash + 1)])
          continue
        }
        resources.push({
          name: r.name,
          singularName: r.singularName || r.kind.toLowerCase(),
          namespaced: r.namespaced === true,
          kind: r.kind,
          verbs: r.verbs ?? [],
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          group: r.group ?? g.name,
          version: r.version ?? v,
        })
      }
    }
  }
  return {groups, resources, subresources, failed}
}

export function groupVersionOf(r: {group: string; version: string}): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`
}

/** The resource a user's word names, or undefined. Preferred versions win over others. */
export function resolveResource(data: DiscoveryData, word: string): ApiResource | undefined {
  for (const {name, version, group} of splitResourceWord(word)) {
    const matches = resourcesMatching(data, name, version, group)
    if (matches.length > 0) return matches[0]
  }
  return undefined
}

/**
 * Every resource a bare name (plural, singular, short name or kind) may mean, best first, as
 * kubectl's RESTMapper ResourcesFor orders them: exact plural first, then by the group's place
 * in discovery, the preferred version before the others.
 */
export function resourcesMatching(data: DiscoveryData, name: string, version?: string, group?: string): ApiResource[] {
  const preferred = new Map(data.groups.map((g) => [g.name, g.preferredVersion]))
  const groupOrder = new Map(data.groups.map((g, i) => [g.name, i]))
  const lower = name.toLowerCase()
  const matches = data.resources.filter((r) => {
    if (group !== undefined && r.group !== group) return false
    if (version !== undefined && r.version !== version) return false
    return r.name === lower || r.singularName === lower || r.shortNames.includes(lower) || r.kind.toLowerCase() === lower
  })
  // exact plural beats singular and short names (a short name may collide with another plural)
  const rank = (r: ApiResource) => (r.name === lower ? 0 : r.singularName === lower || r.kind.toLowerCase() === lower ? 1 : 2)
  const pref = (r: ApiResource) => (preferred.get(r.group) === r.version ? 0 : 1)
  return matches.sort((a, b) => rank(a) - rank(b) || (groupOrder.get(a.group) ?? 0) - (groupOrder.get(b.group) ?? 0) || pref(a) - pref(b))
}

/** The resource of a kind in an apiVersion (`apps/v1`, `Deployment`), as a manifest names it. */
export function resourceForKind(data: DiscoveryData, apiVersion: string, kind: string): ApiResource | undefined {
  const slash = apiVersion.indexOf('/')
  const group = slash < 0 ? '' : apiVersion.slice(0, slash)
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1)
  return data.resources.find((r) => r.group === group && r.version === version && r.kind === kind)
}

/**
 * kubectl reads `a.b.c` as resource a, version b, group c when b looks like a version; and
 * always also as resource a in group `b.c`.
 */
function splitResourceWord(word: string): {name: string; version?: string; group?: string}[] {
  const parts = word.split('.')
  if (parts.length === 1) return [{name: word}]
  const out: {name: string; version?: string; group?: string}[] = []
  if (parts.length >= 3 && /^v\d+((alpha|beta)\d+)?$/.test(parts[1]!)) {
    out.push({name: parts[0]!, version: parts[1]!, group: parts.slice(2).join('.')})
  }
  out.push({name: parts[0]!, group: parts.slice(1).join('.')})
  if (parts.length === 2 && /^v\d+((alpha|beta)\d+)?$/.test(parts[1]!)) out.push({name: parts[0]!, version: parts[1]!, group: ''})
  return out
}
