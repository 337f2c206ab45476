// A plain in-memory model of etcd's MVCC semantics for the property test: every revision's
// full state is kept as its own map, and every request is answered from those maps in the
// most direct way. It shares no code with the store.
import {EtcdError, Errors} from '../../../src/api/errors.js'
import type {InternalRequest} from '../../../src/api/proto/internal.js'
import type {KeyValue} from '../../../src/api/proto/kv.js'
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  type Compare,
  type DeleteRangeRequest,
  type PutRequest,
  type RangeRequest,
  type RangeResponse,
  type ResponseOp,
  type TxnRequest,
  type TxnResponse,
} from '../../../src/api/proto/rpc.js'

interface ModelKv {
  value: Buffer
  create: number
  mod: number
  version: number
  lease: bigint
}

type State = Map<string, ModelKv>

const hdr = (revision: number) => ({clusterId: 0n, memberId: 0n, revision: BigInt(revision), raftTerm: 0n})

function wire(key: string, kv: ModelKv, keysOnly = false): KeyValue {
  return {
    key: Buffer.from(key, 'latin1'),
    createRevision: BigInt(kv.create),
    modRevision: BigInt(kv.mod),
    version: BigInt(kv.version),
    value: keysOnly ? Buffer.alloc(0) : kv.value,
    lease: kv.lease,
  }
}

function inRange(key: string, start: Buffer, end: Buffer): boolean {
  const k = Buffer.from(key, 'latin1')
  if (end.length === 0) return k.equals(start)
  if (end.length === 1 && end[0] === 0) return Buffer.compare(k, start) >= 0
  return Buffer.compare(k, start) >= 0 && Buffer.compare(k, end) < 0
}

function keysIn(state: State, start: Buffer, end: Buffer): string[] {
  return [...state.keys()].filter((k) => inRange(k, start, end)).sort((x, y) => Buffer.compare(Buffer.from(x, 'latin1'), Buffer.from(y, 'latin1')))
}

/** What the model answers for one entry: a response or an error message. */
export type ModelResult = {ok: true; response: unknown} | {ok: false; error: EtcdError}

export class ReferenceModel {
  /** states[r] = the whole store at revision r (states[0] unused). */
  readonly states: State[] = [new Map(), new Map()]
  compactRev = -1

  get rev(): number {
    return this.states.length - 1
  }

  range(req: RangeRequest): RangeResponse {
    return this.rangeAt(req, this.rev, this.states[this.rev]!)
  }

  /** A range in a view whose current revision is viewRev with state `view`. */
  private rangeAt(req: RangeRequest, viewRev: number, view: State): RangeResponse {
    let rev = Number(req.revision)
    if (rev > viewRev) throw Errors.futureRev()
    if (rev <= 0) rev = viewRev
    if (rev < this.compactRev) throw Errors.compacted()
    const state = rev === viewRev ? view : this.states[rev]!
    const keys = keysIn(state, req.key, req.rangeEnd)
    let rows = keys.map((k) => ({key: k, kv: state.get(k)!}))
    if (req.countOnly) rows = []
    rows = rows.filter(
      ({kv}) =>
        (req.maxModRevision === 0n || BigInt(kv.mod) <= req.maxModRevision) &&
        (req.minModRevision === 0n || BigInt(kv.mod) >= req.minModRevision) &&
        (req.maxCreateRevision === 0n || BigInt(kv.create) <= req.maxCreateRevision) &&
        (req.minCreateRevision === 0n || BigInt(kv.create) >= req.minCreateRevision),
    )
    // etcd pushes the limit (plus one, for `more`) down to the key-ordered read unless the
    // request sorts or filters; a sort target with order NONE sorts only what was read (checked
    // against etcd 3.4: three keys, limit 1, sort by create, no order: the first key, not the oldest).
    const filters = req.minModRevision !== 0n || req.maxModRevision !== 0n || req.minCreateRevision !== 0n || req.maxCreateRevision !== 0n
    if (req.sortOrder === RangeRequest_SortOrder.NONE && !filters && req.limit > 0n) rows = rows.slice(0, Number(req.limit) + 1)
    let order = req.sortOrder
    if (order === RangeRequest_SortOrder.NONE && req.sortTarget !== RangeRequest_SortTarget.KEY) order = RangeRequest_SortOrder.ASCEND
    if (order !== RangeRequest_SortOrder.NONE) {
      const field = (r: {key: string; kv: ModelKv}): number | Buffer => {
        switch (req.sortTarget) {
          case RangeRequest_SortTarget.VERSION:
            return r.kv.version
          case RangeRequest_SortTarget.CREATE:
            return r.kv.create
          case RangeRequest_SortTarget.MOD:
            return r.kv.mod
          case RangeRequest_SortTarget.VALUE:
            return r.kv.value
          default:
            return Buffer.from(r.key, 'latin1')
        }
      }
      const compare = (x: {key: string; kv: ModelKv}, y: {key: string; kv: ModelKv}): number => {
        const fx = field(x)
        const fy = field(y)
        return typeof fx === 'number' ? fx - (fy as number) : Buffer.compare(fx, fy as Buffer)
      }
      rows = [...rows].sort(order === RangeRequest_SortOrder.DESCEND ? (x, y) => compare(y, x) : compare)
    }
    let more = false
    if (req.limit > 0n && rows.length > Number(req.limit)) {
      rows = rows.slice(0, Number(req.limit))
      more = true
    }
    return {header: hdr(viewRev), kvs: rows.map((r) => wire(r.key, r.kv, req.keysOnly)), more, count: BigInt(keys.length)}
  }

  apply(req: InternalRequest): ModelResult {
    try {
      if (req.compaction !== undefined) {
        const rev = Number(req.compaction.revision)
        if (rev <= this.compactRev) throw Errors.compacted()
        if (rev > this.rev) throw Errors.futureRev()
        this.compactRev = rev
        return {ok: true, response: {header: hdr(this.rev)}}
      }
      const cur = this.rev
      const work: State = new Map(this.states[cur]!)
      const w = {changed: false}
      let response: unknown
      if (req.put !== undefined) response = this.put(work, w, req.put, cur)
      else if (req.deleteRange !== undefined) response = this.del(work, w, req.deleteRange, cur)
      else if (req.txn !== undefined) response = this.txn(work, w, req.txn, cur)
      else response = {header: hdr(cur)}
      if (w.changed) this.states.push(work)
      return {ok: true, response}
    } catch (error) {
      if (error instanceof EtcdError) return {ok: false, error}
      throw error
    }
  }

  private put(work: State, w: {changed: boolean}, p: PutRequest, cur: number) {
    const key = p.key.toString('latin1')
    const prev = work.get(key)
    if ((p.ignoreValue || p.ignoreLease) && prev === undefined) throw Errors.keyNotFound()
    work.set(key, {
      value: p.ignoreValue ? prev!.value : p.value,
      lease: p.ignoreLease ? prev!.lease : p.lease,
      create: prev?.create ?? cur + 1,
      mod: cur + 1,
      version: (prev?.version ?? 0) + 1,
    })
    w.changed = true
    return {header: hdr(cur + 1), prevKv: p.prevKv && prev !== undefined ? wire(key, prev) : undefined}
  }

  private del(work: State, w: {changed: boolean}, d: DeleteRangeRequest, cur: number) {
    const keys = keysIn(work, d.key, d.rangeEnd)
    const prevKvs = d.prevKv ? keys.map((k) => wire(k, work.get(k)!)) : []
    for (const k of keys) work.delete(k)
    if (keys.length > 0) w.changed = true
    return {header: hdr(w.changed ? cur + 1 : cur), deleted: BigInt(keys.length), prevKvs}
  }

  private holds(state: State, c: Compare): boolean {
    const keys = keysIn(state, c.key, c.rangeEnd)
    const check = (kv: ModelKv | undefined): boolean => {
      let r: number
      const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0)
      switch (c.target) {
        case Compare_CompareTarget.VALUE:
          r = Buffer.compare(kv!.value, c.value ?? Buffer.alloc(0))
          break
        case Compare_CompareTarget.VERSION:
          r = cmp(BigInt(kv?.version ?? 0), c.version ?? 0n)
          break
        case Compare_CompareTarget.CREATE:
          r = cmp(BigInt(kv?.create ?? 0), c.createRevision ?? 0n)
          break
        case Compare_CompareTarget.MOD:
          r = cmp(BigInt(kv?.mod ?? 0), c.modRevision ?? 0n)
          break
        default:
          r = cmp(kv?.lease ?? 0n, c.lease ?? 0n)
      }
      if (c.result === Compare_CompareResult.EQUAL) return r === 0
      if (c.result === Compare_CompareResult.NOT_EQUAL) return r !== 0
      if (c.result === Compare_CompareResult.GREATER) return r > 0
      return r < 0
    }
    if (keys.length === 0) return c.target === Compare_CompareTarget.VALUE ? false : check(undefined)
    return keys.every((k) => check(state.get(k)))
  }

  private txn(work: State, w: {changed: boolean}, t: TxnRequest, cur: number): TxnResponse {
    const pre = this.states[cur]!
    // Decide every branch on the state before the txn, then check, then run.
    type Path = {ok: boolean; nested: Map<number, Path>}
    const decide = (x: TxnRequest): Path => {
      const ok = x.compare.every((c) => this.holds(pre, c))
      const nested = new Map<number, Path>()
      ;(ok ? x.success : x.failure).forEach((o, i) => o.requestTxn && nested.set(i, decide(o.requestTxn)))
      return {ok, nested}
    }
    const path = decide(t)
    const visit = (x: TxnRequest, p: Path, f: (o: ResponseOp & Record<string, unknown>) => void): void =>
      (p.ok ? x.success : x.failure).forEach((o, i) => (o.requestTxn ? visit(o.requestTxn, p.nested.get(i)!, f) : f(o as never)))
    visit(t, path, (o) => {
      const p = (o as {requestPut?: PutRequest}).requestPut
      if (p && (p.ignoreValue || p.ignoreLease) && !pre.has(p.key.toString('latin1'))) throw Errors.keyNotFound()
    })
    visit(t, path, (o) => {
      const r = (o as {requestRange?: RangeRequest}).requestRange
      if (!r || r.revision === 0n) return
      if (r.revision > BigInt(cur)) throw Errors.futureRev()
      if (r.revision < BigInt(this.compactRev)) throw Errors.compacted()
    })
    const run = (x: TxnRequest, p: Path): TxnResponse => ({
      header: hdr(0),
      succeeded: p.ok,
      responses: (p.ok ? x.success : x.failure).map((o, i): ResponseOp => {
        if (o.requestRange) return {responseRange: this.rangeAt(o.requestRange, w.changed ? cur + 1 : cur, work)}
        if (o.requestPut) return {responsePut: this.put(work, w, o.requestPut, cur)}
        if (o.requestDeleteRange) return {responseDeleteRange: this.del(work, w, o.requestDeleteRange, cur)}
        if (o.requestTxn) return {responseTxn: run(o.requestTxn, p.nested.get(i)!)}
        return {}
      }),
    })
    const response = run(t, path)
    response.header = hdr(w.changed ? cur + 1 : cur)
    return response
  }
}

/** A comparable plain form of any response: buffers as latin1, bigints as strings, undefined dropped. */
export function normalize(x: unknown): unknown {
  if (Buffer.isBuffer(x)) return `b:${x.toString('latin1')}`
  if (typeof x === 'bigint') return x.toString()
  if (x instanceof EtcdError) return `error:${x.message}`
  if (Array.isArray(x)) return x.map(normalize)
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = normalize(v)
    return out
  }
  return x
}
