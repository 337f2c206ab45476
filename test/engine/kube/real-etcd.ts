// The real etcd 3.4 as the API server's store: an etcd process on free ports, and an
// EtcdClient & watch over the wire (the method table's raw gRPC client), for running the same
// kubectl tests with etcd itself underneath.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {EtcdClient, EtcdWatchLeaseClient, Req, WatchStream} from '../../../src/client/etcd/client.js'
import type {WatchRequest, WatchResponse} from '../../../src/api/proto/rpc.js'
import {RawGrpcClient, asEtcdError} from '../../../src/engine/net/grpc/raw-client.js'
import {AsyncQueue} from '../../../src/util/async-queue.js'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export interface RealEtcd {
  client: EtcdClient & EtcdWatchLeaseClient
  stop(): Promise<void>
}

export async function startRealEtcd(): Promise<RealEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'real-etcd-'))
  const [clientPort, peerPort] = [await freePort(), await freePort()]
  const child: ChildProcess = spawn(
    'etcd',
    ['--data-dir', join(dir, 'data'), '--listen-client-urls', `http://127.0.0.1:${clientPort}`, '--advertise-client-urls', `http://127.0.0.1:${clientPort}`, '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-cluster', `default=http://127.0.0.1:${peerPort}`],
    {stdio: ['ignore', 'ignore', 'pipe']},
  )
  let log = ''
  child.stderr!.on('data', (c) => (log += c))
  const raw = new RawGrpcClient(`127.0.0.1:${clientPort}`)
  const unary = (method: string) => (req: unknown) => (raw.unary as (s: string, m: string, r: unknown) => Promise<never>)('etcdserverpb.KV', method, req ?? {})
  const client = {
    range: unary('Range'),
    put: unary('Put'),
    deleteRange: unary('DeleteRange'),
    txn: unary('Txn'),
    compact: unary('Compact'),
    hashKV: () => Promise.reject(new Error('not used')),
    status: () => Promise.reject(new Error('not used')),
    close: async () => raw.close(),
    watch(): WatchStream {
      const call = raw.bidi('etcdserverpb.Watch', 'Watch')
      const queue = new AsyncQueue<WatchResponse>()
      call.on('data', (r: WatchResponse) => queue.push(r))
      call.on('end', () => queue.end())
      call.on('error', (e: Error & {code?: number}) => (e.code === 1 ? queue.end() : queue.fail(asEtcdError(e as never))))
      return {
        send: (request: Req<WatchRequest>) => call.write(request as never),
        close: () => {
          call.cancel()
          queue.end()
        },
        [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
      }
    },
    leaseGrant: () => Promise.reject(new Error('not used')),
    leaseRevoke: () => Promise.reject(new Error('not used')),
    leaseKeepAlive: () => {
      throw new Error('not used')
    },
    leaseTimeToLive: () => Promise.reject(new Error('not used')),
    leaseLeases: () => Promise.reject(new Error('not used')),
  } as unknown as EtcdClient & EtcdWatchLeaseClient
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      await client.range({key: Buffer.from('health')})
      break
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`etcd did not start: ${(error as Error).message}\n${log}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {
    client,
    stop: async () => {
      raw.close()
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
