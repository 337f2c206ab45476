// etcdctl (cobra) accepts global flags before the command: `etcdctl --endpoints=x get k`;
// oclif reads the first word as the command id. This moves the global flags that lead argv to
// just before the `--` (or the end), so `ectl --data-dir d get k` runs `get k --data-dir d`.

/** Global flags that take no value (a following word is not theirs). */
const BOOLEAN_GLOBALS = new Set(['hex', 'debug', 'insecure-transport', 'insecure-skip-tls-verify', 'insecure-discovery', 'help'])
/** Global short flags that take a value. */
const SHORT_WITH_VALUE = new Set(['w', 'd'])

export function hoistLeadingFlags(argv: string[]): string[] {
  return moveLeadingFlags(argv, (t) => {
    if (t.startsWith('--')) return !t.includes('=') && !BOOLEAN_GLOBALS.has(t.slice(2))
    return t.length === 2 && SHORT_WITH_VALUE.has(t[1]!)
  })
}

/**
 * Moves the flags that lead argv to just before its `--` (or the end). `takesValue(flag)`: the
 * word after the flag is its value; `stopsAt(flag)`: the flag stays where it is, and so does
 * what follows it.
 */
export function moveLeadingFlags(argv: string[], takesValue: (flag: string) => boolean, stopsAt: (flag: string) => boolean = () => false): string[] {
  const leading: string[] = []
  let i = 0
  while (i < argv.length) {
    const t = argv[i]!
    if (t === '--' || !t.startsWith('-') || t === '-' || stopsAt(t)) break
    const takesNext = takesValue(t)
    leading.push(...argv.slice(i, takesNext ? i + 2 : i + 1))
    i += takesNext ? 2 : 1
  }
  const rest = argv.slice(i)
  // nothing to move, or no command after the flags (`ectl --help`): leave argv alone
  if (leading.length === 0 || rest.length === 0 || rest[0] === '--') return argv
  const dashDash = rest.indexOf('--')
  return dashDash < 0 ? [...rest, ...leading] : [...rest.slice(0, dashDash), ...leading, ...rest.slice(dashDash)]
}
