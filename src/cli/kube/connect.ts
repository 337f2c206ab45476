// Opens the KubeClient a kctl command talks to, from kubectl's global flags and the kubeconfig
// files. With nothing configured at all (no kubeconfig entry, no --server), kubectl would try
// http://localhost:8080; kctl instead reaches the API server of the embedded data dir
// in-process (--data-dir, $ECTL_DATA_DIR, or ~/.local/share/ectl), so it works with nothing started.
import {HttpTransport} from '../../client/kube/http-transport.js'
import {KubeClient} from '../../client/kube/client.js'
import {loadKubeconfig, resolveConnection, type KubeOverrides, type LoadedKubeConfig, type ResolvedConnection} from '../../client/kube/kubeconfig.js'
import {cachedParser} from './kubeconfig-cache.js'
import {parseYaml} from './yaml.js'

export interface GlobalOptions extends KubeOverrides {
  kubeconfig?: string
  requestTimeout?: string
  dataDir?: string
  /** Run the controllers beside an embedded API server (commands whose effect needs them). */
  embeddedControllers?: boolean
}

export interface Connection {
  client: KubeClient
  /** the namespace a namespaced request uses (-n, the context's, or default) */
  namespace: string
  resolved: ResolvedConnection
  /** `host:port` for connection errors */
  hostPort: string
  /** how kubectl names the server in `cluster-info` */
  serverUrl: string
}

export function loadConfig(kubeconfig: string | undefined): LoadedKubeConfig {
  return loadKubeconfig(kubeconfig, cachedParser(parseYaml))
}

/** kubectl's --request-timeout: `0`, a bare number of seconds, or a Go duration. */
export function parseRequestTimeoutMs(raw: string | undefined): number {
  if (raw === undefined || raw === '' || raw === '0') return 0
  if (/^\d+$/.test(raw)) return Number(raw) * 1000
  return parseGoDurationMs(raw)
}

export async function openConnection(o: GlobalOptions): Promise<Connection> {
  const loaded = loadConfig(o.kubeconfig)
  const resolved = resolveConnection(loaded.config, o)
  if (resolved.empty) {
    const {openEmbedded} = await import('./embedded.js')
    const client = await openEmbedded(o.dataDir, {controllers: o.embeddedControllers})
    client.onWarning = printWarningOnce()
    return {client, namespace: resolved.namespace, resolved, hostPort: 'in-process', serverUrl: 'in-process'}
  }
  const server = /^[a-z]+:\/\//.test(resolved.server) ? resolved.server : `http://${resolved.server}`
  const transport = new HttpTransport({
    server,
    caPem: resolved.caPem,
    certPem: resolved.certPem,
    keyPem: resolved.keyPem,
    token: resolved.token,
    username: resolved.username,
    password: resolved.password,
    insecureSkipTlsVerify: resolved.insecureSkipTlsVerify,
    timeoutMs: parseRequestTimeoutMs(o.requestTimeout),
    userAgent: 'kctl/v1.32',
  })
  // every command that connects sends a request: start the handshake while the rest is read
  transport.preconnect()
  // one turn of the event loop: the TCP connect completes and the ClientHello leaves, so the
  // server works on the handshake while this process goes on with the command
  await new Promise((resolve) => setImmediate(resolve))
  const {fileDiscoveryStore} = await import('./discovery-cache.js')
  const client = new KubeClient(transport, 'kctl/v1.32', fileDiscoveryStore(server))
  client.onWarning = printWarningOnce()
  return {client, namespace: resolved.namespace, resolved, hostPort: transport.hostPort, serverUrl: server}
}

/** The server's warnings on stderr, each once per command, as kubectl prints them. */
function printWarningOnce(): (message: string) => void {
  const seen = new Set<string>()
  return (message) => {
    if (seen.has(message)) return
    seen.add(message)
    process.stderr.write(`Warning: ${message}\n`)
  }
}

/** Go's time.ParseDuration for the units kubectl's users write (h, m, s, ms, us, ns). */
export function parseGoDurationMs(raw: string): number {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy
  let total = 0
  let consumed = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(raw)) !== null) {
    const n = Number(m[1])
    const unit = m[2]!
    total += unit === 'h' ? n * 3_600_000 : unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : unit === 'ms' ? n : unit === 'ns' ? n / 1e6 : n / 1000
    consumed = re.lastIndex
  }
  if (consumed !== raw.length || raw === '') throw new Error(`time: invalid duration "${raw}"`)
  return total
}
