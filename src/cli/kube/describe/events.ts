// The Events table at the end of a describe: the events whose involvedObject is the object,
// oldest first, with kubectl's columns and its `AGE (xN over AGE)` for repeated events.
import type {KubeClient, KubeList, KubeObject} from '../../../client/kube/client.js'
import type {DiscoveryData} from '../../../client/kube/discovery.js'
import {resolveResource} from '../../../client/kube/discovery.js'
import {humanDuration} from '../table.js'
import type {Any, DescribeWriter} from './writer.js'

export async function objectEvents(client: KubeClient, data: DiscoveryData, obj: KubeObject): Promise<Any[]> {
  const events = resolveResource(data, 'events')
  if (events === undefined) return []
  const selector = [`involvedObject.name=${obj.metadata?.name}`, `involvedObject.uid=${obj.metadata?.uid}`]
  if (obj.metadata?.namespace) selector.push(`involvedObject.namespace=${obj.metadata.namespace}`)
  try {
    const list = await client.list<KubeList<Any>>(events, obj.metadata?.namespace, {fieldSelector: selector.join(',')})
    return list.items
  } catch {
    return []
  }
}

function eventTime(e: Any): number {
  const t = e['lastTimestamp'] ?? e['eventTime'] ?? e['firstTimestamp'] ?? e['metadata']?.['creationTimestamp']
  return t ? Date.parse(t) : 0
}

export function eventAge(e: Any, now: number): string {
  const last = eventTime(e)
  const first = e['firstTimestamp'] ? Date.parse(e['firstTimestamp']) : last
  const count = (e['count'] as number | undefined) ?? e['series']?.['count'] ?? 1
  const age = last === 0 ? '<unknown>' : humanDuration(now - last)
  if (count > 1) return `${age} (x${count} over ${humanDuration(now - first)})`
  return age
}

export function writeEvents(w: DescribeWriter, events: Any[], now: number): void {
  if (events.length === 0) {
    w.line(0, 'Events:', '<none>')
    return
  }
  const sorted = [...events].sort((a, b) => eventTime(a) - eventTime(b))
  w.line(0, 'Events:')
  w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message')
  w.line(1, '----', '------', '----', '----', '-------')
  for (const e of sorted) {
    const from = e['source']?.['component'] ? [e['source']['component'], e['source']['host']].filter(Boolean).join(', ') : (e['reportingComponent'] ?? '')
    w.line(1, e['type'] ?? '', e['reason'] ?? '', eventAge(e, now), from, String(e['message'] ?? '').trim())
  }
}
