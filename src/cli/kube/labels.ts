// `kctl label` and `kctl annotate`: KEY=VALUE and KEY- arguments applied to objects' labels or
// annotations with a JSON merge patch, reported as kubectl does (`pod/x labeled`, `not labeled`,
// `unlabeled`, `annotated`).
import {KctlError} from './errors.js'

export interface Change {
  set: Map<string, string>
  remove: string[]
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function validKey(key: string): boolean {
  const slash = key.indexOf('/')
  const name = slash < 0 ? key : key.slice(slash + 1)
  const prefix = slash < 0 ? undefined : key.slice(0, slash)
  if (prefix !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix)) return false
  return name.length <= 63 && NAME.test(name)
}

/** Splits the words after the resources into changes; `isChange` finds where they start. */
export function isChangeWord(word: string): boolean {
  return word.includes('=') || word.endsWith('-')
}

export function parseChanges(words: string[], what: 'label' | 'annotation'): Change {
  const set = new Map<string, string>()
  const remove: string[] = []
  for (const w of words) {
    const eq = w.indexOf('=')
    if (eq >= 0) {
      const key = w.slice(0, eq)
      const value = w.slice(eq + 1)
      if (what === 'label' && (!validKey(key) || value.length > 63 || !LABEL_VALUE.test(value))) {
        throw new KctlError(
          `invalid label value: "${w}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        )
      }
      if (what === 'annotation' && !validKey(key)) throw new KctlError(`invalid annotation format: ${w}`)
      set.set(key, value)
    } else if (w.endsWith('-')) {
      remove.push(w.slice(0, -1))
    } else {
      throw new KctlError(`invalid ${what} format: ${w}`)
    }
  }
  if (set.size === 0 && remove.length === 0) throw new KctlError(`at least one ${what === 'label' ? 'label' : 'annotation'} update is required`)
  for (const k of remove) if (set.has(k)) throw new KctlError(`can not both modify and remove ${what === 'label' ? 'a label' : 'an annotation'} in the same command`)
  return {set, remove}
}

/** The new map, or an error for an existing key without --overwrite. */
export function applyChange(current: Record<string, string> | undefined, c: Change, overwrite: boolean, what: 'label' | 'annotation', warn: (s: string) => void): Record<string, string> {
  const out = {...(current ?? {})}
  const conflicts: string[] = []
  for (const [k, v] of c.set) {
    if (!overwrite && k in out && out[k] !== v) conflicts.push(`'${k}' already has a value (${out[k]})`)
    out[k] = v
  }
  if (conflicts.length > 0) {
    if (what === 'label') throw new KctlError(`${conflicts[0]}, and --overwrite is false`)
    throw new KctlError(`--overwrite is false but found the following declared annotation(s): ${conflicts.join(', ')}`)
  }
  for (const k of c.remove) {
    if (!(k in out)) {
      warn(`${what} "${k}" not found.\n`)
      continue
    }
    delete out[k]
  }
  return out
}
