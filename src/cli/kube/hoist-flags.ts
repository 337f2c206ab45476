// kubectl takes global flags before the command (`kctl -n kube-system get pods`), which oclif
// would read as the command id: they move after the command words.
import {moveLeadingFlags} from '../leading-flags.js'
import {GLOBAL_VALUE_FLAGS} from './flags.js'

export function hoistKubeFlags(argv: string[]): string[] {
  return moveLeadingFlags(
    argv,
    (t) => !t.includes('=') && GLOBAL_VALUE_FLAGS.has(t),
    (t) => t === '--help' || t === '-h' || t === '--version',
  )
}
