// kubectl takes global flags before the command (`kctl -n kube-system get pods`), which oclif
// would read as the command id: they move after the command words.
import {GLOBAL_VALUE_FLAGS} from './flags.js'

export function hoistKubeFlags(argv: string[]): string[] {
  const leading: string[] = []
  let i = 0
  while (i < argv.length) {
    const t = argv[i]!
    if (t === '--' || !t.startsWith('-') || t === '-') break
    if (t === '--help' || t === '-h' || t === '--version') break
    const takesNext = !t.includes('=') && GLOBAL_VALUE_FLAGS.has(t)
    leading.push(...argv.slice(i, takesNext ? i + 2 : i + 1))
    i += takesNext ? 2 : 1
  }
  const rest = argv.slice(i)
  if (leading.length === 0 || rest.length === 0 || rest[0] === '--') return argv
  const dashDash = rest.indexOf('--')
  return dashDash < 0 ? [...rest, ...leading] : [...rest.slice(0, dashDash), ...leading, ...rest.slice(dashDash)]
}
