// How kctl reports failures, in kubectl's words: `error: ...` for its own, `Error from server
// (Reason): ...` for the API server's, the connection messages of client-go, and cobra's
// `Error: unknown flag` with the usage hint. Every one exits 1.
import {KubeApiError, KubeConfigError, KubeConnectionError} from '../../client/kube/errors.js'
import {FlagError} from './argv.js'

/** A failure whose whole stderr text is known. */
export class KctlError extends Error {
  constructor(
    message: string,
    /** the exact stderr text; default `error: <message>\n` */
    readonly stderr?: string,
    /** what kubectl writes to stdout before it fails (a template's output so far) */
    readonly stdout?: string,
  ) {
    super(message)
    this.name = 'KctlError'
  }
}

/** Several failures already reported one by one: just exit 1. */
export class AlreadyReported extends Error {
  constructor() {
    super('already reported')
    this.name = 'AlreadyReported'
  }
}

/** kubectl's StandardErrorMessage for an API error. */
export function apiErrorText(err: KubeApiError): string {
  if (err.reason === 'Unauthorized') return `error: You must be logged in to the server (${err.message})`
  if (err.reason !== '') return `Error from server (${err.reason}): ${err.message}`
  return `Error from server: ${err.message}`
}

export function connectionErrorText(err: KubeConnectionError): string {
  if (err.causeCode === 'ECONNREFUSED') return `The connection to the server ${err.host} was refused - did you specify the right host or port?`
  return `Unable to connect to the server: ${err.message}`
}

/** The stderr text of any failure (one or more lines, newline-terminated). */
/**
 * kubectl's words for a lone 422 Invalid with details (its CheckErr): `The ConfigMap "x" is
 * invalid: <cause>`, or one cause a line when there are several.
 */
export function invalidText(err: KubeApiError): string | undefined {
  const details = err.status.details
  if (err.reason !== 'Invalid' || details === undefined) return undefined
  let head = 'The request is invalid'
  const causes = details.causes ?? []
  if ((details.kind ?? '') !== '' || (details.name ?? '') !== '') head = `The ${details.kind ?? ''} ${JSON.stringify(details.name ?? '')} is invalid`
  else if (causes.length > 0 && causes[0]!.field) head = `The request is invalid: ${causes[0]!.field}`
  if (causes.length === 0) return `${head}\n`
  // "field: message" for each cause, repeated ones once (kubectl's statusCausesToAggrError)
  const lines = [...new Set(causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`))]
  if (lines.length === 1) return `${head}: ${lines[0]}\n`
  return `${head}: \n${lines.map((l) => `* ${l}`).join('\n')}\n`
}

export function errorText(err: unknown, commandPath: string): string {
  if (err instanceof FlagError) return `Error: ${err.message}\nSee 'kctl ${commandPath} --help' for usage.\n`
  if (err instanceof KctlError) return err.stderr ?? `error: ${err.message}\n`
  if (err instanceof KubeApiError) return invalidText(err) ?? `${apiErrorText(err)}\n`
  if (err instanceof KubeConnectionError) return `${connectionErrorText(err)}\n`
  if (err instanceof KubeConfigError) return `error: ${err.message}\n`
  return `error: ${err instanceof Error ? err.message : String(err)}\n`
}

/**
 * Several failures as kubectl prints an aggregate: one alone as usual; several one a line, API
 * errors in their `Error from server` form and the others without the `error: ` prefix.
 */
export function aggregateText(errs: unknown[], commandPath: string): string {
  if (errs.length === 1) return errorText(errs[0], commandPath)
  return errs
    .map((e) => {
      // several errors print each in its `Error from server` form, Invalid ones included
      if (e instanceof KubeApiError) return `${apiErrorText(e)}\n`
      if (e instanceof FlagError || (e instanceof KctlError && e.stderr !== undefined)) return errorText(e, commandPath)
      return `${e instanceof Error ? e.message : String(e)}\n`
    })
    .join('')
}
