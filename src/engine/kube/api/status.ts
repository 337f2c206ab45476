// Errors of the Kubernetes API, as metav1.Status objects worded exactly as kube-apiserver words
// them (kubectl prints `Error from server (<Reason>): <message>` from these).

export interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Gone'
  | 'Expired'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'InternalError'
  | 'TooManyRequests'
  | 'Timeout'

/** A refused request: carried up to the handler, which answers it as a metav1.Status. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message)
    this.name = 'StatusError'
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? {details: this.details} : {}),
      code: this.code,
    }
  }
}

/** A resource as Kubernetes qualifies it in messages: `pods`, `deployments.apps`. */
export interface QualifiedResource {
  group: string
  resource: string
}

const qualified = (r: QualifiedResource) => (r.group ? `${r.resource}.${r.group}` : r.resource)
const details = (r: QualifiedResource, name: string): StatusDetails => ({name, group: r.group || undefined, kind: r.resource})

/** One field error, as k8s.io/apimachinery's field.Error prints itself. */
export interface FieldError {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  field: string
  /** The rejected value (omitted for Required and Forbidden). */
  value?: unknown
  detail: string
}

const typeWords: Record<FieldError['type'], string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
}

/** Go's %#v of a value, as far as field errors need it (strings quoted, numbers bare). */
function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return `[]interface {}{${value.map(goValue).join(', ')}}`
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.every(([, v]) => typeof v === 'string')) {
    return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`
  }
  return JSON.stringify(value)
}

export function fieldErrorMessage(error: FieldError, withField = true): string {
  const head = withField ? `${error.field}: ` : ''
  const words = typeWords[error.type]
  if (error.type === 'FieldValueRequired' || error.type === 'FieldValueForbidden') {
    return `${head}${words}${error.detail ? `: ${error.detail}` : ''}`
  }
  const shown = error.value === undefined ? '' : `: ${goValue(error.value)}`
  return `${head}${words}${shown}${error.detail ? `: ${error.detail}` : ''}`
}

export const Status = {
  notFound: (r: QualifiedResource, name: string) =>
    new StatusError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name)),
  alreadyExists: (r: QualifiedResource, name: string) =>
    new StatusError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name)),
  conflict: (r: QualifiedResource, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, details(r, name)),
  invalid: (kind: string, group: string, name: string, errors: FieldError[]) => {
    const messages = errors.map((e) => fieldErrorMessage(e))
    const joined = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`
    return new StatusError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${joined}`, {
      name,
      group: group || undefined,
      kind,
      causes: errors.map((e) => ({reason: e.type, message: fieldErrorMessage(e, false), field: e.field})),
    })
  },
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  invalidPatch: (message: string) => new StatusError(422, 'Invalid', message),
  methodNotAllowed: () => new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  forbidden: (r: QualifiedResource, name: string, why: string) =>
    new StatusError(403, 'Forbidden', `${qualified(r)}${name ? ` "${name}"` : ''} is forbidden: ${why}`, details(r, name)),
  unauthorized: () => new StatusError(401, 'Unauthorized', 'Unauthorized'),
  gone: (message: string) => new StatusError(410, 'Expired', message),
  pathNotFound: () => new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}),
  notAcceptable: (message: string) => new StatusError(406, 'NotAcceptable', message),
  unsupportedMediaType: (type: string) => new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json${type ? '' : ''}`),
  tooLarge: (limitBytes: number) => new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`),
  internal: (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`),
}
