// `kctl events`: core events in kubectl events' columns (LAST SEEN, TYPE, REASON, OBJECT,
// MESSAGE; NAMESPACE first with -A), oldest first; or, with -o, the EventList kubectl builds
// from client-go's typed structs (see typed-event.ts). -w watches from the start instead of
// listing: the server's initial ADDED events, then every change, one object at a time.
//
// kubectl events ignores what its printer returns, so a template that fails to execute leaves
// its partial output and debugging dump on stdout and the command still exits 0, and -o name
// prints nothing for a list (its name printer refuses typed lists). Both are kept.
import type {KubeClient, KubeList} from '../../client/kube/client.js'
import type {ApiResource} from '../../client/kube/discovery.js'
import {resolveResource} from '../../client/kube/discovery.js'
import {KctlError} from './errors.js'
import {goJson} from './gojson.js'
import {executeGoTemplate} from './gotemplate.js'
import {executeJsonPath, executeJsonPathValues} from './jsonpath.js'
import {qualifiedName, withoutManagedFields, type OutputFormat} from './output.js'
import {humanDuration} from './table.js'
import {TabWriter} from './tabwriter.js'
import {eventSortTime, typedEvent, typedEventList} from './typed-event.js'
import {toYaml} from './yaml.js'

type J = Record<string, unknown>

export interface EventsOptions {
  namespace: string
  allNamespaces: boolean
  /** from eventsForSelector */
  fieldSelector?: string
  types: string[]
  watch: boolean
  noHeaders: boolean
  /** undefined: the events table */
  format?: OutputFormat
  showManagedFields: boolean
  write: (s: string) => void
  signal?: AbortSignal
}

/**
 * --for's field selector, as kubectl events reads `TYPE/NAME`: the type through discovery
 * (plural, singular or short name), matched by kind, apiVersion (the preferred version) and
 * name; an empty name means every event.
 */
function forSelector(resources: {find(word: string): ApiResource | undefined}, forObject: string): string | undefined {
  if (!forObject.includes('/')) throw new KctlError('--for must be in resource/name form')
  const parts = forObject.split('/')
  if (parts.length !== 2) throw new KctlError('arguments in resource/name form may not have more than one slash')
  const [word, name] = parts as [string, string]
  // client-go's RESTMapper words: its GroupVersionResource printed with %v
  if (word === '') throw new KctlError('a resource must be present, got: /, Resource=')
  const r = resources.find(word)
  // kubectl's CheckErr prints a NoResourceMatchError without its `error: ` prefix
  if (r === undefined) throw new KctlError(`the server doesn't have a resource type "${word}"`, `the server doesn't have a resource type "${word}"\n`)
  if (name === '') return undefined
  const apiVersion = r.group === '' ? r.version : `${r.group}/${r.version}`
  return `involvedObject.kind=${selectorValue(r.kind)},involvedObject.apiVersion=${selectorValue(apiVersion)},involvedObject.name=${selectorValue(name)}`
}

/** A field selector value escaped as apimachinery's fields.EscapeValue does. */
function selectorValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`)
}

const since = (t: unknown, now: number): string => {
  const ms = typeof t === 'string' && t !== '' ? Date.parse(t) : NaN
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(now - ms)
}

/** LAST SEEN: kubectl events' interval (first seen, or `LAST (xN over FIRST)` for repeats). */
export function eventInterval(e: J, now: number): string {
  const first = e['eventTime'] ? since(e['eventTime'], now) : since(e['firstTimestamp'], now)
  const series = e['series'] as J | undefined | null
  if (series) return `${since(series['lastObservedTime'], now)} (x${Number(series['count'] ?? 0)} over ${first})`
  const count = typeof e['count'] === 'number' ? e['count'] : 0
  if (count > 1) return `${since(e['lastTimestamp'], now)} (x${count} over ${first})`
  return first
}

/**
 * A cell with terminal escapes made visible (ESC as `^[`, a carriage return as backslash-r), as kubectl 1.32 prints
 * it; a newline is left alone and starts a new line of output.
 */
function cell(v: unknown): string {
  return (typeof v === 'string' ? v : '').replaceAll('\x1b', '^[').replaceAll('\r', '\\r')
}

function tableRow(e: J, allNamespaces: boolean, now: number): string {
  const io = (e['involvedObject'] ?? {}) as J
  const ns = allNamespaces ? `${String((e['metadata'] as J | undefined)?.['namespace'] ?? '')}\t` : ''
  return `${ns}${eventInterval(e, now)}\t${cell(e['type'])}\t${cell(e['reason'])}\t${cell(io['kind'])}/${cell(io['name'])}\t${cell(String(e['message'] ?? '').trim())}\n`
}

/** One printed object (the EventList, or one Event while watching) in an -o format. */
function formatTyped(format: OutputFormat, subject: J, list: boolean, showManagedFields: boolean): string {
  const strip = (o: J): J => {
    if (showManagedFields) return o
    if (!list) return withoutManagedFields(o) as J
    return {...o, items: (o['items'] as J[]).map((i) => withoutManagedFields(i) as J)}
  }
  switch (format.kind) {
    case 'json':
      return goJson(strip(subject), false) + '\n'
    case 'yaml':
      return toYaml(strip(subject))
    case 'name':
      return list ? '' : `${qualifiedName(subject)}\n`
    case 'jsonpath':
      try {
        return executeJsonPath(format.jsonpath!, subject, {allowMissingKeys: true})
      } catch {
        // kubectl finds every result before printing any: a failure prints nothing
        return ''
      }
    case 'jsonpath-as-json':
      try {
        return goJson(executeJsonPathValues(format.jsonpath!, subject)) + '\n'
      } catch {
        return ''
      }
    case 'go-template':
      try {
        return executeGoTemplate(format.goTemplate!, subject, false)
      } catch (err) {
        return err instanceof KctlError ? (err.stdout ?? '') : ''
      }
    default:
      throw new KctlError(`output format ${format.kind} is not an object format`)
  }
}

/** The field selector for --for (undefined: every event); kubectl resolves it before anything else. */
export async function eventsForSelector(client: KubeClient, forObject: string | undefined): Promise<string | undefined> {
  if (forObject === undefined || forObject === '') return undefined
  const data = await client.discovery()
  try {
    return forSelector({find: (word) => resolveResource(data, word)}, forObject)
  } catch (err) {
    // a type the cached discovery lacks: ask the server again
    if (!(err instanceof KctlError) || err.stderr === undefined || !client.invalidateDiscovery()) throw err
    const fresh = await client.discovery()
    return forSelector({find: (word) => resolveResource(fresh, word)}, forObject)
  }
}

export async function runEvents(client: KubeClient, o: EventsOptions): Promise<void> {
  const events = resolveResource(await client.discovery(), 'events')
  if (events === undefined) throw new KctlError(`the server doesn't have a resource type "events"`)
  const fieldSelector = o.fieldSelector
  const keep = (e: J) => o.types.length === 0 || o.types.some((t) => t.toLowerCase() === String(e['type'] ?? '').toLowerCase())
  const ns = o.allNamespaces ? undefined : o.namespace
  // kubectl's printers write through one tab writer that remembers its column widths
  const tw = new TabWriter(true)
  let header = false
  const emit = (text: string) => {
    if (text === '') return
    tw.write(text)
    o.write(tw.flush())
  }
  const table = (batch: J[]) => {
    let text = ''
    if (!header && !o.noHeaders) text += `${o.allNamespaces ? 'NAMESPACE\t' : ''}LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n`
    header = true
    const now = Date.now()
    for (const e of batch) text += tableRow(e, o.allNamespaces, now)
    emit(text)
  }

  if (o.watch) {
    let printed = 0
    for await (const ev of client.watch<J>(events, ns, {fieldSelector}, o.signal)) {
      // events expire after an hour: their deletion is not news
      if (ev.type === 'DELETED' || (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') || !keep(ev.object)) continue
      if (o.format === undefined) table([ev.object])
      else {
        // kubectl's YAML printer separates the documents it prints after its first
        const text = formatTyped(o.format, typedEvent(ev.object), false, o.showManagedFields)
        emit(o.format.kind === 'yaml' && printed++ > 0 ? `---\n${text}` : text)
      }
    }
    return
  }

  const list = await client.list<KubeList<J>>(events, ns, {fieldSelector})
  const items = list.items.filter(keep)
  if (items.length === 0) {
    process.stderr.write(o.allNamespaces ? 'No events found.\n' : `No events found in ${o.namespace} namespace.\n`)
    return
  }
  const typed = typedEventList(items)
  const sorted = (typed['items'] as J[])
    .map((e, i) => ({e, i, t: eventSortTime(e)}))
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i))
    .map((x) => x.e)
  typed['items'] = sorted
  if (o.format === undefined) table(sorted)
  else emit(formatTyped(o.format, typed, true, o.showManagedFields))
}
