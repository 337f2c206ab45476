// `ectl server`'s engine side: hold the data dir (local `ectl --data-dir` commands keep reaching
// it through the holder's socket) and serve it over gRPC on the client URLs.
import {EtcdError, GrpcCode} from '../../../api/errors.js'
import {tryHoldDataDir} from '../../etcd/holder.js'
import type {MemberInfo, ServedEngine} from './handlers.js'
import {startGrpcServer} from './server.js'

export interface ServeDataDirOptions {
  dataDir: string
  member: MemberInfo
  /** `host:port` addresses (from --listen-client-urls). */
  listen: string[]
  maxRequestBytes: number
}

export interface ServingDataDir {
  readonly ports: number[]
  /** Stops accepting, finishes the calls in flight, ends streams, then releases the data dir. */
  close(): Promise<void>
}

export async function serveDataDir(options: ServeDataDirOptions): Promise<ServingDataDir> {
  const held = await tryHoldDataDir(options.dataDir)
  if (!held) {
    throw new EtcdError(GrpcCode.FAILED_PRECONDITION, `data dir ${options.dataDir} is already in use by another process (an ectl server or command)`)
  }
  let grpc
  try {
    grpc = await startGrpcServer({
      // Watch and leases are wired in as the engine grows them (ServedEngine keeps them optional).
      engine: held.engine as ServedEngine,
      member: options.member,
      listen: options.listen,
      maxRequestBytes: options.maxRequestBytes,
    })
  } catch (error) {
    await held.release()
    throw error
  }
  const server = grpc
  let closing: Promise<void> | undefined
  return {
    ports: server.ports,
    close() {
      closing ??= (async () => {
        try {
          await server.close()
        } finally {
          await held.release()
        }
      })()
      return closing
    },
  }
}
