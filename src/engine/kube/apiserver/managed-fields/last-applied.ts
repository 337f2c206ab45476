// kubectl's client-side apply keeps the configuration it applied in an annotation; when the
// same object is later applied server-side by kubectl (field manager "kubectl"), kube-apiserver
// keeps that annotation in step with the new configuration, so a later client-side apply
// computes its three-way merge from what was really applied last. Objects without the
// annotation, and other field managers, are left alone.

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration'

/** Go's encoding/json of a decoded JSON value: keys sorted, <, > and & escaped. */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${goString(k)}:${goJson(v[k])}`)
      .join(',')}}`
  }
  if (typeof v === 'string') return goString(v)
  return JSON.stringify(v) ?? 'null'
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Updates `merged`'s last-applied annotation to `config` when kubectl applies over one. */
export function syncLastApplied(merged: Obj, live: Obj, config: Obj, manager: string): Obj {
  if (manager !== 'kubectl') return merged
  const liveAnnotations = isObj(live.metadata) && isObj(live.metadata.annotations) ? live.metadata.annotations : {}
  if (liveAnnotations[lastAppliedAnnotation] === undefined) return merged
  const applied = structuredClone(config)
  if (isObj(applied.metadata) && isObj(applied.metadata.annotations)) delete applied.metadata.annotations[lastAppliedAnnotation]
  const meta = isObj(merged.metadata) ? merged.metadata : (merged.metadata = {})
  meta.annotations = {...(isObj(meta.annotations) ? meta.annotations : {}), [lastAppliedAnnotation]: `${goJson(applied)}\n`}
  return merged
}
