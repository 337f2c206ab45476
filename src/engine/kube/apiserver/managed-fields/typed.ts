// Objects walked with their shape, as structured-merge-diff walks typed values: the field set
// an applied configuration names, the fields two versions differ in, the merge of an applied
// configuration into the live object, and the removal of fields an applier gave up.
import {isDeepStrictEqual} from 'node:util'
import {FieldSet} from './field-set.js'
import {childShape, declares, type Shape} from './schema.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Values a list-map key takes when the item leaves it out (the schema's defaults). */
const keyDefaults: Record<string, unknown> = {protocol: 'TCP'}

/** The path element of one list item, or undefined when the item cannot be keyed. */
function itemElement(shape: Extract<Shape, {kind: 'list'}>, item: unknown, index: number): string {
  if (shape.relation === 'set') return `v:${JSON.stringify(item)}`
  if (shape.relation === 'map' && isObj(item)) {
    const key: Obj = {}
    for (const k of [...shape.keys].sort()) {
      const v = item[k] ?? keyDefaults[k]
      if (v !== undefined) key[k] = v
    }
    if (Object.keys(key).length > 0) return `k:${JSON.stringify(key)}`
  }
  return `i:${index}`
}

function granular(shape: Shape, value: unknown): 'object' | 'list' | undefined {
  if (isObj(value) && (shape.kind === 'struct' || shape.kind === 'map' || shape.kind === 'untyped')) return 'object'
  if (Array.isArray(value) && shape.kind === 'list' && shape.relation !== 'atomic') return 'list'
  return undefined
}

function items(shape: Extract<Shape, {kind: 'list'}>, list: unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>()
  list.forEach((item, i) => out.set(itemElement(shape, item, i), item))
  return out
}

/** The fields an applied configuration sets (structured-merge-diff's ToFieldSet). */
export function toFieldSet(value: unknown, shape: Shape, set = new FieldSet(), path: string[] = []): FieldSet {
  const kind = granular(shape, value)
  if (kind === 'object') {
    for (const [k, v] of Object.entries(value as Obj)) {
      const child = [...path, `f:${k}`]
      toFieldSet(v, childShape(shape, k), set, child)
      // A leaf, an empty object, or a map key (not a declared field) is itself owned.
      if (v === null || (isObj(v) && Object.keys(v).length === 0) || !declares(shape, k) || !granular(childShape(shape, k), v)) set.insert(child)
    }
  } else if (kind === 'list') {
    const list = shape as Extract<Shape, {kind: 'list'}>
    for (const [pe, item] of items(list, value as unknown[])) {
      const child = [...path, pe]
      toFieldSet(item, list.elem, set, child)
      set.insert(child)
    }
  } else if (path.length > 0) set.insert(path)
  return set
}

export interface Comparison {
  added: FieldSet
  modified: FieldSet
  removed: FieldSet
}

/** The fields `rhs` adds, changes and drops relative to `lhs`. */
export function compare(lhs: unknown, rhs: unknown, shape: Shape): Comparison {
  const c: Comparison = {added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet()}
  walkCompare(lhs, rhs, shape, [], c)
  return c
}

function walkCompare(lhs: unknown, rhs: unknown, shape: Shape, path: string[], c: Comparison): void {
  const lk = lhs === undefined ? undefined : granular(shape, lhs)
  const rk = rhs === undefined ? undefined : granular(shape, rhs)
  const kind = lk ?? rk
  // Walked field by field when both sides are the same kind of granular value (or one is absent).
  if (kind && (lhs === undefined || lk === kind) && (rhs === undefined || rk === kind)) {
    if (kind === 'object') {
      const l = (lhs ?? {}) as Obj
      const r = (rhs ?? {}) as Obj
      for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) walkCompare(l[k], r[k], childShape(shape, k), [...path, `f:${k}`], c)
    } else {
      const list = shape as Extract<Shape, {kind: 'list'}>
      const l = items(list, (lhs ?? []) as unknown[])
      const r = items(list, (rhs ?? []) as unknown[])
      for (const pe of new Set([...l.keys(), ...r.keys()])) walkCompare(l.get(pe), r.get(pe), list.elem, [...path, pe], c)
    }
    if (path.length > 0 && lhs === undefined) c.added.insert(path)
    else if (path.length > 0 && rhs === undefined) c.removed.insert(path)
    return
  }
  if (path.length === 0) return
  if (lhs === undefined) c.added.insert(path)
  else if (rhs === undefined) c.removed.insert(path)
  else if (!isDeepStrictEqual(lhs, rhs)) c.modified.insert(path)
}

/** The live object with an applied configuration merged in (neither is modified). */
export function merge(live: unknown, config: unknown, shape: Shape): unknown {
  if (config === undefined) return structuredClone(live)
  const kind = granular(shape, config)
  if (kind === 'object' && isObj(live)) {
    const out: Obj = structuredClone(live)
    for (const [k, v] of Object.entries(config as Obj)) {
      if (v === null) delete out[k]
      else out[k] = merge(out[k], v, childShape(shape, k))
    }
    return out
  }
  if (kind === 'list' && Array.isArray(live)) {
    const list = shape as Extract<Shape, {kind: 'list'}>
    const out = live.map((x) => structuredClone(x) as unknown)
    const position = new Map<string, number>()
    out.forEach((item, i) => position.set(itemElement(list, item, i), i))
    ;(config as unknown[]).forEach((item, i) => {
      const pe = itemElement(list, item, i)
      const at = pe.startsWith('i:') ? undefined : position.get(pe)
      if (at === undefined) out.push(structuredClone(item))
      else out[at] = merge(out[at], item, list.elem)
    })
    return out
  }
  return structuredClone(config)
}

/** Removes the fields in `set` from `value` (in place), keeping what `keep` still holds below them. */
export function removeFields(value: unknown, shape: Shape, set: FieldSet, keep: FieldSet | undefined): void {
  const kind = granular(shape, value)
  if (kind === 'object') {
    const obj = value as Obj
    for (const [pe, sub] of set.children) {
      if (!pe.startsWith('f:')) continue
      const k = pe.slice(2)
      if (!(k in obj)) continue
      const kept = keep?.children.get(pe)
      if (sub.member && (kept === undefined || kept.isEmpty())) delete obj[k]
      else removeFields(obj[k], childShape(shape, k), sub, kept)
    }
  } else if (kind === 'list') {
    const list = shape as Extract<Shape, {kind: 'list'}>
    const arr = value as unknown[]
    for (let i = arr.length - 1; i >= 0; i--) {
      const pe = itemElement(list, arr[i], i)
      const sub = set.children.get(pe)
      if (!sub) continue
      const kept = keep?.children.get(pe)
      if (sub.member && (kept === undefined || kept.isEmpty())) arr.splice(i, 1)
      else removeFields(arr[i], list.elem, sub, kept)
    }
  }
}
