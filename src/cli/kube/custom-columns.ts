// kubectl's `-o custom-columns=HEADER:.path,...` (and `-o custom-columns-file`): one column per
// spec; a cell is every result of its path joined by commas, `<none>` when there is none.
import {executeJsonPathValues, JsonPathError, parseJsonPath, relaxedJsonPath} from './jsonpath.js'
import {goSprint} from './gofmt.js'

export interface Column {
  header: string
  path: string
}

export function parseCustomColumns(spec: string): Column[] {
  if (spec === '') throw new JsonPathError('custom-columns format specified but no custom columns given')
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':')
    if (colon < 0) throw new JsonPathError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`)
    return {header: part.slice(0, colon), path: relaxedJsonPath(part.slice(colon + 1))}
  })
}

/** kubectl's file form: a line of headers, a line of paths, aligned by whitespace. */
export function parseCustomColumnsFile(text: string): Column[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  if (lines.length !== 2) throw new JsonPathError(`unexpected template file: expected header and template lines`)
  const headers = lines[0]!.trim().split(/\s+/)
  const paths = lines[1]!.trim().split(/\s+/)
  if (headers.length !== paths.length) throw new JsonPathError(`number of headers (${headers.length}) and field specifications (${paths.length}) don't match`)
  return headers.map((header, i) => ({header, path: relaxedJsonPath(paths[i]!)}))
}

export function customColumnsHeader(columns: Column[]): string {
  return `${columns.map((c) => c.header).join('\t')}\n`
}

export function customColumnsRow(columns: Column[], obj: unknown): string {
  const cells = columns.map((c) => {
    const values = executeJsonPathValues(parseJsonPath(c.path), obj)
    return values.length === 0 ? '<none>' : values.map(goSprint).join(',')
  })
  return cells.join('\t') + '\n'
}
