// The endpoints a cluster command (endpoint health/status/hashkv, defrag, snapshot save) visits,
// and what each is called in its output. With --endpoints, each endpoint as given (and with
// --cluster, every client URL of the member list). With a data dir, the one member it holds,
// named by the data dir's path as the user gave it (or as ECTL_DATA_DIR or the default gives
// it): that is where the member is, as an address is for a server.
import type {EtcdClient, FullEtcdClient} from '../client/etcd/client.js'
import {openClient, resolveDataDir} from './connect.js'
import {CliError, ExitCode} from './exit.js'

export interface EndpointGlobals {
  dataDir?: string
  endpoints?: string[]
}

export interface Endpoint {
  name: string
  open(): Promise<FullEtcdClient>
}

/** The client as the full v3 API (every client of ours speaks it; a partial one is refused clearly). */
export function fullClient(client: EtcdClient): FullEtcdClient {
  const full = client as Partial<FullEtcdClient>
  if (typeof full.memberList !== 'function' || typeof full.snapshot !== 'function' || typeof full.defragment !== 'function') {
    throw new CliError(ExitCode.error, 'this client does not offer the maintenance and cluster services')
  }
  return client as FullEtcdClient
}

async function openFull(globals: EndpointGlobals, endpoint?: string): Promise<FullEtcdClient> {
  try {
    return fullClient(await openClient(endpoint === undefined ? {dataDir: globals.dataDir} : {endpoints: [endpoint]}))
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(ExitCode.badConnection, (error as Error).message)
  }
}

/** The endpoints to visit; `cluster` asks the first one for the member list's client URLs. */
export async function endpointsOf(globals: EndpointGlobals, cluster: boolean): Promise<Endpoint[]> {
  const given = globals.endpoints ?? []
  if (given.length === 0) {
    const name = resolveDataDir(globals.dataDir)
    return [{name, open: () => openFull(globals)}]
  }
  if (!cluster) return given.map((name) => ({name, open: () => openFull(globals, name)}))
  const first = await openFull(globals, given[0])
  let urls: string[]
  try {
    const list = await first.memberList({})
    urls = [...new Set(list.members.flatMap((m) => m.clientURLs))]
  } finally {
    await first.close()
  }
  return urls.map((name) => ({name, open: () => openFull(globals, name)}))
}
