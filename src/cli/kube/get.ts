// `kctl get`: lists or fetches resources and prints them as kubectl does — the server's Table
// for humans, or the objects (json, yaml, name, jsonpath, custom columns); -w streams changes.
import {TABLE_ACCEPT, type KubeClient, type KubeList, type KubeObject} from '../../client/kube/client.js'
import type {ApiResource} from '../../client/kube/discovery.js'
import {groupVersionOf} from '../../client/kube/discovery.js'
import {KubeApiError} from '../../client/kube/errors.js'
import {KctlError} from './errors.js'
import {executeJsonPathValues, parseJsonPath, relaxedJsonPath} from './jsonpath.js'
import {formatObjects, type OutputFormat} from './output.js'
import {kindPrefix, type ResourceRequest} from './resources.js'
import {defaultTable, isTable, tableHeader, tableRows, type Table, type TableOptions} from './table.js'
import {TabWriter} from './tabwriter.js'

export interface GetOptions {
  output: OutputFormat
  /** --show-managed-fields: json and yaml keep metadata.managedFields */
  showManagedFields?: boolean
  namespace: string
  allNamespaces: boolean
  labelSelector?: string
  fieldSelector?: string
  showLabels: boolean
  labelColumns: string[]
  noHeaders: boolean
  sortBy?: string
  chunkSize: number
  ignoreNotFound: boolean
  watch: boolean
  watchOnly: boolean
  /** an error to report without stopping (NotFound of one name among several) */
  report: (err: unknown) => void
  write: (text: string) => void
  writeErr: (text: string) => void
  signal?: AbortSignal
  now: () => Date
}

/** The object with its kind and apiVersion (list items come without them). */
function typed(r: ApiResource, o: KubeObject): KubeObject {
  if (o.kind !== undefined && o.apiVersion !== undefined) return o
  return {apiVersion: groupVersionOf(r), kind: r.kind, ...o}
}

function nsFor(r: ApiResource, o: GetOptions): string | undefined {
  return r.namespaced && !o.allNamespaces ? o.namespace : undefined
}

async function listAll<T extends {metadata?: {continue?: string}}>(
  fetch: (cont: string | undefined) => Promise<T>,
  each: (chunk: T) => void,
): Promise<void> {
  let cont: string | undefined
  // a continue token that never ends is a server bug: stop after this many pages
  for (let page = 0; page < 100_000; page++) {
    const chunk = await fetch(cont)
    each(chunk)
    cont = chunk.metadata?.continue
    if (cont === undefined || cont === '') return
  }
}

function sortValue(obj: unknown, path: ReturnType<typeof parseJsonPath>): unknown {
  const values = executeJsonPathValues(path, obj)
  return values[0]
}

function compareValues(a: unknown, b: unknown): number {
  if (a === undefined && b === undefined) return 0
  if (a === undefined) return -1
  if (b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = typeof a === 'string' ? a : JSON.stringify(a)
  const sb = typeof b === 'string' ? b : JSON.stringify(b)
  // kubectl compares quantities and timestamps as strings too, unless both are numbers
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

export async function runGet(client: KubeClient, requests: ResourceRequest[], o: GetOptions): Promise<void> {
  if (o.watch || o.watchOnly) {
    if (requests.length !== 1) {
      throw new KctlError(`you may only specify a single resource type`)
    }
    await runWatch(client, requests[0]!, o)
    return
  }
  const sortPath = o.sortBy === undefined || o.sortBy === '' ? undefined : parseJsonPath(relaxedJsonPath(o.sortBy))
  let written = 0
  let failed = false
  const write = (s: string) => {
    written += s.length
    o.write(s)
  }
  const human = o.output.kind === 'table' || o.output.kind === 'wide'
  const multipleKinds = requests.length > 1

  if (!human) {
    const items: KubeObject[] = []
    for (const req of requests) {
      const ns = nsFor(req.resource, o)
      if (req.names.length > 0) {
        for (const name of req.names) {
          try {
            items.push(typed(req.resource, await client.get(req.resource, ns, name)))
          } catch (err) {
            if (o.ignoreNotFound && err instanceof KubeApiError && err.code === 404) continue
            failed = true
            o.report(err)
          }
        }
      } else {
        await listAll(
          (cont) => client.list<KubeList>(req.resource, ns, {labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.chunkSize, continue: cont}),
          (chunk) => items.push(...chunk.items.map((i) => typed(req.resource, i))),
        )
      }
    }
    if (sortPath !== undefined) items.sort((a, b) => compareValues(sortValue(a, sortPath), sortValue(b, sortPath)))
    const single = requests.length === 1 && requests[0]!.names.length === 1
    // kubectl's generic printers get the (possibly empty) list unless the one object named failed
    if (!(single && failed)) write(formatObjects(o.output, items, single, o.noHeaders, o.showManagedFields))
  } else {
    const tw = new TabWriter()
    let lastPrinted = false
    for (const req of requests) {
      const ns = nsFor(req.resource, o)
      const options: TableOptions = {
        wide: o.output.kind === 'wide',
        withNamespace: o.allNamespaces && req.resource.namespaced,
        kindPrefix: multipleKinds ? kindPrefix(req.resource) : undefined,
        showLabels: o.showLabels,
        labelColumns: o.labelColumns,
        noHeaders: o.noHeaders,
      }
      const tables: Table[] = []
      const accept = TABLE_ACCEPT
      const include = sortPath !== undefined ? 'Object' : undefined
      const asTable = (v: unknown): Table => (isTable(v) ? v : defaultTable(Array.isArray((v as KubeList).items) ? (v as KubeList).items : [v as KubeObject], o.now()))
      if (req.names.length > 0) {
        for (const name of req.names) {
          try {
            tables.push(asTable(await client.json('GET', client.path(req.resource, ns, name), {accept, query: include ? {includeObject: include} : undefined})))
          } catch (err) {
            if (o.ignoreNotFound && err instanceof KubeApiError && err.code === 404) continue
            failed = true
            o.report(err)
          }
        }
      } else {
        const query: Record<string, string> = {}
        if (o.labelSelector) query['labelSelector'] = o.labelSelector
        if (o.fieldSelector) query['fieldSelector'] = o.fieldSelector
        if (include) query['includeObject'] = include
        if (o.chunkSize > 0) query['limit'] = String(o.chunkSize)
        await listAll(
          (cont) => client.json<Table>('GET', client.path(req.resource, ns), {accept, query: cont ? {...query, continue: cont} : query}),
          (chunk) => tables.push(asTable(chunk)),
        )
      }
      const merged: Table | undefined = tables.length === 0 ? undefined : {...tables[0]!, rows: tables.flatMap((t) => t.rows)}
      if (merged === undefined || merged.rows.length === 0) continue
      if (sortPath !== undefined) merged.rows.sort((a, b) => compareValues(sortValue(a.object, sortPath), sortValue(b.object, sortPath)))
      if (lastPrinted && !o.noHeaders) write('\n')
      tw.write(tableHeader(merged, options) + tableRows(merged, options))
      write(tw.flush())
      lastPrinted = true
    }
  }
  // only kubectl's table printers say there was nothing
  if (human && written === 0 && !failed && !o.ignoreNotFound) {
    const allNamespaced = !o.allNamespaces && requests.every((r) => r.resource.namespaced)
    o.writeErr(allNamespaced ? `No resources found in ${o.namespace} namespace.\n` : 'No resources found\n')
  }
  if (failed) process.exitCode = 1
}

async function runWatch(client: KubeClient, req: ResourceRequest, o: GetOptions): Promise<void> {
  const r = req.resource
  const ns = nsFor(r, o)
  const human = o.output.kind === 'table' || o.output.kind === 'wide'
  const options: TableOptions = {
    wide: o.output.kind === 'wide',
    withNamespace: o.allNamespaces && r.namespaced,
    showLabels: o.showLabels,
    labelColumns: o.labelColumns,
    noHeaders: o.noHeaders,
  }
  const fieldSelector = req.names.length === 1 ? [`metadata.name=${req.names[0]}`, o.fieldSelector].filter(Boolean).join(',') : o.fieldSelector
  const tw = new TabWriter(true)
  let headerPrinted = false
  let columns: Table['columnDefinitions'] | undefined
  const printTable = (t: Table) => {
    if (t.columnDefinitions.length === 0 && columns !== undefined) t = {...t, columnDefinitions: columns}
    columns = t.columnDefinitions
    if (t.rows.length === 0) return
    let text = ''
    if (!headerPrinted) {
      text += tableHeader(t, options)
      headerPrinted = true
    }
    tw.write(text + tableRows(t, options))
    o.write(tw.flush())
  }
  const printObject = (obj: KubeObject) => {
    const text = formatObjects(o.output, [typed(r, obj)], true, false, o.showManagedFields)
    o.write(o.output.kind === 'yaml' ? `---\n${text}` : text)
  }
  // the list gives the starting point (and the rows already there unless --watch-only)
  const accept = human ? TABLE_ACCEPT : 'application/json'
  const query: Record<string, string> = {}
  if (o.labelSelector) query['labelSelector'] = o.labelSelector
  if (fieldSelector) query['fieldSelector'] = fieldSelector
  const initial = await client.json<Table | KubeList>('GET', client.path(r, ns), {accept, query})
  const rv = initial.metadata?.resourceVersion
  if (!o.watchOnly) {
    if (human) {
      const t = isTable(initial) ? initial : defaultTable((initial as KubeList).items, o.now())
      columns = t.columnDefinitions
      printTable(t)
    } else for (const item of (initial as KubeList).items ?? []) printObject(item)
  } else if (isTable(initial)) columns = initial.columnDefinitions
  for await (const ev of client.watch<KubeObject | Table>(r, ns, {labelSelector: o.labelSelector, fieldSelector, resourceVersion: rv}, o.signal, accept)) {
    if (ev.type === 'BOOKMARK') continue
    if (ev.type === 'ERROR') {
      const status = ev.object as {message?: string}
      throw new KctlError(status.message ?? 'watch failed')
    }
    if (human) printTable(isTable(ev.object) ? ev.object : defaultTable([ev.object as KubeObject], o.now()))
    else printObject(ev.object as KubeObject)
  }
}
