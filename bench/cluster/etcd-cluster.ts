// A 3-member cluster of the real etcd 3.4 on loopback, for the cluster benchmarks beside ours:
// ports picked free, etcd's default timings unless extra flags say otherwise, each member's data
// dir removed when the cluster stops. A member can be stopped and started again on its data.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {assertRealEtcdInstalled, etcdBinary, freePort} from '../../test/compat/harness/real-etcd.js'

export interface EtcdClusterMember {
  readonly name: string
  readonly endpoint: string
  readonly pid: number
  kill(): void
  /** SIGTERM; resolves once the process is gone. */
  stop(): Promise<void>
  /** Starts the member again on its data dir (the initial flags are ignored then, as etcd does). */
  start(): void
}

export interface EtcdCluster {
  readonly members: EtcdClusterMember[]
  /**
   * Starts a member added with `member add` (`initialCluster` as it printed) on `peerUrl`, with
   * --initial-cluster-state existing, a fresh data dir and a free client port; it is stopped
   * with the cluster and listed in `members`.
   */
  join(name: string, peerUrl: string, initialCluster: string): Promise<EtcdClusterMember>
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

function exited(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
  })
}

export async function startEtcdCluster(size = 3, extraArgs: readonly string[] = []): Promise<EtcdCluster> {
  assertRealEtcdInstalled()
  const root = await mkdtemp(join(tmpdir(), 'bench-etcd-cluster-'))
  const ports: number[] = []
  while (ports.length < 2 * size) {
    const port = await freePort()
    if (!ports.includes(port)) ports.push(port)
  }
  const names = Array.from({length: size}, (_, i) => `e${i + 1}`)
  const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[2 * i + 1]}`).join(',')
  const children = new Map<string, ChildProcess>()
  const launch = (name: string, clientPort: number, peer: string, cluster: string, state: 'new' | 'existing'): EtcdClusterMember => {
    const client = `http://127.0.0.1:${clientPort}`
    const args = [
      '--name', name, '--data-dir', join(root, name),
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', cluster, '--initial-cluster-token', 'bench-etcd-cluster', '--initial-cluster-state', state,
      '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'error',
      ...extraArgs,
    ]
    const spawnMember = () => {
      const child = spawn(etcdBinary, args, {stdio: ['ignore', 'ignore', 'ignore']})
      live.add(child)
      children.set(name, child)
      return child
    }
    spawnMember()
    return {
      name,
      endpoint: `127.0.0.1:${clientPort}`,
      get pid() {
        return children.get(name)!.pid!
      },
      kill: () => children.get(name)!.kill('SIGKILL'),
      stop: async () => {
        const child = children.get(name)!
        live.delete(child)
        child.kill('SIGTERM')
        await exited(child)
      },
      start: () => {
        spawnMember()
      },
    }
  }
  const members = names.map((name, i) => launch(name, ports[2 * i]!, `http://127.0.0.1:${ports[2 * i + 1]}`, initialCluster, 'new'))
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        live.delete(child)
        child.kill('SIGTERM')
        await exited(child)
      }),
    )
    await rm(root, {recursive: true, force: true})
  }
  // ready once every member answers a linearizable read
  const deadline = performance.now() + 30_000
  for (const member of members) {
    const client = new RawGrpcClient(member.endpoint)
    try {
      for (;;) {
        try {
          await client.unary('etcdserverpb.KV', 'Range', {key: Buffer.from('ready')})
          break
        } catch (error) {
          if (performance.now() > deadline) {
            await stop()
            throw new Error(`etcd member ${member.name} not ready: ${(error as Error).message}`)
          }
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
      }
    } finally {
      client.close()
    }
  }
  const addMember = async (name: string, peerUrl: string, cluster: string) => {
    const member = launch(name, await freePort(), peerUrl, cluster, 'existing')
    members.push(member)
    return member
  }
  return {members, join: addMember, stop}
}
