// Failures of a Kubernetes request, typed so kctl prints them as kubectl does:
// `Error from server (NotFound): pods "x" not found` for a Status from the server, and the
// transport's own words for a server that cannot be reached.

/** The metav1.Status the API server sends with every failure. */
export interface KubeStatus {
  kind?: 'Status'
  apiVersion?: string
  status?: string
  message?: string
  reason?: string
  code?: number
  details?: {name?: string; group?: string; kind?: string; causes?: {reason?: string; message?: string; field?: string}[]}
}

/** The server answered with a failure status (and usually a Status body). */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: KubeStatus,
  ) {
    super(status.message ?? `the server responded with status ${code}`)
    this.name = 'KubeApiError'
  }

  get reason(): string {
    return this.status.reason ?? ''
  }
}

/** The server could not be reached (refused, reset, TLS failure, timeout). */
export class KubeConnectionError extends Error {
  constructor(
    message: string,
    readonly host: string,
    readonly causeCode?: string,
  ) {
    super(message)
    this.name = 'KubeConnectionError'
  }
}

/** A kubeconfig that cannot be read or names something missing. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KubeConfigError'
  }
}

/** A reason for an HTTP status when the body carries no Status (kubectl's fallbacks). */
export function reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return 'BadRequest'
    case 401:
      return 'Unauthorized'
    case 403:
      return 'Forbidden'
    case 404:
      return 'NotFound'
    case 405:
      return 'MethodNotAllowed'
    case 406:
      return 'NotAcceptable'
    case 409:
      return 'Conflict'
    case 410:
      return 'Expired'
    case 413:
      return 'RequestEntityTooLarge'
    case 415:
      return 'UnsupportedMediaType'
    case 422:
      return 'Invalid'
    case 429:
      return 'TooManyRequests'
    case 500:
      return 'InternalError'
    case 503:
      return 'ServiceUnavailable'
    case 504:
      return 'Timeout'
    default:
      return ''
  }
}

/** The error for a failed response: its Status body if it has one, else one made from the code. */
export function errorFromResponse(code: number, body: Uint8Array): KubeApiError {
  const text = Buffer.from(body).toString('utf8')
  try {
    const parsed = JSON.parse(text) as KubeStatus
    if (parsed !== null && typeof parsed === 'object' && parsed.kind === 'Status') return new KubeApiError(code, parsed)
  } catch {
    // not JSON: fall through to the generic status below
  }
  const reason = reasonForCode(code)
  // kubectl words a body-less failure as client-go does: "the server could not find the requested resource"
  const message = genericMessage(code, text.trim())
  return new KubeApiError(code, {kind: 'Status', status: 'Failure', code, reason, message})
}

function genericMessage(code: number, body: string): string {
  const suffix = body === '' ? '' : ` (${body.slice(0, 200)})`
  switch (code) {
    case 401:
      return `the server has asked for the client to provide credentials${suffix}`
    case 403:
      return `the server does not allow access to the requested resource${suffix}`
    case 404:
      return `the server could not find the requested resource${suffix}`
    case 405:
      return `the server does not allow this method on the requested resource${suffix}`
    case 409:
      return `the server reported a conflict${suffix}`
    case 500:
      return `an error on the server${suffix} has prevented the request from succeeding`
    default:
      return `the server responded with the status code ${code} but did not return more information${suffix}`
  }
}
