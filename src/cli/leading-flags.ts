// etcdctl (cobra) accepts global flags before the command: `etcdctl --endpoints=x get k`;
// oclif reads the first word as the command id. This moves the global flags that lead argv to
// just before the `--` (or the end), so `ectl --data-dir d get k` runs `get k --data-dir d`.

/** Global flags that take no value (a following word is not theirs). */
const BOOLEAN_GLOBALS = new Set(['hex', 'debug', 'insecure-transport', 'insecure-skip-tls-verify', 'insecure-discovery', 'help'])
/** Global short flags that take a value. */
const SHORT_WITH_VALUE = new Set(['w', 'd'])

export function hoistLeadingFlags(argv: string[]): string[] {
  const leading: string[] = []
  let i = 0
  while (i < argv.length) {
    const t = argv[i]!
    if (t === '--' || !t.startsWith('-') || t === '-') break
    if (t.startsWith('--')) {
      const name = t.slice(2).split('=')[0]!
      const takesNext = !t.includes('=') && !BOOLEAN_GLOBALS.has(name)
      leading.push(...argv.slice(i, takesNext ? i + 2 : i + 1))
      i += takesNext ? 2 : 1
    } else {
      const takesNext = t.length === 2 && SHORT_WITH_VALUE.has(t[1]!)
      leading.push(...argv.slice(i, takesNext ? i + 2 : i + 1))
      i += takesNext ? 2 : 1
    }
  }
  const rest = argv.slice(i)
  // nothing to move, or no command after the flags (`ectl --help`): leave argv alone
  if (leading.length === 0 || rest.length === 0 || rest[0] === '--') return argv
  const dashDash = rest.indexOf('--')
  return dashDash < 0 ? [...rest, ...leading] : [...rest.slice(0, dashDash), ...leading, ...rest.slice(dashDash)]
}
