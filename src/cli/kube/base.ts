// The base of every kctl command: kubectl's global flags, argv read as pflag reads it, one
// connection per run (opened on first use, closed at the end), and every failure printed in
// kubectl's words with exit code 1.
import {Command, loadHelpClass} from '@oclif/core'
import type {KubeClient} from '../../client/kube/client.js'
import {parseArgv, type FlagValue} from './argv.js'
import type {Connection, GlobalOptions} from './connect.js'
import {aggregateText, AlreadyReported, KctlError} from './errors.js'
import {flagSpecs, kubeGlobalFlags} from './flags.js'

/** cobra's check of a required flag, logged through klog as kubectl 1.32 logs it. */
export function requiredFlagError(name: string): KctlError {
  const now = new Date()
  const two = (n: number) => String(n).padStart(2, '0')
  const stamp = `${two(now.getMonth() + 1)}${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${String(now.getMilliseconds() * 1000).padStart(6, '0')}`
  const message = `required flag(s) "${name}" not set`
  return new KctlError(message, `E${stamp} ${String(process.pid).padStart(7)} run.go:72] "command failed" err=${JSON.stringify(message)}\n`)
}

/** Thrown after `-h` printed the help: nothing more to do. */
class HelpShown extends Error {}

export type Flags = Record<string, FlagValue>

export abstract class KctlCommand extends Command {
  static override baseFlags = kubeGlobalFlags
  static override strict = false

  protected flags: Flags = {}
  protected given = new Set<string>()
  /** how many positional arguments came before `--` (-1: no `--`) */
  protected dashIndex = -1
  private connection?: Promise<Connection>

  /** The words of this command as kubectl names it in `See 'kubectl get --help'`. */
  protected get commandPath(): string {
    return (this.id ?? '').split(':').join(' ')
  }

  /** Reads argv (pflag rules) into `this.flags`; the positional arguments. */
  protected readArgv(): string[] {
    const ctor = this.ctor as unknown as typeof KctlCommand
    const specs = flagSpecs({...kubeGlobalFlags, ...(ctor.flags ?? {})})
    const parsed = parseArgv(this.argv, specs)
    if (parsed.help) throw new HelpShown()
    this.flags = parsed.flags
    this.given = parsed.given
    this.dashIndex = parsed.dashIndex
    return parsed.args
  }

  protected str(name: string): string | undefined {
    const v = this.flags[name]
    return typeof v === 'string' ? v : undefined
  }

  protected bool(name: string): boolean {
    return this.flags[name] === true
  }

  protected list(name: string): string[] {
    const v = this.flags[name]
    return Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? [v] : []
  }

  protected int(name: string): number | undefined {
    const v = this.str(name)
    return v === undefined ? undefined : Number(v)
  }

  /** `--user` names subjects here (create rolebinding), not the kubeconfig user. */
  protected userIsSubject = false
  /** The command needs the controllers (the garbage collector) when the API server is embedded. */
  protected embeddedControllers = false

  protected globalOptions(): GlobalOptions {
    const s = (n: string) => {
      const v = this.str(n)
      return v === undefined || v === '' ? undefined : v
    }
    return {
      kubeconfig: s('kubeconfig'),
      context: s('context'),
      cluster: s('cluster'),
      user: this.userIsSubject ? undefined : s('user'),
      namespace: s('namespace'),
      server: s('server'),
      token: s('token'),
      username: s('username'),
      password: s('password'),
      certificateAuthority: s('certificate-authority'),
      clientCertificate: s('client-certificate'),
      clientKey: s('client-key'),
      insecureSkipTlsVerify: this.given.has('insecure-skip-tls-verify') ? this.bool('insecure-skip-tls-verify') : undefined,
      requestTimeout: s('request-timeout'),
      dataDir: s('data-dir') ?? process.env['ECTL_DATA_DIR'],
      embeddedControllers: this.embeddedControllers,
    }
  }

  /** Runs a generator's object through `create` (or prints it, for a client dry run). */
  protected async submitGenerated(obj: import('../../client/kube/client.js').KubeObject): Promise<void> {
    const {parseDryRun, submitObject} = await import('./create-run.js')
    const {namespace} = await this.namespace()
    this.out(
      await submitObject(obj, {
        dryRun: parseDryRun(this.str('dry-run')),
        output: this.str('output'),
        namespace,
        fieldManager: this.str('field-manager'),
        client: () => this.client(),
        generated: true,
      }),
    )
  }

  /** The one NAME a generator takes (words after `--` are a command, not names). */
  protected oneName(args: string[]): string {
    const names = this.dashIndex >= 0 ? args.slice(0, this.dashIndex) : args
    if (names.length !== 1) {
      throw new KctlError(
        `exactly one NAME is required, got ${names.length}`,
        `error: exactly one NAME is required, got ${names.length}\nSee 'kctl ${this.commandPath} -h' for help and examples\n`,
      )
    }
    return names[0]!
  }

  /** The words after `--`. */
  protected commandWords(args: string[]): string[] {
    return this.dashIndex >= 0 ? args.slice(this.dashIndex) : []
  }

  /** A required flag kubectl (cobra) checks before running. */
  protected required(name: string): string {
    const v = this.str(name)
    if (v === undefined || v === '') {
      throw requiredFlagError(name)
    }
    return v
  }

  protected connect(): Promise<Connection> {
    this.connection ??= import('./connect.js').then(({openConnection}) => openConnection(this.globalOptions()))
    return this.connection
  }

  /**
   * The namespace of a request without connecting: -n, else the context's, else `default`;
   * `explicit` when -n gave it (kubectl then writes it into objects it makes).
   */
  protected async namespace(): Promise<{namespace: string; explicit: boolean}> {
    const o = this.globalOptions()
    if (o.namespace !== undefined) return {namespace: o.namespace, explicit: true}
    const {loadConfig} = await import('./connect.js')
    const {resolveConnection} = await import('../../client/kube/kubeconfig.js')
    try {
      return {namespace: resolveConnection(loadConfig(o.kubeconfig).config, o).namespace, explicit: false}
    } catch {
      return {namespace: 'default', explicit: false}
    }
  }

  protected async client(): Promise<KubeClient> {
    return (await this.connect()).client
  }

  protected out(text: string): void {
    process.stdout.write(text)
  }

  /** Failures reported so far; printed together at the end, as kubectl's aggregate errors. */
  private failures: unknown[] = []

  /** Records one failure and goes on; the command exits 1 at the end. */
  protected report(err: unknown): void {
    this.failures.push(err)
    process.exitCode = 1
  }

  protected override async catch(err: Error): Promise<void> {
    if (err instanceof HelpShown) {
      const Help = await loadHelpClass(this.config)
      await new Help(this.config, this.config.pjson.oclif.helpOptions ?? this.config.pjson.helpOptions).showHelp([this.id ?? ''])
      return
    }
    if ((err as {oclif?: {exit?: number}}).oclif?.exit !== undefined && err.constructor.name === 'ExitError') throw err
    if (err instanceof KctlError && err.stdout !== undefined) process.stdout.write(err.stdout)
    if (!(err instanceof AlreadyReported)) this.failures.push(err)
    process.exitCode = 1
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    if (this.failures.length > 0) process.stderr.write(aggregateText(this.failures, this.commandPath))
    this.failures = []
    const c = this.connection
    this.connection = undefined
    if (c !== undefined) {
      try {
        await (await c).client.close()
      } catch {
        // the connection never opened: nothing to close
      }
    }
    return super.finally(err)
  }
}
