// kctl's quick start (dist/kctl-lite.cjs): a command that oclif would find and run as it is —
// `kctl get pods`, `kctl -n x describe pod web` — runs here on the lite stand-in for oclif
// (src/cli/lite/oclif.ts), skipping oclif's start-up. Anything else oclif decides — help and
// version flags, topics and two-word commands, unknown commands, DEBUG output — is left to the
// full bundle: liteMain answers false and the launcher runs that instead.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FullBundle} from '../lite/full-bundle.js'
import type {Command, LiteConfig} from '../lite/oclif.js'
import {hoistKubeFlags} from './hoist-flags.js'

/** A kctl command class as the lite bundle builds it: a Command of the stand-in. */
type LiteCommandClass = Omit<typeof Command, 'prototype'> & (new (argv: string[], config: LiteConfig) => Command) & {args?: Record<string, unknown>}

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
 * its id, since kctl's commands take any arguments), and no help flag comes before `--`.
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
export async function liteMain(packageDir: string, commands: Record<string, unknown>, full: () => FullBundle): Promise<boolean> {
  // oclif's debug output (DEBUG=*) comes from its own start-up
  if (process.env['DEBUG']) return false
  const root = join(packageDir, 'cli', 'kctl')
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as LiteConfig['pjson']
  const argv = hoistKubeFlags(process.argv.slice(2))
  const helpFlags = [...new Set([...(pjson.oclif.additionalHelpFlags ?? []), '--help'])]
  const command = liteCommand(argv, commands, helpFlags)
  if (command === undefined) return false

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
    await full().handleError(err)
  }
  return true
}
