// The shared run of `label` and `annotate`.
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import {applyChange, isChangeWord, parseChanges} from './labels.js'
import {formatObjects, parseOutput} from './output.js'
import {resolveTargets, targetName, type TargetOptions} from './targets.js'

export interface LabelOptions extends TargetOptions {
  what: 'label' | 'annotation'
  overwrite: boolean
  dryRun: DryRun
  output?: string
  resourceVersion?: string
  /** --field-manager (kubectl-label, kubectl-annotate by default) */
  fieldManager: string
  write: (s: string) => void
  /** kubectl prints a missing key's notice on stdout, before the result line */
  warn: (s: string) => void
}

export async function runLabel(client: KubeClient, args: string[], o: LabelOptions): Promise<void> {
  const firstChange = o.filenames.length > 0 ? 0 : args.findIndex(isChangeWord)
  const resourceArgs = firstChange < 0 ? args : args.slice(0, firstChange)
  const changeArgs = firstChange < 0 ? [] : args.slice(firstChange)
  const change = parseChanges(changeArgs, o.what)
  const {targets} = await resolveTargets(client, resourceArgs, o)
  const field = o.what === 'label' ? 'labels' : 'annotations'
  for (const t of targets) {
    const current: KubeObject = t.object !== undefined && t.source === undefined ? t.object : await client.get(t.resource, t.namespace, t.name)
    const before = (current.metadata?.[field] as Record<string, string> | undefined) ?? {}
    const after = applyChange(before, change, o.overwrite, o.what, o.warn)
    const changed = JSON.stringify(before) !== JSON.stringify(after)
    let result = current
    if (changed && o.dryRun !== 'client') {
      const patchMap: Record<string, string | null> = {}
      for (const k of Object.keys(before)) if (!(k in after)) patchMap[k] = null
      for (const [k, v] of Object.entries(after)) if (before[k] !== v) patchMap[k] = v
      const metadata: Record<string, unknown> = {[field]: patchMap}
      if (o.resourceVersion) metadata['resourceVersion'] = o.resourceVersion
      result = await client.patch(t.resource, t.namespace, t.name, 'merge', {metadata}, {dryRun: o.dryRun === 'server', fieldManager: o.fieldManager})
    }
    if (o.output) {
      o.write(formatObjects(parseOutput(o.output), [result], true))
      continue
    }
    let msg: string
    if (o.what === 'annotation') msg = 'annotated'
    else if (!changed) msg = 'not labeled'
    else if (!o.overwrite && Object.keys(after).length < Object.keys(before).length) msg = 'unlabeled'
    else msg = 'labeled'
    o.write(`${targetName(t)} ${msg}${dryRunSuffix(o.dryRun)}\n`)
  }
}
