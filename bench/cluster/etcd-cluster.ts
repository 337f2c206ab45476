// A 3-member cluster of the real etcd 3.4 on loopback, for the cluster benchmark beside ours:
// ports picked free, etcd's default timings, each member's data dir removed when it stops.
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
}

export interface EtcdCluster {
  readonly members: EtcdClusterMember[]
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  assertRealEtcdInstalled()
  const root = await mkdtemp(join(tmpdir(), 'bench-etcd-cluster-'))
  const ports: number[] = []
  while (ports.length < 2 * size) {
    const port = await freePort()
    if (!ports.includes(port)) ports.push(port)
  }
  const names = Array.from({length: size}, (_, i) => `e${i + 1}`)
  const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[2 * i + 1]}`).join(',')
  const children: ChildProcess[] = []
  const members = names.map((name, i) => {
    const client = `http://127.0.0.1:${ports[2 * i]}`
    const peer = `http://127.0.0.1:${ports[2 * i + 1]}`
    const child = spawn(
      etcdBinary,
      [
        '--name', name, '--data-dir', join(root, name),
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
        '--initial-cluster', initialCluster, '--initial-cluster-token', 'bench-etcd-cluster',
        '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'error',
      ],
      {stdio: ['ignore', 'ignore', 'ignore']},
    )
    live.add(child)
    children.push(child)
    return {name, endpoint: `127.0.0.1:${ports[2 * i]}`, pid: child.pid!, kill: () => child.kill('SIGKILL')}
  })
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            live.delete(child)
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            child.once('exit', () => resolve())
            child.kill('SIGTERM')
          }),
      ),
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
  return {members, stop}
}
