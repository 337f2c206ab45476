// The kubeconfig's parsed form kept on disk between runs, keyed by the text's digest: parsing
// a kubeconfig's YAML (long base64 certificate lines) is ~2-3 ms of a ~70 ms `kctl get`, and
// the file rarely changes between commands. A changed file has another digest, so a stale
// entry is never used. The entries hold what the kubeconfig holds (keys, tokens), so they are
// written as the owner's alone (0600 in a 0700 folder), and only a few are kept.
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

/** How many parsed kubeconfigs are kept; the least recently written go first. */
const MAX_ENTRIES = 16

/** `parse`, answered from the cache when the same text was parsed before. */
export function cachedParser(parse: (text: string) => unknown, env: NodeJS.ProcessEnv = process.env): (text: string) => unknown {
  const dir = join(env['HOME'] ?? homedir(), '.kube', 'cache', 'kctl-kubeconfig')
  return (text) => {
    const digest = createHash('sha256').update(text).digest('hex')
    const file = join(dir, `${digest}.json`)
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown
    } catch {
      // not cached yet (or unreadable): parse it, below
    }
    const value = parse(text)
    if (isPlainJson(value)) save(dir, file, value)
    return value
  }
}

/** Only what JSON gives back unchanged is cached (YAML can also make dates and the like). */
function isPlainJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((v) => isPlainJson(v, depth + 1))
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false
  return Object.entries(value).every(([k, v]) => k !== '__proto__' && isPlainJson(v, depth + 1))
}

function save(dir: string, file: string, value: unknown): void {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(value), {mode: 0o600})
    renameSync(tmp, file)
    prune(dir)
  } catch {
    // a cache that cannot be written only costs the next run a parse
  }
}

function prune(dir: string): void {
  const entries = readdirSync(dir).filter((name) => name.endsWith('.json'))
  if (entries.length <= MAX_ENTRIES) return
  const byAge = entries.map((name) => ({name, mtime: statSync(join(dir, name)).mtimeMs})).sort((a, b) => a.mtime - b.mtime)
  for (const {name} of byAge.slice(0, entries.length - MAX_ENTRIES)) rmSync(join(dir, name), {force: true})
}
