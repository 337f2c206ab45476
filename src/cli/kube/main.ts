// kctl's entry: kubectl takes global flags before the command (`kctl -n kube-system get pods`),
// which oclif would read as the command id; they move after the command words. An unknown
// command is worded as kubectl words it.
import {Errors, flush, handle, run} from '@oclif/core'
import {hoistKubeFlags} from './hoist-flags.js'

export {hoistKubeFlags}

export async function kctlMain(dir: string): Promise<void> {
  try {
    await run(hoistKubeFlags(process.argv.slice(2)), dir)
    await flush()
  } catch (err) {
    const unknown = err instanceof Errors.CLIError ? /^command (\S+) not found$/.exec(err.message) : null
    if (unknown === null) {
      await handle(err as Error)
      return
    }
    process.stderr.write(`Error: unknown command "${unknown[1]!.split(':')[0]}" for "kctl"\nRun 'kctl --help' for usage.\n`)
    process.exitCode = 1
  }
}
