// What the full bundle of a CLI (dist/<cli>.cjs: oclif and every command) offers the lite one,
// which loads it only when it needs real oclif: for help, and to report a failure as oclif does.
export interface FullBundle {
  /** the whole CLI, as bin/<cli>.js runs it */
  main(cli: 'ectl' | 'kctl', packageDir: string): Promise<void>
  /** oclif's help for these words, from the CLI's package.json (a path, as `run` takes it) */
  showHelp(packageJson: string, argv: string[]): Promise<void>
  /** oclif's report of a failure that escaped a command; sets the exit code */
  handleError(err: unknown): Promise<void>
  /** oclif's CLIError with this message */
  cliError(message: string): Error
}
