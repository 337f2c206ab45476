// Opens the EtcdClient a command talks to: the embedded engine on a data directory (the
// default), or — once the network client exists — the endpoints given.
import type {EtcdClient} from '../client/etcd/client.js'

export interface ConnectOptions {
  /** --data-dir / ECTL_DATA_DIR; default: $XDG_DATA_HOME/ectl (or ~/.local/share/ectl). */
  dataDir?: string
  /** --endpoints / ETCDCTL_ENDPOINTS: not yet supported on this build. */
  endpoints?: string[]
}

export async function openClient(options: ConnectOptions): Promise<EtcdClient> {
  void options
  throw new Error('not wired yet')
}
