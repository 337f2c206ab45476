// kctl's quick start (dist/kctl-lite.cjs): commands oclif would just run, without oclif
// (../lite/run.ts). kctl parses its own argv, so every one-word kctl command can take this
// route, except a run that would open the embedded engine, which the lite bundle leaves out.
import type {FullBundle} from '../lite/full-bundle.js'
import {runLite} from '../lite/run.js'
import {hoistKubeFlags} from './hoist-flags.js'
import {runsInProcess} from './in-process-route.js'

/** Runs the command argv names, as oclif would; false when the full bundle must run instead. */
export async function liteMain(packageDir: string, commands: Record<string, unknown>, full: () => FullBundle): Promise<boolean> {
  const leaveToOclif = (argv: string[]) => runsInProcess(argv[0] ?? '', argv.slice(1))
  return runLite(packageDir, {cli: 'kctl', argv: hoistKubeFlags(process.argv.slice(2)), commands, leaveToOclif}, full)
}
