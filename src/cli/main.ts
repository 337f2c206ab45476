// Entry of both executables: hands argv to the command set of one CLI (cli/<name>/package.json
// names its commands; the manifest generated at build time lists their flags without loading
// them, and each command's module is imported only when it runs).
import {Config, Errors, flush, handle, loadHelpClass, run} from '@oclif/core'
import {hoistLeadingFlags} from './leading-flags.js'

export async function main(cli: 'ectl' | 'kctl', packageDir: string): Promise<void> {
  const dir = `${packageDir}/cli/${cli}/package.json`
  if (cli === 'kctl') {
    const {kctlMain} = await import('./kube/main.js')
    await kctlMain(dir)
    return
  }
  // etcdctl takes global flags before the command, and words an unknown command its own way
  try {
    await run(hoistLeadingFlags(process.argv.slice(2)), dir)
    await flush()
  } catch (err) {
    const unknown = err instanceof Errors.CLIError ? /^command (\S+) not found$/.exec(err.message) : null
    if (unknown === null) {
      await handle(err as Error)
      return
    }
    const message = `unknown command "${unknown[1]!.split(':')[0]}" for "etcdctl"`
    process.stderr.write(`Error: ${message}\nRun 'etcdctl --help' for usage.\nError: ${message}\n`)
    process.exitCode = 1
  }
}

/** oclif's help for these words, as a command's `-h` shows it (the lite bundle asks here). */
export async function showHelp(packageJson: string, argv: string[]): Promise<void> {
  const config = await Config.load(packageJson)
  const Help = await loadHelpClass(config)
  await new Help(config, config.pjson.oclif.helpOptions ?? config.pjson.helpOptions).showHelp(argv)
}

/** oclif's report of a failure that escaped a command (the lite bundle's failures end here). */
export async function handleError(err: unknown): Promise<void> {
  await handle(err as Error)
}

/** oclif's CLIError, for a failure the lite bundle words as oclif would. */
export function cliError(message: string): Error {
  return new Errors.CLIError(message)
}
