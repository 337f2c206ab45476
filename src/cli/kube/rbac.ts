// The rules of `create role|clusterrole`: each --resource (`pods`, `deployments.apps`,
// `pods/log`) resolved through discovery to its group, one rule per group, as kubectl builds them.
import type {KubeClient} from '../../client/kube/client.js'
import {KctlError} from './errors.js'
import type {PolicyRule} from './generators.js'
import {resolveWord} from './resources.js'

const VALID_VERBS = new Set(['*', 'get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'use', 'bind', 'escalate', 'impersonate', 'approve', 'sign'])

export async function roleRules(client: () => Promise<KubeClient>, verbs: string[], resources: string[], resourceNames: string[], nonResourceUrls: string[]): Promise<PolicyRule[]> {
  if (verbs.length === 0) throw new KctlError('at least one verb must be specified')
  for (const v of verbs) if (!VALID_VERBS.has(v)) throw new KctlError(`invalid verb: '${v}'`)
  if (resources.length === 0 && nonResourceUrls.length === 0) throw new KctlError('at least one resource must be specified')
  const groups = new Map<string, string[]>()
  if (resources.length > 0) {
    const data = await (await client()).discovery()
    for (const word of resources) {
      const slash = word.indexOf('/')
      const base = slash < 0 ? word : word.slice(0, slash)
      const sub = slash < 0 ? '' : word.slice(slash)
      const r = base === '*' ? {group: '', name: '*'} : resolveWord(data, base)
      groups.set(r.group, [...(groups.get(r.group) ?? []), r.name + sub])
    }
  }
  const rules: PolicyRule[] = []
  for (const [group, res] of groups) {
    const rule: PolicyRule = {verbs, apiGroups: [group], resources: res}
    if (resourceNames.length > 0) rule.resourceNames = resourceNames
    rules.push(rule)
  }
  if (nonResourceUrls.length > 0) rules.push({verbs, nonResourceURLs: nonResourceUrls})
  return rules
}
