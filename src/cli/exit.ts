// etcdctl's exit codes and the error a command raises to end with one. etcdctl prints every
// failure as `Error: <message>` on stderr and exits with the code of its kind; scripts test
// these codes, so each failure in ectl names the same kind etcdctl uses.

export const ExitCode = {
  success: 0,
  /** the request reached the server and failed (etcdserver: ...) */
  error: 1,
  /** no client could be made (dial failed, data dir unusable) */
  badConnection: 2,
  /** malformed input read from stdin (txn) */
  invalidInput: 3,
  /** a flag value names something unsupported (output format, sort order, consistency) */
  badFeature: 4,
  interrupted: 5,
  io: 6,
  /** wrong number of arguments or conflicting flags */
  badArgs: 128,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** A failure to report as etcdctl does: `Error: <message>` on stderr, then exit `exitCode`. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    /** printed on stdout before the error (cobra prints the usage for a bad flag) */
    readonly stdout = '',
    /** the whole stderr text when it is not `Error: <message>\n` */
    readonly stderr?: string,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

export const badArgs = (message: string): CliError => new CliError(ExitCode.badArgs, message)
export const badFeature = (message: string): CliError => new CliError(ExitCode.badFeature, message)
export const invalidInput = (message: string): CliError => new CliError(ExitCode.invalidInput, message)
