// Discovery documents, derived from the resource table: the legacy ones (/api, /apis,
// /api/v1, /apis/<group>/<version>) and the aggregated apidiscovery.k8s.io/v2 lists that
// kubectl 1.32 asks for first.
import {apiVersionOf, type ResourceDef, type ResourceRegistry} from '../api/registry.js'

type Obj = Record<string, unknown>

export const aggregatedMediaType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'
export const aggregatedMediaTypeBeta = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'

/** Which aggregated version the Accept header asks for, if any (first acceptable wins). */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const p = part.replace(/\s+/g, '')
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) {
      if (p.startsWith('application/json') || p.startsWith('*/*')) return undefined
      continue
    }
    if (p.includes('v=v2beta1')) return 'v2beta1'
    if (p.includes('v=v2')) return 'v2'
  }
  return undefined
}

function subresourceVerbs(sub: string): string[] {
  return sub === 'status' || sub === 'scale' ? ['get', 'patch', 'update'] : ['create']
}

function stored(r: ResourceDef): boolean {
  return r.verbs.includes('get')
}

export function apiVersions(serverAddress: string): Obj {
  return {kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{clientCIDR: '0.0.0.0/0', serverAddress}]}
}

function groupEntry(group: string, versions: string[]): Obj {
  const list = versions.map((version) => ({groupVersion: `${group}/${version}`, version}))
  return {name: group, versions: list, preferredVersion: list[0]}
}

export function apiGroupList(registry: ResourceRegistry): Obj {
  const groups = registry.groupVersions().filter((g) => g.group !== '')
  return {kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => groupEntry(g.group, g.versions))}
}

export function apiGroup(registry: ResourceRegistry, group: string): Obj | undefined {
  const g = registry.groupVersions().find((x) => x.group === group && group !== '')
  return g ? {kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.group, g.versions)} : undefined
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): Obj | undefined {
  const resources = registry.all().filter((r) => r.group === group && r.version === version)
  if (resources.length === 0) return undefined
  const list: Obj[] = []
  for (const r of [...resources].sort((a, b) => a.plural.localeCompare(b.plural))) {
    list.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? {shortNames: r.shortNames} : {}),
      ...(r.categories.length ? {categories: r.categories} : {}),
    })
    for (const sub of r.subresources) {
      list.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sub === 'scale' ? {group: 'autoscaling', version: 'v1', kind: 'Scale'} : {kind: r.kind}),
        verbs: subresourceVerbs(sub),
      })
    }
  }
  return {kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({group, version}), resources: list}
}

function discoveryResource(r: ResourceDef): Obj {
  return {
    resource: r.plural,
    responseKind: {group: r.group, version: r.version, kind: r.kind},
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? {shortNames: r.shortNames} : {}),
    ...(r.categories.length ? {categories: r.categories} : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((sub) => ({
            subresource: sub,
            responseKind: sub === 'scale' ? {group: 'autoscaling', version: 'v1', kind: 'Scale'} : {group: r.group, version: r.version, kind: r.kind},
            verbs: subresourceVerbs(sub),
          })),
        }
      : {}),
  }
}

/** The aggregated list for /api (core only) or /apis (every other group). */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean, version: 'v2' | 'v2beta1'): Obj {
  const items = registry
    .groupVersions()
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: {name: g.group, creationTimestamp: null},
      versions: g.versions.map((v) => ({
        version: v,
        resources: registry
          .all()
          .filter((r) => r.group === g.group && r.version === v && stored(r))
          .concat(registry.all().filter((r) => r.group === g.group && r.version === v && !stored(r)))
          .sort((a, b) => a.plural.localeCompare(b.plural))
          .map(discoveryResource),
        freshness: 'Current',
      })),
    }))
  return {kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items}
}
