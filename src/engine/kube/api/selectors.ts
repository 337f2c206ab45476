// Label and field selectors: the string forms of `?labelSelector=` and `?fieldSelector=` (as
// k8s.io/apimachinery/pkg/labels and fields parse them), and the LabelSelector object of specs.
import {StatusError} from './status.js'

export type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '!=' | 'gt' | 'lt'

export interface Requirement {
  key: string
  op: Operator
  values: string[]
}

export type Selector = Requirement[]

const badSelector = (message: string) => new StatusError(400, 'BadRequest', `unable to parse requirement: ${message}`)

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '(') depth++
    else if (ch === ')') depth--
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

const keyPattern = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function checkKey(key: string): void {
  if (!keyPattern.test(key)) throw badSelector(`found '${key}', expected: identifier`)
}
function checkValue(value: string): void {
  if (value.length > 63 || !valuePattern.test(value)) throw badSelector(`values[0]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`)
}

/** Parses a label selector string (`app=web,tier in (a,b),!canary`); empty selects everything. */
export function parseLabelSelector(text: string): Selector {
  const reqs: Selector = []
  if (text.trim() === '') return reqs
  for (const rawPart of splitTop(text)) {
    const part = rawPart.trim()
    if (part === '') throw badSelector("found ',', expected: !, identifier, or 'end of string'")
    let m: RegExpMatchArray | null
    if ((m = part.match(/^!\s*([^\s=!<>(),]+)$/))) {
      checkKey(m[1])
      reqs.push({key: m[1], op: '!', values: []})
    } else if ((m = part.match(/^([^\s=!<>(),]+)\s+(in|notin)\s*\((.*)\)$/))) {
      checkKey(m[1])
      const values = m[3].split(',').map((v) => v.trim())
      if (m[3].trim() === '') throw badSelector(`for 'in', 'notin' operators, values set can't be empty`)
      values.forEach(checkValue)
      reqs.push({key: m[1], op: m[2] as Operator, values})
    } else if ((m = part.match(/^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/))) {
      checkKey(m[1])
      const op = m[2] === '==' || m[2] === '=' ? '=' : m[2] === '!=' ? '!=' : m[2] === '>' ? 'gt' : 'lt'
      if (op === 'gt' || op === 'lt') {
        if (!/^-?\d+$/.test(m[3])) throw badSelector(`for 'Gt', 'Lt' operators, the value must be an integer`)
      } else checkValue(m[3])
      reqs.push({key: m[1], op, values: [m[3]]})
    } else if ((m = part.match(/^([^\s=!<>(),]+)$/))) {
      checkKey(m[1])
      reqs.push({key: m[1], op: 'exists', values: []})
    } else {
      throw badSelector(`found '${part}', expected: in, notin, =, ==, !=, gt, lt`)
    }
  }
  return reqs
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as requirements. */
export function parseLabelSelectorObject(sel: unknown): Selector {
  const reqs: Selector = []
  if (!sel || typeof sel !== 'object') return reqs
  const s = sel as {matchLabels?: Record<string, string>; matchExpressions?: {key: string; operator: string; values?: string[]}[]}
  for (const [key, value] of Object.entries(s.matchLabels ?? {})) reqs.push({key, op: '=', values: [String(value)]})
  for (const e of s.matchExpressions ?? []) {
    const op = ({In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!'} as Record<string, Operator>)[e.operator]
    if (!op) throw new Error(`"${e.operator}" is not a valid label selector operator`)
    if ((op === 'in' || op === 'notin') && !(e.values ?? []).length) throw new Error('for \'in\', \'notin\' operators, values set can\'t be empty')
    reqs.push({key: e.key, op, values: e.values ?? []})
  }
  return reqs
}

export function matchesSelector(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {}
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key)
    const v = l[r.key]
    switch (r.op) {
      case '=':
        return has && v === r.values[0]
      case '!=':
        return !has || v !== r.values[0]
      case 'in':
        return has && r.values.includes(v)
      case 'notin':
        return !has || !r.values.includes(v)
      case 'exists':
        return has
      case '!':
        return !has
      case 'gt':
        return has && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0])
      case 'lt':
        return has && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0])
    }
  })
}

/** The selector in its canonical string form (as a Scale's status.selector). */
export function selectorString(selector: Selector): string {
  return selector
    .map((r) => {
      switch (r.op) {
        case '=':
          return `${r.key}=${r.values[0]}`
        case '!=':
          return `${r.key}!=${r.values[0]}`
        case 'in':
        case 'notin':
          return `${r.key} ${r.op} (${[...r.values].sort().join(',')})`
        case 'exists':
          return r.key
        case '!':
          return `!${r.key}`
        case 'gt':
          return `${r.key}>${r.values[0]}`
        case 'lt':
          return `${r.key}<${r.values[0]}`
      }
    })
    .join(',')
}

export interface FieldRequirement {
  field: string
  op: '=' | '!='
  value: string
}

/** Fields each kind can be selected on, beyond metadata.name and metadata.namespace. */
const selectableFields: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
  Service: ['spec.clusterIP', 'spec.type'],
  CertificateSigningRequest: ['spec.signerName'],
}

/** Parses `a=b,c!=d` and checks every field is selectable on `kind`. */
export function parseFieldSelector(text: string, kind: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = []
  if (text.trim() === '') return reqs
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(selectableFields[kind] ?? [])])
  for (const rawPart of text.split(',')) {
    const part = rawPart.trim()
    const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/)
    if (!m) throw new StatusError(400, 'BadRequest', `invalid selector: '${text}'; can't understand '${part}'`)
    const field = m[1].trim()
    if (!allowed.has(field)) throw new StatusError(400, 'BadRequest', `field label not supported: ${field}`)
    reqs.push({field, op: m[2] === '!=' ? '!=' : '=', value: m[3]})
  }
  return reqs
}

/** The string value of a selectable field, as the kind's field set presents it. */
export function fieldValue(obj: Record<string, unknown>, field: string): string {
  if (field === 'source') {
    const source = obj.source as Record<string, unknown> | undefined
    return String(source?.component ?? '')
  }
  let cur: unknown = obj
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return ''
    cur = (cur as Record<string, unknown>)[part]
  }
  if (cur === undefined || cur === null) return ''
  return String(cur)
}

export function matchesFields(reqs: FieldRequirement[], obj: Record<string, unknown>): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='))
}
