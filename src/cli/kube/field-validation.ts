// kubectl's --validate: which fieldValidation a write asks of the server (unknown or duplicate
// fields refused, warned about, or dropped). Go's strconv.ParseBool spellings count as
// strict/ignore, as in kubectl.
import {KctlError} from './errors.js'

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

export function parseValidate(raw: string | undefined): FieldValidation {
  const value = raw ?? 'strict'
  if (TRUE.has(value) || value === 'strict') return 'Strict'
  if (FALSE.has(value) || value === 'ignore') return 'Ignore'
  if (value === 'warn') return 'Warn'
  throw new KctlError(`invalid - validate option "${value}"; must be one of: strict (or true), warn, ignore (or false)`)
}
