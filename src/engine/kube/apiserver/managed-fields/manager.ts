// Field managers, as kube-apiserver's fieldmanager keeps them in metadata.managedFields:
// every create, update and patch records the fields it changed under its manager (operation
// Update), taking them from whoever held them; a server-side apply (operation Apply) owns
// exactly the fields of its configuration, removes fields it applied before and no longer
// names (unless another manager holds them), and is refused with 409 Conflict when it would
// change a field another manager owns — unless forced, which takes the field over.
import {apiVersionOf, type ResourceDef} from '../../api/registry.js'
import {StatusError, type StatusCause} from '../../api/status.js'
import {rfc3339} from '../metadata.js'
import {FieldSet, pathString} from './field-set.js'
import {shapeOf} from './schema.js'
import {compare, merge, removeFields, toFieldSet} from './typed.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export type Operation = 'Apply' | 'Update'

interface Entry {
  manager: string
  operation: Operation
  apiVersion: string
  time?: string
  subresource?: string
  set: FieldSet
}

/** Who wrote: the field manager's name, and the subresource written through, if any. */
export interface Writer {
  manager: string
  subresource?: string
}

/** A manager's identity: appliers are one manager whatever version they apply in. */
function identity(e: Pick<Entry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({manager: e.manager, operation: e.operation, apiVersion: e.operation === 'Apply' ? '' : e.apiVersion, subresource: e.subresource ?? ''})
}

/** Fields no manager owns: type meta and the metadata the server itself keeps. */
const unowned = (() => {
  const s = new FieldSet()
  for (const p of [['f:apiVersion'], ['f:kind'], ['f:metadata']]) s.insert(p)
  for (const f of ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'managedFields', 'resourceVersion']) s.insert(['f:metadata', `f:${f}`])
  return s
})()

/**
 * The part of `set` a write through `subresource` may own: status through the status
 * subresource, everything else through the main resource (for kinds with a status subresource).
 */
function ownable(def: ResourceDef, subresource: string | undefined, set: FieldSet): FieldSet {
  let out = set.difference(unowned)
  if (def.subresources.includes('status')) {
    const status = new FieldSet()
    const node = out.children.get('f:status')
    if (node) status.children.set('f:status', node.clone())
    out = subresource === 'status' ? status : out.difference(status)
  }
  return out
}

function decode(meta: Obj): Map<string, Entry> {
  const out = new Map<string, Entry>()
  const raw = meta.managedFields
  if (!Array.isArray(raw)) return out
  try {
    for (const e of raw) {
      if (!isObj(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) throw new Error('bad entry')
      const entry: Entry = {
        manager: e.manager,
        operation: e.operation,
        apiVersion: String(e.apiVersion ?? ''),
        time: typeof e.time === 'string' ? e.time : undefined,
        subresource: typeof e.subresource === 'string' && e.subresource ? e.subresource : undefined,
        set: e.fieldsV1 === undefined ? new FieldSet() : FieldSet.fromFieldsV1(e.fieldsV1),
      }
      const id = identity(entry)
      const seen = out.get(id)
      if (seen) seen.set = seen.set.union(entry.set)
      else out.set(id, entry)
    }
  } catch {
    // Managed fields that do not decode are dropped, as kube-apiserver resets them.
    return new Map()
  }
  return out
}

/** Appliers first, then by time, manager, version and subresource (kube-apiserver's order). */
function encode(entries: Map<string, Entry>): Obj[] {
  const list = [...entries.values()].filter((e) => !e.set.isEmpty())
  list.sort((a, b) => cmp(a.operation, b.operation) || cmp(a.time ?? '', b.time ?? '') || cmp(a.manager, b.manager) || cmp(a.apiVersion, b.apiVersion) || cmp(a.subresource ?? '', b.subresource ?? ''))
  return list.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? {time: e.time} : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: e.set.toFieldsV1(),
    ...(e.subresource ? {subresource: e.subresource} : {}),
  }))
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function store(obj: Obj, entries: Map<string, Entry>): void {
  const meta = isObj(obj.metadata) ? obj.metadata : (obj.metadata = {})
  const encoded = encode(entries)
  if (encoded.length) meta.managedFields = encoded
  else delete meta.managedFields
}

/** How a manager is named in a conflict (structured-merge-diff's printManager). */
function describe(e: Entry): string {
  let out = JSON.stringify(e.manager)
  if (e.subresource) out += ` with subresource ${JSON.stringify(e.subresource)}`
  if (e.operation === 'Update') out += ` using ${e.apiVersion}`
  return out
}

function conflictError(conflicts: {entry: Entry; paths: string[][]}[]): StatusError {
  const causes: StatusCause[] = []
  for (const c of conflicts) for (const p of c.paths) causes.push({reason: 'FieldManagerConflict', message: `conflict with ${describe(c.entry)}`, field: pathString(p)})
  let message: string
  if (causes.length === 1) message = `Apply failed with 1 conflict: conflict with ${describe(conflicts[0].entry)}: ${causes[0].field!}`
  else {
    const lines: string[] = []
    for (const c of [...conflicts].sort((a, b) => cmp(identity(a.entry), identity(b.entry)))) {
      lines.push(`conflicts with ${describe(c.entry)}:`)
      for (const p of c.paths) lines.push(`- ${pathString(p)}`)
    }
    message = `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`
  }
  return new StatusError(409, 'Conflict', message, {causes})
}

/**
 * Records a create or update by `writer` in `next`'s managed fields: the fields it added or
 * changed become its own (and leave every other manager); fields it removed leave everyone.
 * `live` is undefined for a create. The managed fields start from `next`'s when the writer
 * sent some, from `live`'s otherwise.
 */
export function recordUpdate(def: ResourceDef, live: Obj | undefined, next: Obj, writer: Writer, nowMs: number): void {
  const nextMeta = isObj(next.metadata) ? next.metadata : {}
  const entries = decode(nextMeta.managedFields !== undefined || !live ? nextMeta : (live.metadata as Obj))
  const c = compare(live ?? {}, next, shapeOf(def))
  const changed = ownable(def, writer.subresource, c.added.union(c.modified))
  const removed = ownable(def, writer.subresource, c.removed)
  for (const e of entries.values()) e.set = e.set.difference(changed).difference(removed)
  if (!changed.isEmpty()) {
    const mine: Entry = {manager: writer.manager, operation: 'Update', apiVersion: apiVersionOf(def), subresource: writer.subresource, set: new FieldSet()}
    const id = identity(mine)
    const previous = entries.get(id)
    mine.set = (previous?.set ?? mine.set).union(changed)
    mine.time = rfc3339(nowMs)
    entries.delete(id)
    entries.set(id, mine)
  }
  store(next, entries)
}

/**
 * A server-side apply of `config` by `writer` onto `live` (an empty object when creating): the
 * merged object, with managed fields, or a 409 Conflict naming each field another manager owns
 * with a different value, unless `force`.
 */
export function applyConfig(def: ResourceDef, live: Obj, config: Obj, writer: Writer, force: boolean, nowMs: number): Obj {
  const shape = shapeOf(def)
  const entries = decode(isObj(live.metadata) ? live.metadata : {})
  const mine: Entry = {manager: writer.manager, operation: 'Apply', apiVersion: apiVersionOf(def), subresource: writer.subresource, set: new FieldSet()}
  const id = identity(mine)
  const previous = entries.get(id)
  const configSet = ownable(def, writer.subresource, toFieldSet(config, shape))
  const merged = merge(live, config, shape) as Obj
  if (previous) {
    // What this manager applied before and leaves out now goes, unless someone else holds it.
    let kept = configSet.clone()
    for (const [k, e] of entries) if (k !== id) kept = kept.union(e.set)
    removeFields(merged, shape, previous.set.difference(configSet), kept)
  }
  const c = compare(live, merged, shape)
  const changed = ownable(def, writer.subresource, c.added.union(c.modified))
  const removed = ownable(def, writer.subresource, c.removed)
  const conflicts: {entry: Entry; paths: string[][]}[] = []
  for (const [k, e] of entries) {
    if (k === id) continue
    const taken = e.set.intersection(changed)
    if (!taken.isEmpty()) conflicts.push({entry: e, paths: taken.paths()})
  }
  if (conflicts.length && !force) throw conflictError(conflicts)
  for (const [k, e] of entries) if (k !== id) e.set = e.set.difference(changed).difference(removed)
  mine.set = configSet
  const objectChanged = !changed.isEmpty() || !removed.isEmpty()
  mine.time = objectChanged || !previous?.time ? rfc3339(nowMs) : previous.time
  entries.delete(id)
  entries.set(id, mine)
  store(merged, entries)
  return merged
}
