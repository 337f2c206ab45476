// `apply --prune -l SELECTOR` (or --all): objects of the applied kinds that match the selector,
// were made by apply (they carry the last-applied annotation) and are not in the manifests are
// deleted, reported as `kind.group/name pruned`.
import type {KubeClient, KubeList} from '../../client/kube/client.js'
import type {ApiResource} from '../../client/kube/discovery.js'
import {resourceForKind} from '../../client/kube/discovery.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import {KctlError} from './errors.js'
import type {ManifestDoc} from './manifests.js'
import {LAST_APPLIED} from './merge-patch.js'
import {qualifiedName} from './output.js'
import {groupVersionOf} from '../../client/kube/discovery.js'

export async function prune(
  client: KubeClient,
  docs: ManifestDoc[],
  o: {namespace: string; selector?: string; all: boolean; dryRun: DryRun; write: (s: string) => void},
): Promise<void> {
  if ((o.selector === undefined || o.selector === '') && !o.all) throw new KctlError('all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector')
  const data = await client.discovery()
  const kinds = new Map<string, ApiResource>()
  const keep = new Set<string>()
  for (const d of docs) {
    const r = resourceForKind(data, d.object.apiVersion ?? '', d.object.kind ?? '')
    if (r === undefined) continue
    kinds.set(`${r.group}/${r.name}`, r)
    const ns = r.namespaced ? (d.object.metadata?.namespace || o.namespace) : ''
    keep.add(`${r.group}/${r.name}/${ns}/${d.object.metadata?.name}`)
  }
  for (const r of kinds.values()) {
    const list = await client.list<KubeList>(r, r.namespaced ? o.namespace : undefined, {labelSelector: o.selector})
    for (const item of list.items) {
      const ns = r.namespaced ? (item.metadata?.namespace ?? '') : ''
      if (keep.has(`${r.group}/${r.name}/${ns}/${item.metadata?.name}`)) continue
      if (item.metadata?.annotations?.[LAST_APPLIED] === undefined) continue
      if (o.dryRun !== 'client') await client.delete(r, r.namespaced ? ns : undefined, item.metadata!.name!, {dryRun: o.dryRun === 'server', propagationPolicy: 'Background'})
      o.write(`${qualifiedName({...item, apiVersion: groupVersionOf(r), kind: r.kind})} pruned${dryRunSuffix(o.dryRun)}\n`)
    }
  }
}
