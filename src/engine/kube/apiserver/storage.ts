// Objects in etcd, as kube-apiserver keeps them: JSON at /registry/<prefix>/[<namespace>/]<name>,
// resourceVersion = the key's mod revision (never stored in the value). Every write is a txn:
// a create compares create_revision = 0, an update or delete compares mod_revision, so two
// writers racing on one object can never both win.
import {Compare_CompareResult, Compare_CompareTarget, TxnRequest} from '../../../api/proto/rpc.js'
import type {KeyValue} from '../../../api/proto/kv.js'
import type {EtcdClient} from '../../../client/etcd/client.js'
import type {ResourceDef} from '../api/registry.js'
import {Status, StatusError} from '../api/status.js'

export type Obj = Record<string, unknown>

export const registryRoot = '/registry/'

export function collectionPrefix(def: ResourceDef, namespace?: string): string {
  const base = `${registryRoot}${def.storagePrefix}/`
  return def.namespaced && namespace ? `${base}${namespace}/` : base
}

export function objectKey(def: ResourceDef, namespace: string | undefined, name: string): string {
  return `${collectionPrefix(def, def.namespaced ? namespace : undefined)}${name}`
}

/** The end of the range of keys starting with `prefix` (etcd's prefix range end). */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}

export function decode(kv: KeyValue, revision = kv.modRevision): Obj {
  const obj = JSON.parse(kv.value.toString('utf8')) as Obj
  const meta = (obj.metadata ?? (obj.metadata = {})) as Obj
  meta.resourceVersion = String(revision)
  return obj
}

/**
 * The stored form: kind, apiVersion and metadata first (without resourceVersion, which is the
 * key's mod revision), so a list can put the version in without decoding (see rawWithVersion).
 */
function encode(obj: Obj): Buffer {
  const {kind, apiVersion, metadata, ...rest} = obj
  const {resourceVersion: _rv, ...meta} = metadata as Obj
  return Buffer.from(JSON.stringify({kind, apiVersion, metadata: meta, ...rest}))
}

/**
 * The stored JSON of an object served as `kind` in `apiVersion`, with its resourceVersion put
 * in, as text and without parsing it: a list of thousands of objects would otherwise spend
 * most of its time decoding and encoding them again. Undefined when the value is not in the
 * form encode writes for that kind and version (older values, another served version).
 */
export function rawWithVersion(value: Buffer, revision: bigint, kind: string, apiVersion: string): string | undefined {
  const head = `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":{`
  if (value.length <= head.length + 1 || value[head.length] === 0x7d /* } */) return undefined
  if (value.toString('utf8', 0, head.length) !== head) return undefined
  return `${head}"resourceVersion":"${revision}",${value.toString('utf8', head.length)}`
}

const qualifiedOf = (def: ResourceDef) => ({group: def.group, resource: def.plural})

export interface ListPage {
  items: Obj[]
  /** With `raw`: each object as JSON text, resourceVersion in (items is then empty). */
  rawItems?: string[]
  /** The revision the list was read at. */
  revision: bigint
  /** The key to continue from, when the page was cut by the limit. */
  nextKey?: string
  remaining?: number
}

/** Largest page read from etcd at once when filtering (selectors) has to read past a limit. */
const scanChunk = 500

export class ObjectStorage {
  constructor(private readonly etcd: EtcdClient) {}

  async get(def: ResourceDef, namespace: string | undefined, name: string): Promise<Obj | undefined> {
    const res = await this.etcd.range({key: Buffer.from(objectKey(def, namespace, name))})
    const kv = res.kvs[0]
    return kv ? decode(kv) : undefined
  }

  async mustGet(def: ResourceDef, namespace: string | undefined, name: string): Promise<Obj> {
    const obj = await this.get(def, namespace, name)
    if (!obj) throw Status.notFound(qualifiedOf(def), name)
    return obj
  }

  async create(def: ResourceDef, obj: Obj): Promise<Obj> {
    const meta = obj.metadata as Obj
    const key = Buffer.from(objectKey(def, meta.namespace as string | undefined, meta.name as string))
    const res = await this.etcd.txn(TxnRequest.fromPartial({
      compare: [{key, target: Compare_CompareTarget.CREATE, result: Compare_CompareResult.EQUAL, createRevision: 0n}],
      success: [{requestPut: {key, value: encode(obj), lease: 0n, prevKv: false, ignoreLease: false, ignoreValue: false}}],
      failure: [],
    }))
    if (!res.succeeded) throw Status.alreadyExists(qualifiedOf(def), meta.name as string)
    meta.resourceVersion = String(res.header!.revision)
    return obj
  }

  /** Writes `obj` over the version at `modRevision`; a newer version wins with 409 Conflict. */
  async update(def: ResourceDef, obj: Obj, modRevision: bigint): Promise<Obj> {
    const meta = obj.metadata as Obj
    const key = Buffer.from(objectKey(def, meta.namespace as string | undefined, meta.name as string))
    const res = await this.etcd.txn(TxnRequest.fromPartial({
      compare: [{key, target: Compare_CompareTarget.MOD, result: Compare_CompareResult.EQUAL, modRevision}],
      success: [{requestPut: {key, value: encode(obj), lease: 0n, prevKv: false, ignoreLease: false, ignoreValue: false}}],
      failure: [],
    }))
    if (!res.succeeded) throw Status.conflict(qualifiedOf(def), meta.name as string)
    meta.resourceVersion = String(res.header!.revision)
    return obj
  }

  /** Deletes the version at `modRevision`; returns the deletion's revision. */
  async delete(def: ResourceDef, namespace: string | undefined, name: string, modRevision: bigint): Promise<bigint> {
    const key = Buffer.from(objectKey(def, namespace, name))
    const res = await this.etcd.txn(TxnRequest.fromPartial({
      compare: [{key, target: Compare_CompareTarget.MOD, result: Compare_CompareResult.EQUAL, modRevision}],
      success: [{requestDeleteRange: {key, rangeEnd: Buffer.alloc(0), prevKv: false}}],
      failure: [],
    }))
    if (!res.succeeded) throw Status.conflict(qualifiedOf(def), name)
    return res.header!.revision
  }

  /**
   * One page of a collection in key order, read at `revision` (0 = now), starting at `startKey`,
   * holding at most `limit` objects that pass `filter` (0 = no limit).
   */
  async list(
    def: ResourceDef,
    namespace: string | undefined,
    opts: {limit: number; startKey?: string; revision?: bigint; filter?: (obj: Obj) => boolean; raw?: {kind: string; apiVersion: string}},
  ): Promise<ListPage> {
    const prefix = collectionPrefix(def, namespace)
    const end = prefixEnd(prefix)
    let key = Buffer.from(opts.startKey ?? prefix)
    let revision = opts.revision ?? 0n
    const items: Obj[] = []
    const raw = opts.raw && !opts.filter ? opts.raw : undefined
    const rawItems: string[] | undefined = raw ? [] : undefined
    // what the limit counts: decoded objects, or raw ones
    const taken = () => (rawItems ? rawItems.length : items.length)
    while (true) {
      const want = opts.limit > 0 ? Math.max(opts.limit - taken(), opts.filter ? scanChunk : 0) : 0
      let res
      try {
        res = await this.etcd.range({key, rangeEnd: end, revision, limit: BigInt(want)})
      } catch (error) {
        if ((error as Error).message.includes('compacted')) {
          throw new StatusError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.')
        }
        throw error
      }
      if (revision === 0n) revision = res.header!.revision
      for (let i = 0; i < res.kvs.length; i++) {
        const kv = res.kvs[i]
        if (rawItems) {
          rawItems.push(rawWithVersion(kv.value, kv.modRevision, raw!.kind, raw!.apiVersion) ?? JSON.stringify({...decode(kv), kind: raw!.kind, apiVersion: raw!.apiVersion}))
        } else {
          const obj = decode(kv)
          if (opts.filter && !opts.filter(obj)) continue
          items.push(obj)
        }
        if (opts.limit > 0 && taken() >= opts.limit) {
          const more = i < res.kvs.length - 1 || res.more
          if (!more) return {items, rawItems, revision}
          const nextKey = Buffer.concat([kv.key, Buffer.from([0])]).toString('utf8')
          const remaining = opts.filter ? undefined : Number(res.count) - (i + 1) - 0
          return {items, rawItems, revision, nextKey, remaining: remaining === undefined ? undefined : Math.max(0, remaining)}
        }
      }
      if (!res.more || res.kvs.length === 0) return {items, rawItems, revision}
      key = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])])
    }
  }
}
