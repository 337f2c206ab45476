// A set of field paths, the unit server-side apply reasons in: who owns which fields. Kept as a
// tree whose edges are path elements in FieldsV1 notation, so a set reads from and writes to
// metadata.managedFields[].fieldsV1 directly:
//   f:<name>        a field of a struct or a key of a map
//   k:<json>        an item of a list keyed by its key fields ({"name":"web"})
//   v:<json>        an item of a set-like list of scalars
//   i:<n>           an item of a list by position
// A node is a member when the path leading to it is in the set; its children hold longer paths.
// In FieldsV1 a member with children carries a "." key; a member without children is `{}`.

type Obj = Record<string, unknown>

export class FieldSet {
  member = false
  readonly children = new Map<string, FieldSet>()

  static fromFieldsV1(v: unknown): FieldSet {
    const set = new FieldSet()
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('fieldsV1 must be an object')
    for (const [k, child] of Object.entries(v as Obj)) {
      if (k === '.') {
        set.member = true
        continue
      }
      if (!/^[fkvi]:/.test(k)) throw new Error(`unknown path element ${JSON.stringify(k)}`)
      const sub = FieldSet.fromFieldsV1(child)
      if (sub.children.size === 0) sub.member = true
      set.children.set(k, sub)
    }
    return set
  }

  /** FieldsV1 JSON, keys in the order the Kubernetes serializer writes them. */
  toFieldsV1(): Obj {
    const out: Obj = {}
    if (this.member && this.children.size > 0) out['.'] = {}
    for (const k of [...this.children.keys()].sort()) out[k] = this.children.get(k)!.toFieldsV1()
    return out
  }

  isEmpty(): boolean {
    if (this.member) return false
    for (const c of this.children.values()) if (!c.isEmpty()) return false
    return true
  }

  insert(path: readonly string[]): void {
    let node = this as FieldSet
    for (const pe of path) {
      let next = node.children.get(pe)
      if (!next) node.children.set(pe, (next = new FieldSet()))
      node = next
    }
    node.member = true
  }

  clone(): FieldSet {
    const out = new FieldSet()
    out.member = this.member
    for (const [k, c] of this.children) out.children.set(k, c.clone())
    return out
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone()
    out.member ||= other.member
    for (const [k, c] of other.children) {
      const mine = out.children.get(k)
      out.children.set(k, mine ? mine.union(c) : c.clone())
    }
    return out.pruned()
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet()
    out.member = this.member && !other.member
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k)
      out.children.set(k, theirs ? c.difference(theirs) : c.clone())
    }
    return out.pruned()
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet()
    out.member = this.member && other.member
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k)
      if (theirs) out.children.set(k, c.intersection(theirs))
    }
    return out.pruned()
  }

  /** Drops subtrees without members. */
  private pruned(): FieldSet {
    for (const [k, c] of this.children) if (c.isEmpty()) this.children.delete(k)
    return this
  }

  /**
   * Every member path, in structured-merge-diff's order: at each level the members first, then
   * the members below each child, children sorted.
   */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = []
    const keys = [...this.children.keys()].sort(comparePathElements)
    for (const k of keys) if (this.children.get(k)!.member) out.push([...prefix, k])
    for (const k of keys) {
      const c = this.children.get(k)!
      if (c.children.size > 0) out.push(...c.paths([...prefix, k]))
    }
    return out
  }
}

const rank = (pe: string) => 'fkvi'.indexOf(pe[0])

/** Field names, then keys, then values, then indexes; within a kind by text. */
export function comparePathElements(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)
}

/** A path as Kubernetes prints it in conflicts: `.spec.containers[name="web"].image`. */
export function pathString(path: readonly string[]): string {
  let out = ''
  for (const pe of path) {
    const body = pe.slice(2)
    switch (pe[0]) {
      case 'f':
        out += `.${body}`
        break
      case 'k': {
        const fields = JSON.parse(body) as Obj
        out += `[${Object.entries(fields).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`
        break
      }
      case 'v':
        out += `[=${body}]`
        break
      default:
        out += `[${body}]`
    }
  }
  return out
}
