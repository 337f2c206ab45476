// Server-side Tables printed as kubectl prints them: upper-cased headers, the priority-0
// columns (all with -o wide), NAMESPACE first with --all-namespaces, `kind/name` when several
// kinds are listed, label columns (-L) and LABELS (--show-labels) last; cells that are not
// strings printed as Go prints them; a table without rows prints nothing.
import type {KubeObject} from '../../client/kube/client.js'
import {goSprint} from './gofmt.js'

export interface TableColumn {
  name: string
  type: string
  format?: string
  description?: string
  priority?: number
}

export interface TableRow {
  cells: unknown[]
  object?: KubeObject
}

export interface Table {
  kind: 'Table'
  apiVersion?: string
  columnDefinitions: TableColumn[]
  rows: TableRow[]
  metadata?: {resourceVersion?: string; continue?: string}
}

export interface TableOptions {
  wide: boolean
  withNamespace: boolean
  /** prefix for the name column (`pod`, `deployment.apps`) when several kinds are shown */
  kindPrefix?: string
  showLabels: boolean
  labelColumns: string[]
  noHeaders: boolean
}

export function isTable(v: unknown): v is Table {
  return v !== null && typeof v === 'object' && (v as {kind?: string}).kind === 'Table' && Array.isArray((v as Table).rows)
}

/** A table for objects the server did not render (NAME and AGE, as kubectl's default). */
export function defaultTable(objects: KubeObject[], now: Date): Table {
  return {
    kind: 'Table',
    columnDefinitions: [
      {name: 'Name', type: 'string', format: 'name', priority: 0},
      {name: 'Age', type: 'string', priority: 0},
    ],
    rows: objects.map((o) => ({cells: [o.metadata?.name ?? '', age(o.metadata?.creationTimestamp ?? undefined, now)], object: o})),
  }
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return ''
  const text = typeof cell === 'string' ? cell : goSprint(cell)
  // kubectl cuts a cell at its first line break
  const cut = text.search(/[\f\n\r]/)
  return cut < 0 ? text : `${text.slice(0, cut)}...`
}

function labelsText(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort()
  if (keys.length === 0) return '<none>'
  return keys.map((k) => `${k}=${labels![k]}`).join(',')
}

/** The header line (tab-separated), or '' with --no-headers. */
export function tableHeader(t: Table, o: TableOptions, eventColumn = false): string {
  if (o.noHeaders) return ''
  const names: string[] = []
  if (eventColumn) names.push('EVENT')
  if (o.withNamespace) names.push('NAMESPACE')
  for (const c of t.columnDefinitions) if (o.wide || (c.priority ?? 0) === 0) names.push(c.name.toUpperCase())
  for (const l of o.labelColumns) names.push(labelHeader(l))
  if (o.showLabels) names.push('LABELS')
  return names.join('\t') + '\n'
}

function labelHeader(key: string): string {
  const slash = key.lastIndexOf('/')
  return (slash < 0 ? key : key.slice(slash + 1)).toUpperCase()
}

/** The rows (tab-separated lines). */
export function tableRows(t: Table, o: TableOptions, eventType?: string): string {
  let out = ''
  const nameColumn = o.kindPrefix === undefined ? -1 : t.columnDefinitions.findIndex((c) => c.format === 'name' && c.type === 'string')
  for (const row of t.rows) {
    const cells: string[] = []
    if (eventType !== undefined) cells.push(EVENT_TYPES[eventType] ?? eventType)
    const meta = row.object?.metadata
    if (o.withNamespace) cells.push(meta?.namespace ?? '')
    row.cells.forEach((cell, i) => {
      const def = t.columnDefinitions[i]
      if (def === undefined) return
      if (!o.wide && (def.priority ?? 0) !== 0) return
      cells.push(i === nameColumn ? `${o.kindPrefix}/${cellText(cell)}` : cellText(cell))
    })
    for (const l of o.labelColumns) cells.push(meta?.labels?.[l] ?? '')
    if (o.showLabels) cells.push(labelsText(meta?.labels))
    out += cells.join('\t') + '\n'
  }
  return out
}

const EVENT_TYPES: Record<string, string> = {ADDED: 'ADDED   ', MODIFIED: 'MODIFIED', DELETED: 'DELETED ', ERROR: 'ERROR   '}

/** kubectl's HumanDuration of the time since `ts` (`<unknown>` without one). */
export function age(ts: string | undefined, now: Date): string {
  if (ts === undefined || ts === '') return '<unknown>'
  const ms = now.getTime() - Date.parse(ts)
  return humanDuration(ms)
}

/** apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}
