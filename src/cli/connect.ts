// Opens the EtcdClient a command talks to. With no --endpoints: the data dir (flag,
// ECTL_DATA_DIR, or $XDG_DATA_HOME/ectl), through whichever process holds it.
import {homedir} from 'node:os'
import {join} from 'node:path'
import {EtcdError, GrpcCode} from '../api/errors.js'
import type {EtcdClient} from '../client/etcd/client.js'
import {DataDirClient} from './datadir-client.js'

export interface ConnectOptions {
  /** --data-dir / ECTL_DATA_DIR; default: $XDG_DATA_HOME/ectl (or ~/.local/share/ectl). */
  dataDir?: string
  /** --endpoints / ETCDCTL_ENDPOINTS: the network client comes with the server. */
  endpoints?: string[]
  /** How long to keep trying when the data dir's holder is starting or exiting. */
  waitMs?: number
}

export function defaultDataDir(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(dataHome, 'ectl')
}

/** The data dir a command without --endpoints uses (what `endpoint` commands name it by). */
export function resolveDataDir(dataDir?: string): string {
  return dataDir || process.env.ECTL_DATA_DIR || defaultDataDir()
}

export async function openClient(options: ConnectOptions): Promise<EtcdClient> {
  if (options.endpoints && options.endpoints.length > 0) {
    throw new EtcdError(GrpcCode.UNIMPLEMENTED, '--endpoints: the network client is not available in this build; use --data-dir')
  }
  const dataDir = resolveDataDir(options.dataDir)
  return DataDirClient.open(dataDir, options.waitMs ?? 10_000)
}
