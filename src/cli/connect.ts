// Opens the EtcdClient a command talks to. With no --endpoints: the data dir (flag,
// ECTL_DATA_DIR, or $XDG_DATA_HOME/ectl). If no live process holds it, this process opens the
// engine in-process and serves it to others while it runs; otherwise it talks to the holder on
// the data dir's local socket.
import {homedir} from 'node:os'
import {join} from 'node:path'
import {EtcdError, GrpcCode} from '../api/errors.js'
import type {EtcdClient} from '../client/etcd/client.js'
import {LocalSocketClient} from '../client/etcd/local.js'

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

export async function openClient(options: ConnectOptions): Promise<EtcdClient> {
  if (options.endpoints && options.endpoints.length > 0) {
    throw new EtcdError(GrpcCode.UNIMPLEMENTED, '--endpoints: the network client is not available in this build; use --data-dir')
  }
  const dataDir = options.dataDir || process.env.ECTL_DATA_DIR || defaultDataDir()
  const {tryHoldDataDir, dataDirAddress} = await import('../engine/etcd/holder.js')
  const deadline = Date.now() + (options.waitMs ?? 10_000)
  for (let attempt = 0; ; attempt++) {
    const held = await tryHoldDataDir(dataDir)
    if (held) return new HeldClient(held.engine, held.release)
    try {
      return await LocalSocketClient.connect(await dataDirAddress(dataDir))
    } catch (error) {
      // The holder exited between our bind and our connect: try to take the data dir again.
      if (Date.now() > deadline) {
        throw new EtcdError(GrpcCode.UNAVAILABLE, `data dir ${dataDir} is held by a process that does not answer (${(error as Error).message})`)
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 100)))
    }
  }
}

/** The in-process engine; closing it releases the data dir for the next process. */
class HeldClient implements EtcdClient {
  constructor(
    private readonly engine: EtcdClient,
    private readonly release: () => Promise<void>,
  ) {}
  range = (req: Parameters<EtcdClient['range']>[0]) => this.engine.range(req)
  put = (req: Parameters<EtcdClient['put']>[0]) => this.engine.put(req)
  deleteRange = (req: Parameters<EtcdClient['deleteRange']>[0]) => this.engine.deleteRange(req)
  txn = (req: Parameters<EtcdClient['txn']>[0]) => this.engine.txn(req)
  compact = (req: Parameters<EtcdClient['compact']>[0]) => this.engine.compact(req)
  hashKV = (req: Parameters<EtcdClient['hashKV']>[0]) => this.engine.hashKV(req)
  status = () => this.engine.status()
  close = () => this.release()
}
