// The lite bundles' start (dist/kctl-lite.cjs, dist/ectl-lite.cjs): a command that oclif would
// find and run as it is — `kctl get pods`, `ectl get k` — runs here on the stand-in for oclif
// (./oclif.ts), skipping oclif's start-up. Anything else oclif decides — help and version flags,
// topics and two-word commands, unknown commands, DEBUG output — and any command line the lite
// parser leaves to oclif is run by the full bundle: runLite answers false and the launcher runs
// that instead.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FullBundle} from './full-bundle.js'
import {type Command, type LiteConfig, LiteDeclined} from './oclif.js'

/** A command class as a lite bundle builds it: a Command of the stand-in. */
type LiteCommandClass = Omit<typeof Command, 'prototype'> & (new (argv: string[], config: LiteConfig) => Command) & {args?: Record<string, unknown>}

export interface LiteRoute {
  cli: 'ectl' | 'kctl'
  /** argv as oclif would read it (leading global flags already moved after the command) */
  argv: string[]
  /** the commands of the lite bundle, by id (getters: a module is evaluated when its command runs) */
  commands: Record<string, unknown>
  /** words the CLI's own code reads before oclif would (ectl's `-h`): the full bundle runs them */
  leaveToOclif?: (argv: string[]) => boolean
}

/** oclif's flush(): resolves once stdout has taken everything written (at most `ms`). */
async function flush(full: () => FullBundle, ms = 10_000): Promise<void> {
  const drained = new Promise((resolve) => process.stdout.once('drain', () => resolve(null)))
  if (process.stdout.write('')) return
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(full().cliError('timed out')), ms)
    timer.unref()
  })
  try {
    await Promise.race([drained, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The command oclif would run for argv, if it would run one without deciding anything else
 * first: the first word is a command that is no topic (oclif then reads no further words into
 * its id, since these commands take any arguments), and no help flag comes before `--`.
 */
function liteCommand(argv: string[], commands: Record<string, unknown>, helpFlags: string[]): LiteCommandClass | undefined {
  const id = argv[0]
  if (id === undefined || id.includes(':') || !Object.hasOwn(commands, id)) return undefined
  if (Object.keys(commands).some((other) => other.startsWith(`${id}:`))) return undefined
  for (const arg of argv) {
    if (helpFlags.includes(arg)) return undefined
    if (arg === '--') break
  }
  const command = commands[id] as LiteCommandClass
  if (command.strict !== false && Object.keys(command.args ?? {}).length === 0) return undefined
  if (command.state === 'deprecated' || command.deprecateAliases === true) return undefined
  command.id = id
  return command
}

/** Runs the command argv names, as oclif would; false when the full bundle must run instead. */
export async function runLite(packageDir: string, route: LiteRoute, full: () => FullBundle): Promise<boolean> {
  // oclif's debug output (DEBUG=*) comes from its own start-up
  if (process.env['DEBUG']) return false
  const root = join(packageDir, 'cli', route.cli)
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as LiteConfig['pjson'] & {oclif: {hooks?: unknown}}
  // hooks run inside oclif's start-up and parse
  if (pjson.oclif.hooks !== undefined) return false
  const {argv} = route
  const helpFlags = [...new Set([...(pjson.oclif.additionalHelpFlags ?? []), '--help'])]
  const command = liteCommand(argv, route.commands, helpFlags)
  if (command === undefined || route.leaveToOclif?.(argv) === true) return false

  const arch = process.arch === 'ia32' ? 'x86' : process.arch
  const config: LiteConfig = {
    root,
    name: pjson.name,
    version: pjson.version,
    bin: pjson.oclif.bin ?? pjson.name,
    pjson,
    userAgent: `${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}`,
    full,
  }
  try {
    await new command(argv.slice(1), config)._run()
    await flush(full)
  } catch (err) {
    if (err instanceof LiteDeclined) return false
    await full().handleError(err)
  }
  return true
}
