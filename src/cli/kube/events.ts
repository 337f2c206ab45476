// `kctl events`: core events, oldest first, in kubectl events' columns
// (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; NAMESPACE first with -A).
import type {KubeClient, KubeList, KubeObject} from '../../client/kube/client.js'
import {resolveResource} from '../../client/kube/discovery.js'
import {eventAge} from './describe/events.js'
import type {Any} from './describe/writer.js'
import {KctlError} from './errors.js'
import {resolveWord} from './resources.js'
import {TabWriter} from './tabwriter.js'

export interface EventsOptions {
  namespace: string
  allNamespaces: boolean
  forObject?: string
  types: string[]
  watch: boolean
  noHeaders: boolean
  format?: (items: KubeObject[]) => string
  write: (s: string) => void
}

function lastTime(e: Any): number {
  const t = e['lastTimestamp'] ?? e['eventTime'] ?? e['firstTimestamp'] ?? e['metadata']?.['creationTimestamp']
  return t ? Date.parse(t) : 0
}

export async function runEvents(client: KubeClient, o: EventsOptions): Promise<void> {
  const data = await client.discovery()
  const events = resolveResource(data, 'events')
  if (events === undefined) throw new KctlError(`the server doesn't have a resource type "events"`)
  const selectors: string[] = []
  if (o.forObject) {
    const slash = o.forObject.indexOf('/')
    if (slash < 0) throw new KctlError(`--for must be in resource/name form`)
    const r = resolveWord(data, o.forObject.slice(0, slash))
    selectors.push(`involvedObject.kind=${r.kind}`, `involvedObject.name=${o.forObject.slice(slash + 1)}`)
  }
  const ns = o.allNamespaces ? undefined : o.namespace
  const list = await client.list<KubeList<Any>>(events, ns, {fieldSelector: selectors.join(',') || undefined})
  const keep = (e: Any) => o.types.length === 0 || o.types.includes(e['type'])
  const items = list.items.filter(keep).sort((a, b) => lastTime(a) - lastTime(b))
  if (o.format !== undefined) {
    o.write(o.format(items.map((e) => ({apiVersion: 'v1', kind: 'Event', ...e}))))
    return
  }
  const tw = new TabWriter(true)
  let header = false
  const print = (batch: Any[]) => {
    let text = ''
    if (!header && !o.noHeaders && batch.length > 0) {
      text += `${o.allNamespaces ? 'NAMESPACE\t' : ''}LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n`
      header = true
    }
    const now = Date.now()
    for (const e of batch) {
      const io = e['involvedObject'] ?? {}
      text += `${o.allNamespaces ? `${e['metadata']?.['namespace'] ?? ''}\t` : ''}${eventAge(e, now)}\t${e['type'] ?? ''}\t${e['reason'] ?? ''}\t${io['kind'] ?? ''}/${io['name'] ?? ''}\t${String(e['message'] ?? '').trim()}\n`
    }
    tw.write(text)
    o.write(tw.flush())
  }
  if (items.length === 0 && !o.watch) {
    process.stderr.write(o.allNamespaces ? 'No events found.\n' : `No events found in ${o.namespace} namespace.\n`)
    return
  }
  print(items)
  if (!o.watch) return
  const abort = new AbortController()
  process.once('SIGINT', () => abort.abort())
  for await (const ev of client.watch<Any>(events, ns, {fieldSelector: selectors.join(',') || undefined, resourceVersion: list.metadata.resourceVersion}, abort.signal)) {
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') if (keep(ev.object)) print([ev.object])
  }
}
