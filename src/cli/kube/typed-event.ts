// A core/v1 Event as kubectl holds it after decoding into client-go's typed struct (corev1.Event),
// which is what `kubectl events` prints with -o json|yaml|jsonpath|go-template: fields in the Go
// struct's order, unknown fields dropped, and Go's encoding/json rules for what is left —
// `omitempty` strings and numbers vanish when empty, but structs never do (an unset time is
// `null`, an empty source `{}`), and `reportingComponent`/`reportingInstance` have no
// `omitempty`, so they print as "" when unset. Maps keep Go's sorted key order.
type J = Record<string, unknown>

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const obj = (v: unknown): J | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as J) : undefined)

/** Sets `key` unless the value is Go's zero value for an `omitempty` field. */
function put(out: J, key: string, v: unknown): void {
  if (v === '' || v === 0 || v === undefined || v === null || v === false) return
  if (Array.isArray(v) && v.length === 0) return
  if (obj(v) !== undefined && Object.keys(v as J).length === 0) return
  out[key] = v
}

function sortedMap(v: unknown): J | undefined {
  const m = obj(v)
  if (m === undefined) return undefined
  const out: J = {}
  for (const k of Object.keys(m).sort()) out[k] = typeof m[k] === 'string' ? m[k] : ''
  return out
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/

/** metav1.Time: RFC 3339 in UTC, whole seconds; a zero (unset) time is null. */
function time(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null
  const m = RFC3339.exec(v)
  if (m !== null && m[3] === 'Z') return `${m[1]}Z`
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z')
}

/** metav1.MicroTime: RFC 3339 in UTC with six fraction digits; a zero time is null. */
function microTime(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null
  const m = RFC3339.exec(v)
  if (m !== null && m[3] === 'Z') return `${m[1]}.${(m[2] ?? '.').slice(1).padEnd(6, '0').slice(0, 6)}Z`
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.(\d+)Z$/, (_m, f: string) => `.${f.padEnd(6, '0')}Z`)
}

function objectReference(v: unknown): J {
  const r = obj(v) ?? {}
  const out: J = {}
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) put(out, k, str(r[k]))
  return out
}

function ownerReference(v: unknown): J {
  const r = obj(v) ?? {}
  const out: J = {apiVersion: str(r['apiVersion']), kind: str(r['kind']), name: str(r['name']), uid: str(r['uid'])}
  // pointers: present when set, false included
  for (const k of ['controller', 'blockOwnerDeletion']) if (typeof r[k] === 'boolean') out[k] = r[k]
  return out
}

function managedFieldsEntry(v: unknown): J {
  const e = obj(v) ?? {}
  const out: J = {}
  put(out, 'manager', str(e['manager']))
  put(out, 'operation', str(e['operation']))
  put(out, 'apiVersion', str(e['apiVersion']))
  if (time(e['time']) !== null) out['time'] = time(e['time'])
  put(out, 'fieldsType', str(e['fieldsType']))
  // FieldsV1 is raw JSON: kept as the server sent it
  if (e['fieldsV1'] !== undefined && e['fieldsV1'] !== null) out['fieldsV1'] = e['fieldsV1']
  put(out, 'subresource', str(e['subresource']))
  return out
}

function objectMeta(v: unknown): J {
  const m = obj(v) ?? {}
  const out: J = {}
  for (const k of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion']) put(out, k, str(m[k]))
  put(out, 'generation', num(m['generation']))
  out['creationTimestamp'] = time(m['creationTimestamp'])
  if (time(m['deletionTimestamp']) !== null) out['deletionTimestamp'] = time(m['deletionTimestamp'])
  if (typeof m['deletionGracePeriodSeconds'] === 'number') out['deletionGracePeriodSeconds'] = m['deletionGracePeriodSeconds']
  put(out, 'labels', sortedMap(m['labels']))
  put(out, 'annotations', sortedMap(m['annotations']))
  if (Array.isArray(m['ownerReferences'])) put(out, 'ownerReferences', m['ownerReferences'].map(ownerReference))
  if (Array.isArray(m['finalizers'])) put(out, 'finalizers', m['finalizers'].map(str))
  if (Array.isArray(m['managedFields'])) put(out, 'managedFields', m['managedFields'].map(managedFieldsEntry))
  return out
}

/** One event as corev1.Event marshals it (kind and apiVersion defaulted to v1 Event, as kubectl sets them). */
export function typedEvent(v: unknown): J {
  const e = obj(v) ?? {}
  const out: J = {kind: str(e['kind']) || 'Event', apiVersion: str(e['apiVersion']) || 'v1'}
  out['metadata'] = objectMeta(e['metadata'])
  out['involvedObject'] = objectReference(e['involvedObject'])
  put(out, 'reason', str(e['reason']))
  put(out, 'message', str(e['message']))
  const source = obj(e['source']) ?? {}
  const src: J = {}
  put(src, 'component', str(source['component']))
  put(src, 'host', str(source['host']))
  out['source'] = src
  out['firstTimestamp'] = time(e['firstTimestamp'])
  out['lastTimestamp'] = time(e['lastTimestamp'])
  put(out, 'count', num(e['count']))
  put(out, 'type', str(e['type']))
  out['eventTime'] = microTime(e['eventTime'])
  const series = obj(e['series'])
  if (series !== undefined) {
    const s: J = {}
    put(s, 'count', num(series['count']))
    s['lastObservedTime'] = microTime(series['lastObservedTime'])
    out['series'] = s
  }
  put(out, 'action', str(e['action']))
  if (obj(e['related']) !== undefined) out['related'] = objectReference(e['related'])
  out['reportingComponent'] = str(e['reportingComponent'])
  out['reportingInstance'] = str(e['reportingInstance'])
  return out
}

/** corev1.EventList with the given items: an empty ListMeta prints as `metadata: {}`. */
export function typedEventList(items: unknown[]): J {
  return {kind: 'EventList', apiVersion: 'v1', metadata: {}, items: items.map(typedEvent)}
}

/** The time kubectl events sorts by: the series' last observation, else lastTimestamp, else eventTime (unset: the zero time, first). */
export function eventSortTime(e: J): number {
  const series = obj(e['series'])
  const t = series !== undefined ? series['lastObservedTime'] : str(e['lastTimestamp']) !== '' ? e['lastTimestamp'] : e['eventTime']
  const ms = typeof t === 'string' ? Date.parse(t) : NaN
  return Number.isNaN(ms) ? -Infinity : ms
}
