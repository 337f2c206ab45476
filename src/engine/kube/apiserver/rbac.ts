// RBAC, as kube-apiserver's authorizer decides: roles and cluster roles grant rules, bindings
// grant roles to users, groups and service accounts; system:masters may do anything. The
// policy is kept in memory, fed by the watch cache, so a check never waits on the store.

import {Status} from '../api/status.js'
import type {Authorizer, Caller, PolicySource, ResourceAttributes} from './authz.js'

type Obj = Record<string, unknown>
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : [])
const strs = (v: unknown): string[] => (Array.isArray(v) ? (v as unknown[]).map(String) : [])

export const privilegedGroup = 'system:masters'

interface Request {
  verb: string
  group: string
  resource: string
  subresource?: string
  namespace?: string
  name?: string
  /** A non-resource request (path set, resource empty). */
  path?: string
}

function ruleAllows(rule: Obj, req: Request): boolean {
  const verbs = strs(rule.verbs)
  if (!verbs.includes('*') && !verbs.includes(req.verb)) return false
  if (req.path !== undefined) {
    return strs(rule.nonResourceURLs).some((u) => u === '*' || u === req.path || (u.endsWith('*') && req.path!.startsWith(u.slice(0, -1))))
  }
  const groups = strs(rule.apiGroups)
  if (!groups.includes('*') && !groups.includes(req.group)) return false
  const resources = strs(rule.resources)
  const full = req.subresource ? `${req.resource}/${req.subresource}` : req.resource
  const resourceOk = resources.some((r) => r === '*' || r === full || (req.subresource && r === `*/${req.subresource}`))
  if (!resourceOk) return false
  const names = strs(rule.resourceNames)
  return names.length === 0 || (req.name !== undefined && names.includes(req.name))
}

function subjectMatches(subject: Obj, caller: Caller, bindingNamespace?: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === caller.user
    case 'Group':
      return caller.groups.includes(String(subject.name))
    case 'ServiceAccount': {
      const ns = subject.namespace ?? bindingNamespace
      return caller.user === `system:serviceaccount:${ns}:${subject.name}`
    }
  }
  return false
}

/** kube-apiserver's words for a denial. */
export function forbiddenMessage(caller: Caller, req: Request): string {
  if (req.path !== undefined) return `User "${caller.user}" cannot ${req.verb} path "${req.path}"`
  const res = req.subresource ? `${req.resource}/${req.subresource}` : req.resource
  const where = req.namespace ? `in the namespace "${req.namespace}"` : 'at the cluster scope'
  return `User "${caller.user}" cannot ${req.verb} resource "${res}" in API group "${req.group}" ${where}`
}

export class RbacAuthorizer implements Authorizer {
  private readonly clusterRoles = new Map<string, Obj>()
  private readonly roles = new Map<string, Obj>()
  private readonly clusterRoleBindings = new Map<string, Obj>()
  private readonly roleBindings = new Map<string, Obj>()

  async start(source: PolicySource): Promise<void> {
    const keep = (map: Map<string, Obj>) => (key: string, obj: Obj | undefined) => {
      if (obj) map.set(key, obj)
      else map.delete(key)
    }
    const g = 'rbac.authorization.k8s.io'
    await source.follow(g, 'ClusterRole', keep(this.clusterRoles))
    await source.follow(g, 'Role', keep(this.roles))
    await source.follow(g, 'ClusterRoleBinding', keep(this.clusterRoleBindings))
    await source.follow(g, 'RoleBinding', keep(this.roleBindings))
  }

  private roleRules(ref: Obj, namespace?: string): Obj[] {
    if (ref.kind === 'ClusterRole') {
      for (const r of this.clusterRoles.values()) if ((r.metadata as Obj)?.name === ref.name) return arr(r.rules)
      return []
    }
    if (ref.kind === 'Role' && namespace) {
      for (const r of this.roles.values()) {
        const meta = r.metadata as Obj
        if (meta?.name === ref.name && meta?.namespace === namespace) return arr(r.rules)
      }
    }
    return []
  }

  /** Whether some binding grants the request, and by what (kube-apiserver's reason text). */
  check(caller: Caller, req: Request): {allowed: boolean; reason: string} {
    if (caller.groups.includes(privilegedGroup)) return {allowed: true, reason: ''}
    for (const b of this.clusterRoleBindings.values()) {
      if (!arr(b.subjects).some((s) => subjectMatches(s, caller))) continue
      const ref = (b.roleRef ?? {}) as Obj
      if (this.roleRules(ref).some((rule) => ruleAllows(rule, req))) {
        return {allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${(b.metadata as Obj)?.name}" of ClusterRole "${ref.name}" to ${caller.user}`}
      }
    }
    if (req.namespace && req.path === undefined) {
      for (const b of this.roleBindings.values()) {
        const meta = b.metadata as Obj
        if (meta?.namespace !== req.namespace) continue
        if (!arr(b.subjects).some((s) => subjectMatches(s, caller, req.namespace))) continue
        const ref = (b.roleRef ?? {}) as Obj
        if (this.roleRules(ref, req.namespace).some((rule) => ruleAllows(rule, req))) {
          return {allowed: true, reason: `RBAC: allowed by RoleBinding "${meta?.name}/${req.namespace}" of ${ref.kind} "${ref.name}" to ${caller.user}`}
        }
      }
    }
    return {allowed: false, reason: ''}
  }

  authorize(caller: Caller, attrs: ResourceAttributes): void {
    const req: Request = {verb: attrs.verb, group: attrs.def.group, resource: attrs.def.plural, subresource: attrs.subresource, namespace: attrs.namespace, name: attrs.name}
    if (this.check(caller, req).allowed) return
    throw Status.forbidden({group: attrs.def.group, resource: attrs.subresource ? `${attrs.def.plural}/${attrs.subresource}` : attrs.def.plural}, attrs.name ?? '', forbiddenMessage(caller, req))
  }

  authorizeNonResource(caller: Caller, verb: string, path: string): void {
    const req: Request = {verb, group: '', resource: '', path}
    if (this.check(caller, req).allowed) return
    const error = Status.forbidden({group: '', resource: ''}, '', forbiddenMessage(caller, req))
    throw Object.assign(error, {message: `forbidden: ${forbiddenMessage(caller, req)}`})
  }

  allowed(caller: Caller, attrs: {verb: string; group: string; resource: string; namespace?: string; name?: string; subresource?: string}): {allowed: boolean; reason: string} {
    if (!attrs.resource && attrs.name?.startsWith('/')) return this.check(caller, {verb: attrs.verb, group: '', resource: '', path: attrs.name})
    return this.check(caller, {verb: attrs.verb, group: attrs.group, resource: attrs.resource, subresource: attrs.subresource || undefined, namespace: attrs.namespace || undefined, name: attrs.name || undefined})
  }
}

const readVerbs = ['get', 'list', 'watch']
const writeVerbs = ['create', 'delete', 'deletecollection', 'patch', 'update']

const viewRules: Obj[] = [
  {apiGroups: [''], resources: ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], verbs: readVerbs},
  {apiGroups: [''], resources: ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], verbs: readVerbs},
  {apiGroups: [''], resources: ['namespaces'], verbs: readVerbs},
  {apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: readVerbs},
  {apiGroups: ['apps'], resources: ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], verbs: readVerbs},
  {apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], verbs: readVerbs},
  {apiGroups: ['batch'], resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], verbs: readVerbs},
  {apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: readVerbs},
  {apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingresses/status', 'networkpolicies'], verbs: readVerbs},
]

const editRules: Obj[] = [
  {apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], verbs: readVerbs},
  {apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate']},
  {apiGroups: [''], resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], verbs: writeVerbs},
  {apiGroups: [''], resources: ['pods/eviction'], verbs: ['create']},
  {apiGroups: [''], resources: ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], verbs: writeVerbs},
  {apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create']},
  {apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], verbs: writeVerbs},
  {apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: writeVerbs},
  {apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: writeVerbs},
  {apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: writeVerbs},
  {apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: writeVerbs},
  {apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...readVerbs, ...writeVerbs]},
  ...viewRules,
]

const adminRules: Obj[] = [
  {apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create']},
  {apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: [...writeVerbs, ...readVerbs]},
  ...editRules,
]

const discoveryPaths = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']

/** The cluster roles and bindings every cluster starts with (kube-apiserver's bootstrap policy). */
export function bootstrapPolicy(): {clusterRoles: Obj[]; clusterRoleBindings: Obj[]} {
  const role = (name: string, rules: Obj[], labels: Record<string, string> = {}) => ({metadata: {name, labels: {'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels}, annotations: {'rbac.authorization.kubernetes.io/autoupdate': 'true'}}, rules})
  const binding = (name: string, roleName: string, subjects: Obj[]) => ({
    metadata: {name, labels: {'kubernetes.io/bootstrapping': 'rbac-defaults'}, annotations: {'rbac.authorization.kubernetes.io/autoupdate': 'true'}},
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName},
    subjects,
  })
  const group = (name: string) => ({apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name})
  return {
    clusterRoles: [
      role('cluster-admin', [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}, {nonResourceURLs: ['*'], verbs: ['*']}]),
      role('admin', adminRules, {'rbac.authorization.k8s.io/aggregate-to-admin': 'true'}),
      role('edit', editRules, {'rbac.authorization.k8s.io/aggregate-to-edit': 'true'}),
      role('view', viewRules, {'rbac.authorization.k8s.io/aggregate-to-view': 'true'}),
      role('system:basic-user', [{apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create']}, {apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create']}]),
      role('system:discovery', [{nonResourceURLs: discoveryPaths, verbs: ['get']}]),
      role('system:public-info-viewer', [{nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get']}]),
    ],
    clusterRoleBindings: [
      binding('cluster-admin', 'cluster-admin', [group(privilegedGroup)]),
      binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
      binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
      binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    ],
  }
}

