// `kctl taint`: node taints added (`key=value:Effect`), changed (--overwrite) or removed
// (`key:Effect-`, `key-`), written with a merge patch of spec.taints; `node/x tainted`.
import type {KubeClient} from '../../client/kube/client.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import type {Any} from './describe/writer.js'
import {isQualifiedName, isValidLabelValue} from '../../engine/kube/api/validation.js'
import {KctlError} from './errors.js'
import type {FieldValidation} from './field-validation.js'
import {formatObjects, parseOutput} from './output.js'
import {resolveTargets, targetName} from './targets.js'

export interface Taint {
  key: string
  value?: string
  effect?: string
}

const EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])

/** A bad taint argument: kubectl reports it as a usage error. */
function usage(message: string): KctlError {
  return new KctlError(message, `error: ${message}\nSee 'kctl taint -h' for help and examples\n`)
}

/** One `key[=value][:effect]` as kubectl reads it, keys and values validated as label parts. */
function parseTaint(spec: string): Taint {
  const parts = spec.split(':')
  let key: string
  let value: string | undefined
  let effect: string | undefined
  if (parts.length === 1) key = parts[0]!
  else if (parts.length === 2) {
    effect = parts[1]!
    if (!EFFECTS.has(effect)) throw usage(`invalid taint effect: ${effect}, unsupported taint effect`)
    const kv = parts[0]!.split('=')
    if (kv.length > 2) throw usage(`invalid taint spec: ${spec}`)
    key = kv[0]!
    if (kv.length === 2) {
      value = kv[1]!
      const errs = isValidLabelValue(value)
      if (errs.length > 0) throw usage(`invalid taint spec: ${spec}, ${errs.join('; ')}`)
    }
  } else throw usage(`invalid taint spec: ${spec}`)
  const errs = isQualifiedName(key)
  if (errs.length > 0) throw usage(`invalid taint spec: ${spec}, ${errs.join('; ')}`)
  return {key, value, effect}
}

export function parseTaints(words: string[]): {add: Taint[]; remove: Taint[]} {
  const add: Taint[] = []
  const remove: Taint[] = []
  const seen = new Set<string>()
  for (const w of words) {
    if (w.endsWith('-')) {
      const t = parseTaint(w.slice(0, -1))
      remove.push({key: t.key, effect: t.effect})
      continue
    }
    const t = parseTaint(w)
    if (t.effect === undefined) throw usage(`invalid taint spec: ${w}`)
    if (seen.has(`${t.effect}\0${t.key}`)) throw usage(`duplicated taints with the same key and effect: {${t.key} ${t.value ?? ''} ${t.effect} <nil>}`)
    seen.add(`${t.effect}\0${t.key}`)
    add.push(t)
  }
  if (add.length === 0 && remove.length === 0) throw usage('at least one taint update is required')
  return {add, remove}
}

const taintString = (t: Taint) => `${t.key}${t.value ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}`
const sameTaint = (a: Any, b: Taint) => a['key'] === b.key && a['effect'] === b.effect

/**
 * kubectl's reorganizeTaints: the new taints first, then the old ones they do not replace, less
 * the removed ones; the word it prints for the change.
 */
function reorganize(old: Any[], changes: {add: Taint[]; remove: Taint[]}, overwrite: boolean): {taints: Any[]; operation: string} {
  let taints: Any[] = changes.add.map((a) => ({effect: a.effect, key: a.key, ...(a.value ? {value: a.value} : {})}))
  for (const o of old) if (!changes.add.some((a) => sameTaint(o, a))) taints.push(o)
  const added = old.length !== taints.length
  const missing: string[] = []
  let deleted = false
  for (const r of changes.remove) {
    const before = taints.length
    taints = taints.filter((x) => !(x['key'] === r.key && (r.effect === undefined || x['effect'] === r.effect)))
    deleted = taints.length !== before
    if (!deleted) missing.push(`taint "${taintString(r)}" not found`)
  }
  if (missing.length > 0) throw new KctlError(missing.join('\n'))
  return {taints, operation: (added && deleted) || overwrite ? 'modified' : added ? 'tainted' : 'untainted'}
}

export async function runTaint(
  client: KubeClient,
  args: string[],
  changes: {add: Taint[]; remove: Taint[]},
  o: {overwrite: boolean; all: boolean; selector?: string; dryRun: DryRun; fieldManager: string; fieldValidation: FieldValidation; output?: string; namespace: string; write: (s: string) => void},
): Promise<void> {
  // with a selector or --all, kubectl reads only the resource type: names are ignored
  const {targets} = await resolveTargets(client, o.selector || o.all ? args.slice(0, 1) : args, {filenames: [], recursive: false, selector: o.selector, all: o.all, namespace: o.namespace, namespaceExplicit: false})
  for (const t of targets) {
    if (t.resource.kind !== 'Node') throw new KctlError(`invalid resource type ${t.resource.name}, only nodes are supported`)
    const node = (await client.get(t.resource, undefined, t.name)) as Any
    const current = (node['spec']?.['taints'] as Any[] | undefined) ?? []
    if (!o.overwrite) {
      const exists = changes.add.filter((a) => current.some((x) => sameTaint(x, a))).map((a) => a.key)
      if (exists.length > 0) throw new KctlError(`node ${t.name} already has ${exists.join(',')} taint(s) with same effect(s) and --overwrite is false`)
    }
    const {taints, operation} = reorganize(current, changes, o.overwrite)
    let result: Any = node
    if (o.dryRun !== 'client') result = await client.patch(t.resource, undefined, t.name, 'merge', {spec: {taints}}, {dryRun: o.dryRun === 'server', fieldManager: o.fieldManager, fieldValidation: o.fieldValidation})
    if (o.output) o.write(formatObjects(parseOutput(o.output), [result], true))
    else o.write(`${targetName(t)} ${operation}${dryRunSuffix(o.dryRun)}\n`)
  }
}
