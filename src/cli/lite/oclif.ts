// What kctl's commands take from @oclif/core, for the lite bundle (dist/kctl-lite.cjs, where
// the build points '@oclif/core' here): a Command that runs as oclif's does once oclif has found
// it, and flag declarations carrying what kctl's own argv parser reads. Loading and starting
// oclif (its modules, the manifest, the theme, plugins) is most of a kctl run that has a warm
// server to ask; kctl parses its argv itself, so a command needs none of it. Help, and any
// failure that escapes a command, go to the full bundle, where oclif prints them.
import {join} from 'node:path'
import type {FullBundle} from './full-bundle.js'

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

/** oclif's flag kinds as kctl's flagSpecs reads them (type, char, default). */
export const Flags = {
  string: (o: FlagOptions) => ({...o, type: 'option' as const, multiple: o.multiple ?? false}),
  boolean: (o: FlagOptions) => ({...o, type: 'boolean' as const, allowNo: o.allowNo ?? false}),
}

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
      await this.catch(err)
    } finally {
      await this.finally(err)
    }
    if (!this.parsed && !isProd()) {
      process.emitWarning(`Command ${this.id} did not parse its arguments. Did you forget to call 'this.parse'?`, {code: 'UnparsedCommand'})
    }
    return result
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
