// Entry of both executables: hands argv to the command set of one CLI (cli/<name>/package.json
// names its commands; the manifest generated at build time lists their flags without loading
// them, and each command's module is imported only when it runs).
import {execute} from '@oclif/core'
import {hoistLeadingFlags} from './leading-flags.js'

export async function main(cli: 'ectl' | 'kctl', packageDir: string): Promise<void> {
  // etcdctl takes global flags before the command; kubectl's are handled by its commands
  const args = cli === 'ectl' ? hoistLeadingFlags(process.argv.slice(2)) : undefined
  await execute({dir: `${packageDir}/cli/${cli}/package.json`, args})
}
