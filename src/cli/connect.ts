// Opens the client a command talks to. With --endpoints (or ETCDCTL_ENDPOINTS): gRPC to those
// servers (a real etcd or `ectl server`). Without: the data dir (flag, ECTL_DATA_DIR, or
// $XDG_DATA_HOME/ectl), through whichever process holds it.
import {homedir} from 'node:os'
import {join} from 'node:path'
import {EtcdError, GrpcCode} from '../api/errors.js'
import {grpcServices, type MethodSpec} from '../api/grpc-methods.js'
import type {FullEtcdClient} from '../client/etcd/client.js'
import {DataDirClient} from './datadir-client.js'
import {type NetworkFlags, networkOptions} from './network-options.js'

export interface ConnectOptions {
  /** --data-dir / ECTL_DATA_DIR; default: $XDG_DATA_HOME/ectl (or ~/.local/share/ectl). */
  dataDir?: string
  /** --endpoints / ETCDCTL_ENDPOINTS: talk gRPC to these servers instead of a data dir. */
  endpoints?: string[]
  /** The connection flags (timeouts, TLS, user) for --endpoints. */
  network?: NetworkFlags
  /** How long to keep trying when the data dir's holder is starting or exiting. */
  waitMs?: number
}

export function defaultDataDir(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(dataHome, 'ectl')
}

export async function openClient(options: ConnectOptions): Promise<FullEtcdClient> {
  if (options.endpoints !== undefined) {
    const {createGrpcEtcdClient} = await import('../client/etcd/grpc/client.js')
    // stderr carries etcdctl's lines only, not grpc-js's own log (etcdctl prints none of grpc's)
    const {logVerbosity, setLogVerbosity} = await import('@grpc/grpc-js')
    setLogVerbosity(logVerbosity.NONE)
    const client = createGrpcEtcdClient(await networkOptions(options.endpoints, options.network ?? {}))
    try {
      await client.ready()
    } catch (error) {
      await client.close()
      throw error
    }
    return client
  }
  const dataDir = options.dataDir || process.env.ECTL_DATA_DIR || defaultDataDir()
  return withUnimplemented(await DataDirClient.open(dataDir, options.waitMs ?? 10_000))
}

/**
 * The data dir client with the whole API's shape: a method it does not have yet fails with
 * UNIMPLEMENTED (a stream method, on iteration) instead of being missing.
 */
function withUnimplemented(client: DataDirClient): FullEtcdClient {
  const kinds = new Map<string, MethodSpec['kind']>()
  for (const methods of Object.values(grpcServices)) {
    for (const [name, spec] of Object.entries(methods) as [string, MethodSpec][]) kinds.set(name[0]!.toLowerCase() + name.slice(1), spec.kind)
  }
  const unimplemented = (name: string) => new EtcdError(GrpcCode.UNIMPLEMENTED, `${name} is not available on an embedded data dir; use --endpoints`)
  return new Proxy(client, {
    get(target, property, receiver) {
      if (typeof property !== 'string' || property in target) return Reflect.get(target, property, receiver) as unknown
      const kind = kinds.get(property)
      if (kind === undefined) return undefined
      if (kind === 'unary') return () => Promise.reject(unimplemented(property))
      const failing = {
        send: () => undefined,
        close: () => undefined,
        [Symbol.asyncIterator]: () => ({next: () => Promise.reject(unimplemented(property))}),
      }
      return () => failing
    },
  }) as unknown as FullEtcdClient
}
