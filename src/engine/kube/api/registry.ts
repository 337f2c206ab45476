// The resource table: every kind the API server serves, and everything the server derives from
// it (URLs, storage keys, discovery, tables, scale). Adding a built-in kind is one row here (plus
// its defaults and columns if it has any); custom resources add rows at run time from their
// CustomResourceDefinitions.

/** status and scale are read and written; the others are only created (POSTed). */
export type Subresource = 'status' | 'scale' | 'binding' | 'eviction' | 'token'

/** Where the scale subresource finds its numbers (paths as dot-separated JSON paths). */
export interface ScalePaths {
  specReplicasPath: string
  statusReplicasPath: string
  labelSelectorPath?: string
}

export interface ResourceDef {
  group: string
  version: string
  kind: string
  plural: string
  singular: string
  shortNames: string[]
  namespaced: boolean
  categories: string[]
  subresources: Subresource[]
  /** Storage key prefix under /registry, as kube-apiserver's (e.g. `services/specs`, `minions`). */
  storagePrefix: string
  scale?: ScalePaths
  /** Custom resources: the CRD's printer columns and schema, kept as given. */
  custom?: {printerColumns: PrinterColumn[]; schema?: unknown}
  /** Verbs, as discovery lists them. */
  verbs: string[]
}

export interface PrinterColumn {
  name: string
  type: string
  format?: string
  description?: string
  priority?: number
  jsonPath: string
}

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

const replicasScale: ScalePaths = {specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector'}

type Row = Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>

function row(r: Row): ResourceDef {
  return {
    singular: r.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: [],
    storagePrefix: r.plural,
    verbs: allVerbs,
    ...r,
  }
}

/** The built-in kinds, in the order discovery lists them within each group version. */
export const builtinResources: ResourceDef[] = [
  row({group: '', version: 'v1', kind: 'Binding', plural: 'bindings', namespaced: true, verbs: ['create']}),
  row({group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm']}),
  row({group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'], storagePrefix: 'services/endpoints'}),
  row({group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev']}),
  row({group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits']}),
  row({group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], subresources: ['status'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']}),
  row({group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['status'], storagePrefix: 'minions'}),
  row({group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], subresources: ['status']}),
  row({group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], subresources: ['status']}),
  row({group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['binding', 'eviction', 'status']}),
  row({group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'], subresources: ['status']}),
  row({group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true}),
  row({group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'], subresources: ['token']}),
  row({group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'], storagePrefix: 'services/specs'}),
  row({group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true}),
  row({group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'], subresources: ['status']}),
  row({group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], scale: replicasScale}),
  row({group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], scale: replicasScale}),
  row({group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'], scale: replicasScale}),
  row({group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'], subresources: ['status']}),
  row({group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], subresources: ['status']}),
  row({group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true}),
  row({group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true}),
  row({group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false}),
  row({group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false}),
  row({group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true}),
  row({group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true}),
  row({group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], subresources: ['status']}),
  row({group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'], subresources: ['status'], storagePrefix: 'apiextensions.k8s.io/customresourcedefinitions'}),
  row({group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create']}),
  row({group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: ['create']}),
  row({group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create']}),
]

/** Kinds served only as a `create` that is answered, never stored (reviews, bindings). */
export const virtualKinds = new Set(['Binding', 'SelfSubjectAccessReview', 'SubjectAccessReview', 'SelfSubjectReview'])

/** The preferred order of groups in discovery (as kube-apiserver lists its own). */
export const groupOrder = [
  '',
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
]

/** The live table: the built-ins plus whatever CustomResourceDefinitions are established. */
export class ResourceRegistry {
  private readonly resources: ResourceDef[] = [...builtinResources]
  private byPath = new Map<string, ResourceDef>()
  /** Bumped on every change, so discovery documents can be cached by it. */
  generation = 0

  constructor() {
    this.reindex()
  }

  all(): readonly ResourceDef[] {
    return this.resources
  }

  /** The resource at /api/v1/<plural> or /apis/<group>/<version>/<plural>. */
  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`)
  }

  byKind(group: string, kind: string): ResourceDef | undefined {
    return this.resources.find((r) => r.group === group && r.kind === kind)
  }

  /** Group versions served, core first, then in kube-apiserver's order, custom groups last. */
  groupVersions(): {group: string; versions: string[]}[] {
    const groups = new Map<string, string[]>()
    for (const r of this.resources) {
      const versions = groups.get(r.group) ?? []
      if (!versions.includes(r.version)) versions.push(r.version)
      groups.set(r.group, versions)
    }
    const rank = (g: string) => {
      const i = groupOrder.indexOf(g)
      return i < 0 ? groupOrder.length : i
    }
    return [...groups.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([group, versions]) => ({group, versions}))
  }

  /** Replaces the custom resources of one CRD (name `<plural>.<group>`); an empty list removes them. */
  setCustom(crdName: string, defs: ResourceDef[]): void {
    const [plural, ...rest] = crdName.split('.')
    const group = rest.join('.')
    for (let i = this.resources.length - 1; i >= 0; i--) {
      const r = this.resources[i]
      if (r.custom && r.plural === plural && r.group === group) this.resources.splice(i, 1)
    }
    this.resources.push(...defs)
    this.reindex()
  }

  private reindex(): void {
    this.byPath = new Map(this.resources.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]))
    this.generation++
  }
}

export function apiVersionOf(r: Pick<ResourceDef, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version
}
