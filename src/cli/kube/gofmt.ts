// Go's fmt.Sprint of decoded JSON values, as kubectl prints cells: maps as `map[k:v]` (keys
// sorted), lists as `[a b]`, nil as `<nil>`.

export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`
  const o = v as Record<string, unknown>
  return `map[${Object.keys(o)
    .sort()
    .map((k) => `${k}:${goSprint(o[k])}`)
    .join(' ')}]`
}
