// The EtcdClient of a data dir: whichever process holds it. If none does, this process opens
// the engine in-process (and serves the others); otherwise it talks to the holder over the local
// socket. When a holder hands the data dir over (it exits), calls it refused unapplied are
// retried on the next holder — possibly this process — so one-shot commands never collide.
import {EtcdError, GrpcCode} from '../api/errors.js'
import type {EtcdAuthClient, EtcdClient, EtcdWatchLeaseClient, KeepAliveStream, WatchStream} from '../client/etcd/client.js'
import {HolderGoneError, LocalSocketClient, NotAppliedError} from '../client/etcd/local.js'
import {resumingKeepAlive} from '../client/etcd/resuming-keepalive.js'
import {resumingWatch} from '../client/etcd/resuming-watch.js'

type FullClient = EtcdClient & EtcdWatchLeaseClient & EtcdAuthClient

interface Connection {
  client: FullClient
  close: () => Promise<void>
}

/** A stream broken by a holder leaving or dying is reopened on the next one. */
const streamRetryable = (error: unknown) => error instanceof NotAppliedError || error instanceof HolderGoneError

export class DataDirClient implements EtcdClient, EtcdWatchLeaseClient, EtcdAuthClient {
  private reconnecting: Promise<Connection> | undefined

  private constructor(
    private readonly dataDir: string,
    private readonly waitMs: number,
    private connection: Connection,
  ) {}

  static async open(dataDir: string, waitMs: number): Promise<DataDirClient> {
    return new DataDirClient(dataDir, waitMs, await connectDataDir(dataDir, waitMs))
  }

  range: EtcdClient['range'] = (req) => this.call((c) => c.range(req))
  put: EtcdClient['put'] = (req) => this.call((c) => c.put(req))
  deleteRange: EtcdClient['deleteRange'] = (req) => this.call((c) => c.deleteRange(req))
  txn: EtcdClient['txn'] = (req) => this.call((c) => c.txn(req))
  compact: EtcdClient['compact'] = (req) => this.call((c) => c.compact(req))
  hashKV: EtcdClient['hashKV'] = (req) => this.call((c) => c.hashKV(req))
  status: EtcdClient['status'] = () => this.call((c) => c.status())
  leaseGrant: FullClient['leaseGrant'] = (req) => this.call((c) => c.leaseGrant(req))
  leaseRevoke: FullClient['leaseRevoke'] = (req) => this.call((c) => c.leaseRevoke(req))
  leaseTimeToLive: FullClient['leaseTimeToLive'] = (req) => this.call((c) => c.leaseTimeToLive(req))
  leaseLeases: FullClient['leaseLeases'] = () => this.call((c) => c.leaseLeases())
  // etcd's Auth service: the data dir's processes act as root (they hold its files anyway)
  authEnable: FullClient['authEnable'] = () => this.call((c) => c.authEnable())
  authDisable: FullClient['authDisable'] = () => this.call((c) => c.authDisable())
  authStatus: FullClient['authStatus'] = () => this.call((c) => c.authStatus())
  authenticate: FullClient['authenticate'] = (req) => this.call((c) => c.authenticate(req))
  userAdd: FullClient['userAdd'] = (req) => this.call((c) => c.userAdd(req))
  userGet: FullClient['userGet'] = (req) => this.call((c) => c.userGet(req))
  userList: FullClient['userList'] = () => this.call((c) => c.userList())
  userDelete: FullClient['userDelete'] = (req) => this.call((c) => c.userDelete(req))
  userChangePassword: FullClient['userChangePassword'] = (req) => this.call((c) => c.userChangePassword(req))
  userGrantRole: FullClient['userGrantRole'] = (req) => this.call((c) => c.userGrantRole(req))
  userRevokeRole: FullClient['userRevokeRole'] = (req) => this.call((c) => c.userRevokeRole(req))
  roleAdd: FullClient['roleAdd'] = (req) => this.call((c) => c.roleAdd(req))
  roleGet: FullClient['roleGet'] = (req) => this.call((c) => c.roleGet(req))
  roleList: FullClient['roleList'] = () => this.call((c) => c.roleList())
  roleDelete: FullClient['roleDelete'] = (req) => this.call((c) => c.roleDelete(req))
  roleGrantPermission: FullClient['roleGrantPermission'] = (req) => this.call((c) => c.roleGrantPermission(req))
  roleRevokePermission: FullClient['roleRevokePermission'] = (req) => this.call((c) => c.roleRevokePermission(req))

  watch(): WatchStream {
    let connection = this.connection
    return resumingWatch(connection.client.watch(), {
      retryable: streamRetryable,
      open: async () => {
        await this.reconnect(connection)
        connection = this.connection
        return connection.client.watch()
      },
    })
  }

  leaseKeepAlive(): KeepAliveStream {
    let connection = this.connection
    return resumingKeepAlive(connection.client.leaseKeepAlive(), {
      retryable: streamRetryable,
      open: async () => {
        await this.reconnect(connection)
        connection = this.connection
        return connection.client.leaseKeepAlive()
      },
    })
  }

  async close(): Promise<void> {
    await this.connection.close()
  }

  private async call<T>(operation: (client: FullClient) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.waitMs
    for (;;) {
      const connection = this.connection
      try {
        return await operation(connection.client)
      } catch (error) {
        if (!(error instanceof NotAppliedError) || Date.now() > deadline) throw error
        await this.reconnect(connection)
      }
    }
  }

  /** One reconnect for all the calls that failed on the same connection. */
  private async reconnect(failed: Connection): Promise<void> {
    if (this.connection !== failed) return
    if (!this.reconnecting) {
      this.reconnecting = (async () => {
        await failed.close().catch(() => undefined)
        return connectDataDir(this.dataDir, this.waitMs)
      })()
    }
    try {
      this.connection = await this.reconnecting
    } finally {
      this.reconnecting = undefined
    }
  }
}

async function connectDataDir(dataDir: string, waitMs: number): Promise<Connection> {
  const {tryHoldDataDir, dataDirAddress} = await import('../engine/etcd/holder.js')
  const deadline = Date.now() + waitMs
  for (let attempt = 0; ; attempt++) {
    const held = await tryHoldDataDir(dataDir)
    if (held) return {client: held.engine, close: held.release}
    try {
      const local = await LocalSocketClient.connect(await dataDirAddress(dataDir))
      return {client: local, close: () => local.close()}
    } catch (error) {
      // The holder exited between our bind and our connect: try to take the data dir again.
      if (Date.now() > deadline) {
        throw new EtcdError(GrpcCode.UNAVAILABLE, `data dir ${dataDir} is held by a process that does not answer (${(error as Error).message})`)
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 100)))
    }
  }
}
