// `kctl taint`: node taints added (`key=value:Effect`), changed (--overwrite) or removed
// (`key:Effect-`, `key-`), written with a merge patch of spec.taints; `node/x tainted`.
import type {KubeClient} from '../../client/kube/client.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import type {Any} from './describe/writer.js'
import {KctlError} from './errors.js'
import {formatObjects, parseOutput} from './output.js'
import {resolveTargets, targetName} from './targets.js'

export interface Taint {
  key: string
  value?: string
  effect?: string
}

const EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])

export function parseTaints(words: string[]): {add: Taint[]; remove: Taint[]} {
  const add: Taint[] = []
  const remove: Taint[] = []
  for (const w of words) {
    if (w.endsWith('-')) {
      const body = w.slice(0, -1)
      const colon = body.indexOf(':')
      remove.push(colon < 0 ? {key: body} : {key: body.slice(0, colon), effect: body.slice(colon + 1)})
      continue
    }
    const colon = w.lastIndexOf(':')
    if (colon < 0) throw new KctlError(`invalid taint spec: ${w}, unknown taint spec: ${w}`)
    const effect = w.slice(colon + 1)
    if (!EFFECTS.has(effect)) throw new KctlError(`invalid taint effect: ${effect}, unsupported taint effect`)
    const kv = w.slice(0, colon)
    const eq = kv.indexOf('=')
    add.push(eq < 0 ? {key: kv, effect} : {key: kv.slice(0, eq), value: kv.slice(eq + 1), effect})
  }
  if (add.length === 0 && remove.length === 0) throw new KctlError('at least one taint update is required')
  return {add, remove}
}

export async function runTaint(
  client: KubeClient,
  args: string[],
  changes: {add: Taint[]; remove: Taint[]},
  o: {overwrite: boolean; all: boolean; selector?: string; dryRun: DryRun; output?: string; namespace: string; write: (s: string) => void},
): Promise<void> {
  const {targets} = await resolveTargets(client, args, {filenames: [], recursive: false, selector: o.selector, all: o.all, namespace: o.namespace, namespaceExplicit: false})
  for (const t of targets) {
    if (t.resource.kind !== 'Node') throw new KctlError(`invalid resource type ${t.resource.name}, only nodes are supported`)
    const node = (await client.get(t.resource, undefined, t.name)) as Any
    let taints: Any[] = [...((node['spec']?.['taints'] as Any[] | undefined) ?? [])]
    let removed = false
    for (const r of changes.remove) {
      const before = taints.length
      taints = taints.filter((x) => !(x['key'] === r.key && (r.effect === undefined || x['effect'] === r.effect)))
      if (taints.length === before) throw new KctlError(`taint "${r.key}${r.effect ? `:${r.effect}` : ''}" not found`)
      removed = true
    }
    let added = false
    for (const a of changes.add) {
      const i = taints.findIndex((x) => x['key'] === a.key && x['effect'] === a.effect)
      const entry: Any = {effect: a.effect, key: a.key}
      if (a.value !== undefined && a.value !== '') entry['value'] = a.value
      if (i >= 0) {
        if (!o.overwrite) throw new KctlError(`node ${t.name} already has ${a.key} taint(s) with same effect(s) and --overwrite is false`)
        taints[i] = entry
      } else taints.push(entry)
      added = true
    }
    let result: Any = node
    if (o.dryRun !== 'client') result = await client.patch(t.resource, undefined, t.name, 'merge', {spec: {taints}}, {dryRun: o.dryRun === 'server'})
    if (o.output) o.write(formatObjects(parseOutput(o.output), [result], true))
    else o.write(`${targetName(t)} ${added && !removed ? 'tainted' : removed && !added ? 'untainted' : 'modified'}${dryRunSuffix(o.dryRun)}\n`)
  }
}
