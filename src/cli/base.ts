// The base of every ectl command: etcdctl's global flags and environment variables, argument
// parsing that fails with cobra's words and exit codes, one client per run (closed at the end),
// and every failure printed as etcdctl prints it: `Error: <message>` on stderr.
import {Command, Errors, Interfaces, loadHelpClass} from '@oclif/core'
import type {FullEtcdClient} from '../client/etcd/client.js'
import {EtcdError} from '../api/errors.js'
import {CliError, ExitCode} from './exit.js'
import {ENV_SETTABLE, envName, globalFlags, logTimestamp, unknownEtcdctlEnv} from './global-flags.js'
import {goParseDurationMs} from './go-duration.js'
import {goParseBool, goParseInt} from './go-format.js'
import {unaryFailureWarning} from './grpc-warning.js'
import {durationFlags, type NetworkFlags} from './network-options.js'
import {checkOutputFormat, render, type OutputFormat, type PrintOptions} from './printers/printer.js'
import {usageText, type UsageFlag} from './usage.js'

/** What etcdctl calls the command, for the usage text cobra prints on a flag error. */
export interface EtcdctlMeta {
  /** cobra's Use line: `get [options] <key> [range_end]` */
  use: string
  short: string
  long?: string
  /** flags etcdctl declares as int64 (their values are checked as cobra checks them) */
  intFlags?: string[]
  /** flags etcdctl 3.4 lacks (added in 3.5): left out of the usage text, which follows 3.4 */
  since35?: string[]
}

export interface Globals {
  writeOut: string
  hex: boolean
  dataDir?: string
  endpoints?: string[]
  /** Timeouts, TLS and user for --endpoints. */
  network?: NetworkFlags
}

type AnyFlags = Record<string, unknown>
type FlagOutput = Record<string, unknown>
type ArgOutput = Record<string, unknown>

/** Thrown after `-h` printed the help: nothing more to do, exit 0. */
class HelpShown extends Error {}

export abstract class EctlCommand extends Command {
  static override baseFlags = globalFlags
  // etcdctl ignores surplus arguments and checks counts itself, with its own messages
  static override strict = false
  static etcdctl: EtcdctlMeta

  protected globals: Globals = {writeOut: 'simple', hex: false}
  private openedClient?: FullEtcdClient

  /**
   * Parses argv as etcdctl would: `--flag=true|false` for booleans, `-h` for help, ETCDCTL_*
   * variables, int flags checked; returns the flags and the positional arguments.
   */
  protected async parseEtcdctl<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options: Interfaces.Input<F, B, A>,
  ): Promise<{flags: F & B; args: string[]}> {
    const meta = (this.ctor as unknown as typeof EctlCommand).etcdctl
    const allFlags = {...options.baseFlags, ...options.flags} as Record<string, {type: string; char?: string}>
    const {argv, explicit} = this.normalizeArgv(allFlags)

    let parsed: Interfaces.ParserOutput<F, B, A>
    try {
      // oclif copies a command class's own statics only: an inherited `strict` would be lost
      const input = {flags: options.flags, baseFlags: options.baseFlags, args: options.args, strict: false}
      parsed = await this.parse(input as Interfaces.Input<F, B, A>, argv)
    } catch (err) {
      throw this.cobraParseError(err)
    }
    const flags = parsed.flags as AnyFlags
    for (const [name, value] of explicit) flags[name] = value

    const given = new Set<string>(explicit.keys())
    for (const token of parsed.raw) if (token.type === 'flag') given.add(token.flag)
    this.applyEnv(flags, given, allFlags)

    for (const name of meta?.intFlags ?? []) {
      const raw = flags[name]
      if (typeof raw !== 'string') continue
      try {
        goParseInt(raw, 10)
      } catch (err) {
        throw this.flagError(`invalid argument "${raw}" for "--${name}" flag: ${(err as Error).message}`)
      }
    }

    for (const name of durationFlags) {
      const raw = flags[name]
      if (typeof raw !== 'string') continue
      try {
        goParseDurationMs(raw)
      } catch (err) {
        throw this.flagError(`invalid argument "${raw}" for "--${name}" flag: ${(err as Error).message}`)
      }
    }

    if (typeof flags['discovery-srv'] === 'string' && flags['discovery-srv'] !== '') {
      throw new CliError(ExitCode.badArgs, '--discovery-srv: DNS discovery is not supported; give the members with --endpoints')
    }
    const endpoints = flags['endpoints'] as string | undefined
    if (endpoints !== undefined && given.has('data-dir')) {
      throw new CliError(ExitCode.badArgs, '--endpoints and --data-dir cannot be used together: --endpoints talks to servers over the network, --data-dir opens an embedded engine')
    }
    this.globals = {
      writeOut: flags['write-out'] as string,
      hex: flags['hex'] as boolean,
      // ECTL_DATA_DIR in the environment gives way to --endpoints
      dataDir: endpoints === undefined ? (flags['data-dir'] as string | undefined) : undefined,
      endpoints: endpoints === undefined ? undefined : endpoints.split(',').filter((e) => e !== ''),
      network: flags as NetworkFlags,
    }
    return {flags: flags as F & B, args: parsed.argv as string[]}
  }

  /** Rewrites what oclif cannot read the way pflag does; shows the help on `-h`. */
  private normalizeArgv(allFlags: Record<string, {type: string}>): {argv: string[]; explicit: Map<string, boolean>} {
    const argv: string[] = []
    const explicit = new Map<string, boolean>()
    for (let i = 0; i < this.argv.length; i++) {
      const token = this.argv[i]!
      if (token === '--') {
        argv.push(...this.argv.slice(i))
        break
      }
      if (token === '-h') throw new HelpShown()
      const m = /^--([^=]+)=(.*)$/s.exec(token)
      if (m !== null && allFlags[m[1]!]?.type === 'boolean') {
        try {
          explicit.set(m[1]!, goParseBool(m[2]!))
        } catch (err) {
          throw this.flagError(`invalid argument "${m[2]}" for "--${m[1]}" flag: ${(err as Error).message}`)
        }
        continue
      }
      argv.push(token)
    }
    return {argv, explicit}
  }

  private applyEnv(flags: AnyFlags, given: Set<string>, allFlags: Record<string, {type: string}>): void {
    for (const name of unknownEtcdctlEnv(process.env)) {
      process.stderr.write(`${logTimestamp(new Date())} W | pkg/flags: unrecognized environment variable ${name}=${process.env[name]}\n`)
    }
    for (const name of ENV_SETTABLE) {
      const variable = envName(name)
      const value = process.env[variable]
      if (value === undefined) continue
      if (given.has(name)) {
        throw new CliError(
          ExitCode.error,
          `conflicting environment variable "${variable}" is shadowed by corresponding command-line flag`,
          '',
          `${logTimestamp(new Date())} C | pkg/flags: conflicting environment variable "${variable}" is shadowed by ` +
            'corresponding command-line flag (either unset environment variable or disable flag)\n',
        )
      }
      if (allFlags[name]?.type === 'boolean') {
        try {
          flags[name] = goParseBool(value)
        } catch (err) {
          throw new CliError(ExitCode.error, `invalid value ${JSON.stringify(value)} for ${variable}: ${(err as Error).message}`)
        }
      } else {
        flags[name] = value
      }
    }
  }

  /** cobra's report of a bad flag: the usage on stdout, the error (twice, as etcdctl) on stderr, exit 1. */
  protected flagError(message: string): CliError {
    return new CliError(ExitCode.error, message, this.usage(), `Error: ${message}\n\nError: ${message}\n`)
  }

  private cobraParseError(err: unknown): Error {
    if (err instanceof Errors.CLIError) {
      const nonExistent = (err as {flags?: string[]}).flags
      if (err.constructor.name === 'NonExistentFlagsError' && nonExistent !== undefined && nonExistent.length > 0) {
        // oclif names the whole token (`--nope=1`); cobra names the flag alone
        const flag = nonExistent[0]!.split('=')[0]!
        return this.flagError(
          flag.startsWith('--') ? `unknown flag: ${flag}` : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`,
        )
      }
      const needsValue = /^Flag --(\S+) expects a value/.exec(err.message)
      if (needsValue !== null) return this.flagError(`flag needs an argument: --${needsValue[1]}`)
    }
    return err as Error
  }

  /** etcdctl's usage text for this command, from our flag metadata. */
  protected usage(): string {
    const ctor = this.ctor as unknown as typeof EctlCommand
    const meta = ctor.etcdctl ?? {use: this.id ?? '', short: ctor.description ?? ''}
    const ints = new Set(meta.intFlags ?? [])
    const hidden = new Set(meta.since35 ?? [])
    const own = Object.entries(ctor.flags ?? {}).filter(([name]) => !hidden.has(name))
    const flags: UsageFlag[] = own.map(([name, f]) => {
      const def = f as {type: string; char?: string; description?: string; default?: unknown}
      const kind = def.type === 'boolean' ? 'bool' : ints.has(name) ? 'int' : 'string'
      const fallback = kind === 'bool' ? 'false' : kind === 'int' ? '0' : ''
      return {
        name,
        char: def.char,
        kind,
        defaultValue: def.default === undefined ? fallback : String(def.default),
        usage: def.description ?? '',
      }
    })
    // the USAGE line names etcdctl: this text is etcdctl's, byte for byte, for drop-in scripts
    return usageText({bin: 'etcdctl', use: meta.use, short: meta.short, long: meta.long, flags})
  }

  /** The client for this run; opened on first use, closed when the command ends. */
  protected async client(): Promise<FullEtcdClient> {
    if (this.openedClient !== undefined) return this.openedClient
    checkOutputFormat(this.globals.writeOut)
    const {openClient} = await import('./connect.js')
    try {
      this.openedClient = await openClient({dataDir: this.globals.dataDir, endpoints: this.globals.endpoints, network: this.globals.network})
    } catch (err) {
      if (err instanceof CliError) throw err
      // a failed Authenticate is a failed unary call: the Go client logs it as any other
      if (err instanceof EtcdError && this.globals.endpoints !== undefined) process.stderr.write(this.warningLine(err))
      throw new CliError(ExitCode.badConnection, (err as Error).message)
    }
    return this.openedClient
  }

  protected get format(): OutputFormat {
    return checkOutputFormat(this.globals.writeOut)
  }

  protected write(out: Buffer | string): void {
    process.stdout.write(out)
  }

  /** Prints a response in the chosen format (etcdctl refuses table only now, after the call). */
  protected print(
    kind: Parameters<typeof render>[0],
    resp: Parameters<typeof render>[2],
    options: Partial<PrintOptions> = {},
  ): void {
    this.write(render(kind, this.format, resp, {hex: this.globals.hex, ...options}))
  }

  protected override async catch(err: Error): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    if (err instanceof HelpShown) {
      const Help = await loadHelpClass(this.config)
      await new Help(this.config, this.config.pjson.oclif.helpOptions ?? this.config.pjson.helpOptions).showHelp([this.id ?? ''])
      return
    }
    if (err instanceof EtcdError) process.stderr.write(this.warningLine(err))
    const failure = toCliError(err)
    if (failure.stdout !== '') process.stdout.write(failure.stdout)
    process.stderr.write(failure.stderr ?? `${errorLabel()} ${failure.message}\n`)
    process.exitCode = failure.exitCode
  }

  private warningLine(err: EtcdError): string {
    return unaryFailureWarning(err, this.globals.endpoints?.[0] ?? '127.0.0.1:2379', new Date())
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    const client = this.openedClient
    this.openedClient = undefined
    if (client !== undefined) await client.close()
    return super.finally(err)
  }
}

/** Any failure as the CliError etcdctl would have exited with. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err
  if (err instanceof EtcdError) return new CliError(ExitCode.error, err.message)
  return new CliError(ExitCode.error, err instanceof Error ? err.message : String(err))
}

/** `Error:`, red on a terminal that wants colour (never when piped, never with NO_COLOR). */
function errorLabel(): string {
  const colour = process.stderr.isTTY === true && process.env['NO_COLOR'] === undefined
  return colour ? '\u001b[31mError:\u001b[39m' : 'Error:'
}

/** Reads all of stdin (the value of `put KEY` with no VALUE), up to `limitBytes`. */
export async function readStdin(limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length
    if (size > limitBytes) throw new CliError(ExitCode.io, `input larger than ${limitBytes} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}
