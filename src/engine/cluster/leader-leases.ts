// A follower's way to the leader's lessor (only the leader's counts time): keep-alives and
// time-to-live asked on the leader's client URL, as etcd's followers forward them. One
// keep-alive stream per leader carries every forwarded renew; answers come back in order per
// lease id. A leader that cannot be reached fails the call (the client retries).
import type {ClientDuplexStream} from '@grpc/grpc-js'
import {Errors} from '../../api/errors.js'
import type {LeaseKeepAliveResponse, LeaseTimeToLiveRequest, LeaseTimeToLiveResponse} from '../../api/proto/rpc.js'
import {RawGrpcClient} from '../net/grpc/raw-client.js'
import {RaftErrors} from './errors.js'
import type {Roster} from './roster.js'

const callTimeoutMs = 3_000

interface Pending {
  resolve: (ttlSeconds: number) => void
  reject: (error: Error) => void
}

interface LeaderLink {
  leader: bigint
  client: RawGrpcClient
  stream: ClientDuplexStream<{ID?: bigint}, LeaseKeepAliveResponse> | undefined
  /** Renews waiting for their answer, by lease id, oldest first. */
  pending: Map<bigint, Pending[]>
}

export class LeaderLeases {
  private link: LeaderLink | undefined

  constructor(private readonly roster: Roster) {}

  /** Renews lease `id` on `leader`; answers its TTL in seconds. */
  renew(leader: bigint, id: bigint): Promise<number> {
    const link = this.linkTo(leader)
    if (link.stream === undefined) {
      const stream = link.client.bidi('etcdserverpb.Lease', 'LeaseKeepAlive')
      link.stream = stream
      stream.on('data', (response: LeaseKeepAliveResponse) => {
        const waiting = link.pending.get(response.ID)
        const first = waiting?.shift()
        if (waiting !== undefined && waiting.length === 0) link.pending.delete(response.ID)
        if (first === undefined) return
        if (response.TTL <= 0n) first.reject(Errors.leaseNotFound())
        else first.resolve(Number(response.TTL))
      })
      const broken = (error: Error) => {
        if (link.stream !== stream) return
        link.stream = undefined
        for (const waiting of link.pending.values()) for (const p of waiting) p.reject(error)
        link.pending.clear()
      }
      stream.on('error', (error: Error) => broken(error))
      stream.on('end', () => broken(RaftErrors.leaderChanged()))
    }
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(RaftErrors.timeout()), callTimeoutMs)
      timer.unref()
      const entry: Pending = {
        resolve: (ttl) => {
          clearTimeout(timer)
          resolve(ttl)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
      const waiting = link.pending.get(id)
      if (waiting === undefined) link.pending.set(id, [entry])
      else waiting.push(entry)
      link.stream!.write({ID: id})
    })
  }

  /** Lease time-to-live as the leader counts it. */
  async timeToLive(leader: bigint, req: LeaseTimeToLiveRequest): Promise<LeaseTimeToLiveResponse> {
    const link = this.linkTo(leader)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(RaftErrors.timeout()), callTimeoutMs)
      timer.unref()
    })
    try {
      return await Promise.race([link.client.unary('etcdserverpb.Lease', 'LeaseTimeToLive', req), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  close(): void {
    this.link?.stream?.cancel()
    this.link?.client.close()
    this.link = undefined
  }

  private linkTo(leader: bigint): LeaderLink {
    if (this.link?.leader === leader) return this.link
    this.close()
    const url = this.roster.get(leader)?.clientURLs[0]
    if (url === undefined) throw RaftErrors.noLeader()
    const parsed = new URL(url)
    this.link = {leader, client: new RawGrpcClient(`${parsed.hostname}:${parsed.port}`), stream: undefined, pending: new Map()}
    return this.link
  }
}
