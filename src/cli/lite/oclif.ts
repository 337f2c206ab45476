// What our commands take from @oclif/core, for the lite bundles (dist/kctl-lite.cjs and
// dist/ectl-lite.cjs, where the build points '@oclif/core' here): a Command that runs as oclif's
// does once oclif has found it, flag declarations, and for ectl's commands oclif's parser for the
// flags they declare (./parse.ts). Loading and starting oclif (its modules, the manifest, the
// theme, plugins) is most of a short run; a command needs none of it. Help, and any failure that
// escapes a command, go to the full bundle, where oclif prints them; so does a command line the
// lite parser leaves to oclif (LiteDeclined), before the command has done anything.
import {join} from 'node:path'
import type {FullBundle} from './full-bundle.js'
import {type LiteFlag, LiteDeclined, liteParse, type LiteParserOutput} from './parse.js'

export {LiteDeclined} from './parse.js'

/** The part of oclif's Config the lite commands read. */
export interface LiteConfig {
  root: string
  name: string
  version: string
  bin: string
  pjson: {name: string; version: string; oclif: {bin?: string; helpOptions?: unknown; additionalHelpFlags?: string[]}; helpOptions?: unknown}
  userAgent: string
  /** the full bundle, loaded when something needs real oclif */
  full: () => FullBundle
}

/** oclif's isProd(): its development warnings show only under NODE_ENV development or test. */
function isProd(): boolean {
  return !['development', 'test'].includes(process.env['NODE_ENV'] ?? '')
}

interface FlagOptions {
  char?: string
  description?: string
  default?: unknown
  multiple?: boolean
  hidden?: boolean
  helpValue?: string
  options?: string[]
  allowNo?: boolean
}

/** oclif's flag kinds, as kctl's flagSpecs and the lite parser read them (type, char, default). */
export const Flags = {
  string: (o: FlagOptions) => ({...o, type: 'option' as const, multiple: o.multiple ?? false}),
  boolean: (o: FlagOptions) => ({...o, type: 'boolean' as const, allowNo: o.allowNo ?? false}),
}

/** oclif's error classes our commands test for; nothing on the lite path throws them. */
class CLIError extends Error {}
class ExitError extends CLIError {}
export const Errors = {CLIError, ExitError}

export abstract class Command {
  static id: string | undefined
  static state?: string
  static deprecateAliases?: boolean
  /** set by the statics of each command (read by kctl's own parser) */
  static flags: Record<string, unknown> | undefined
  static baseFlags: Record<string, unknown> | undefined
  static strict: boolean | undefined

  id: string | undefined
  protected parsed = false

  constructor(
    public argv: string[],
    public config: LiteConfig,
  ) {
    this.id = this.ctor.id
  }

  get ctor(): typeof Command {
    return this.constructor as typeof Command
  }

  abstract run(): Promise<unknown>

  /** oclif's Command._run: the same steps, in the same order. */
  async _run(): Promise<unknown> {
    let err: Error | undefined
    let result: unknown
    try {
      // oclif removes <BIN>_REDIRECTED so a subsession can run an auto-updated client
      delete process.env[`${this.config.bin.replaceAll('@', '').replaceAll(/[/-]/g, '_')}_REDIRECTED`.toUpperCase()]
      await this.init()
      result = await this.run()
    } catch (error) {
      err = error as Error
      // nothing ran yet: the full bundle runs the command through oclif
      if (error instanceof LiteDeclined) throw error
      await this.catch(err)
    } finally {
      await this.finally(err)
    }
    if (!this.parsed && !isProd()) {
      process.emitWarning(`Command ${this.id} did not parse its arguments. Did you forget to call 'this.parse'?`, {code: 'UnparsedCommand'})
    }
    return result
  }

  /** oclif's Command.parse, for flags the lite parser follows oclif in (else LiteDeclined). */
  protected async parse(
    options: {flags?: Record<string, unknown>; baseFlags?: Record<string, unknown>; args?: Record<string, unknown>; strict?: boolean},
    argv: string[] = this.argv,
  ): Promise<LiteParserOutput> {
    if (options.strict !== false) throw new LiteDeclined('a strict command')
    const flags = {...options.baseFlags, ...options.flags} as Record<string, LiteFlag>
    const parsed = liteParse(argv, flags, options.args)
    this.argv = [...argv]
    this.parsed = true
    return parsed
  }

  async init(): Promise<void> {
    const g = globalThis as Record<string, unknown> & {'http-call'?: {userAgent?: string}}
    g['http-call'] = g['http-call'] || {}
    g['http-call'].userAgent = this.config.userAgent
  }

  async catch(err: Error & {exitCode?: number}): Promise<void> {
    process.exitCode = process.exitCode ?? err.exitCode ?? 1
    throw err
  }

  async finally(_err: Error | undefined): Promise<void> {}
}

/** oclif's help, from the full bundle (a real Config, the manifest, the theme). */
export async function loadHelpClass(config: LiteConfig): Promise<new (config: LiteConfig, options?: unknown) => {showHelp(argv: string[]): Promise<void>}> {
  return class {
    constructor(private readonly liteConfig: LiteConfig) {}

    async showHelp(argv: string[]): Promise<void> {
      await this.liteConfig.full().showHelp(join(config.root, 'package.json'), argv)
    }
  }
}
