// Whether a kctl run would reach the API server in-process (no server in the kubeconfig and no
// --server): the lite bundle leaves such runs to the full one, which holds the engine. Keeping
// the engine (LMDB, MVCC, the API server) out of the lite bundle makes it a fifth of the size,
// which is ~7 ms of every remote command's start (reading and deserializing less code).
import {loadKubeconfig, resolveConnection} from '../../client/kube/kubeconfig.js'
import {cachedParser} from './kubeconfig-cache.js'
import {parseYaml} from './yaml.js'

/** The global flags that decide which server a run reaches. */
const ROUTE_FLAGS: Record<string, 'kubeconfig' | 'context' | 'cluster' | 'server'> = {
  '--kubeconfig': 'kubeconfig',
  '--context': 'context',
  '--cluster': 'cluster',
  '--server': 'server',
  '-s': 'server',
}

/** Runs that never open a connection, whatever the kubeconfig says. */
function neverConnects(commandId: string, argv: string[]): boolean {
  if (/^(config|sandbox)(:|$)/.test(commandId)) return true
  return commandId === 'version' && argv.some((arg) => arg === '--client' || arg === '--client=true')
}

/**
 * True when the command argv names would open the embedded engine. A kubeconfig that cannot be
 * read or resolved answers false: the command reports that itself, the same in either bundle.
 */
export function runsInProcess(commandId: string, argv: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (neverConnects(commandId, argv)) return false
  const o: {kubeconfig?: string; context?: string; cluster?: string; server?: string} = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') break
    const eq = arg.indexOf('=')
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg
    const key = ROUTE_FLAGS[name]
    if (key === undefined) continue
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]
    if (value !== undefined && value !== '') o[key] = value
  }
  if (o.server !== undefined) return false
  try {
    const loaded = loadKubeconfig(o.kubeconfig, cachedParser(parseYaml, env), env)
    return resolveConnection(loaded.config, o).empty
  } catch {
    return false
  }
}
