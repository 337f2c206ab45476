// ectl's quick start (dist/ectl-lite.cjs): the everyday one-shot commands (scripts/build.mjs
// lists them) without oclif (./lite/run.ts); their flags go through the lite parser, which
// leaves to oclif whatever it would not parse exactly as oclif does.
import type {FullBundle} from './lite/full-bundle.js'
import {runLite} from './lite/run.js'
import {hoistLeadingFlags} from './leading-flags.js'

/** `-h` before `--` is read by EctlCommand before oclif's parser, to show oclif's help. */
function asksForHelp(argv: string[]): boolean {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).includes('-h')
}

/** Runs the command argv names, as oclif would; false when the full bundle must run instead. */
export async function liteMain(packageDir: string, commands: Record<string, unknown>, full: () => FullBundle): Promise<boolean> {
  return runLite(packageDir, {cli: 'ectl', argv: hoistLeadingFlags(process.argv.slice(2)), commands, leaveToOclif: asksForHelp}, full)
}
