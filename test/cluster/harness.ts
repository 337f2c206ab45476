// Starts a cluster of `ectl server` processes (the built bin/ectl.js) on loopback: peer ports
// picked free up front (--initial-cluster must name them), client ports chosen by each server
// (port 0, read back from its ready line), one fresh data dir per member. Every process is
// killed when the cluster stops, and on exit of the test runner whatever happens.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {computeMemberId} from '../../src/engine/etcd/membership.js'
import {RawGrpcClient} from '../../src/engine/net/grpc/raw-client.js'
import {freePort} from '../compat/harness/real-etcd.js'
import {ectlLauncher} from '../compat/harness/script.js'
import type {PeerProxy} from './peer-proxy.js'

/** Every test cluster's --initial-cluster-token. */
const clusterToken = 'ectl-cluster-test'
const readyTimeoutMs = 30_000
const stopGraceMs = 5_000
const logTailBytes = 16 * 1024
const readyLine = /ready to serve client requests on http:\/\/127\.0\.0\.1:(\d+)/

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** The environment without the caller's ETCD_* / ECTL_* settings (the server reads ETCD_*). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('ETCD') || name.startsWith('ECTL_') || name === 'NODE_OPTIONS' || name === 'NODE_TEST_CONTEXT' || name === 'NODE_EXTRA_CA_CERTS') continue
    env[name] = value
  }
  return env
}

export class ClusterProcess {
  private child: ChildProcess | undefined
  private exited: Promise<number | null> = Promise.resolve(null)
  private logTail = ''
  /** host:port of the client URL (after start). */
  endpoint = ''
  /** A gRPC client of this member (after start). */
  client: RawGrpcClient | undefined

  constructor(
    readonly name: string,
    readonly dataDir: string,
    /** Its peer URL (as in --initial-cluster). */
    readonly peerUrl: string,
    private readonly args: readonly string[],
  ) {}

  get running(): boolean {
    return this.child !== undefined
  }

  get pid(): number {
    return this.child!.pid!
  }

  /** What the member wrote on stderr (the tail, across restarts). */
  log(): string {
    return this.logTail
  }

  /** The same member started with other flag values (`--flag value` pairs replaced). */
  withFlags(values: Record<string, string>): ClusterProcess {
    const args = [...this.args]
    for (const [flag, value] of Object.entries(values)) {
      const at = args.indexOf(flag)
      if (at >= 0) args[at + 1] = value
      else args.push(flag, value)
    }
    return new ClusterProcess(this.name, this.dataDir, this.peerUrl, args)
  }

  /**
   * Starts the process; resolves once it is ready to serve clients, or, with `until`, once its
   * log (since this start) matches `until` (then it has no client).
   */
  async start(until?: RegExp): Promise<void> {
    const child = spawn(process.execPath, [ectlLauncher, 'server', ...this.args], {stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv()})
    this.child = child
    live.add(child)
    let onLog: () => void = () => undefined
    // what this process wrote, until it is ready (the tail also holds earlier runs)
    let sinceStart = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      this.logTail = (this.logTail + chunk.toString('utf8')).slice(-logTailBytes)
      if (this.endpoint === '') sinceStart = (sinceStart + chunk.toString('utf8')).slice(-logTailBytes)
      onLog()
    })
    this.endpoint = ''
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        live.delete(child)
        if (this.child === child) this.child = undefined
        resolve(code)
      }),
    )
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready after ${readyTimeoutMs} ms; its log:\n${this.logTail}`)), readyTimeoutMs)
      onLog = () => {
        const match = (until ?? readyLine).exec(sinceStart)
        if (match) {
          clearTimeout(timer)
          resolve(match[1] ?? '')
        }
      }
      void this.exited.then(() => {
        clearTimeout(timer)
        reject(new Error(`${this.name} exited before it was ready; its log:\n${this.logTail}`))
      })
    })
    if (until !== undefined) return
    this.endpoint = `127.0.0.1:${port}`
    this.client?.close()
    this.client = new RawGrpcClient(this.endpoint)
  }

  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT …); for SIGKILL, resolves once the process is gone. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child
    if (child === undefined) return
    child.kill(signal)
    if (signal === 'SIGKILL') await this.exited
  }

  /** Resolves with the exit code once the process exits on its own (rejects after timeoutMs). */
  exit(timeoutMs: number): Promise<number | null> {
    return within(this.exited, timeoutMs, `${this.name} exiting`)
  }

  /** SIGTERM (SIGKILL after a grace period, and at once for a stopped process); resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.client?.close()
    const child = this.child
    if (child === undefined) return this.exited
    child.kill('SIGCONT')
    child.kill('SIGTERM')
    const grace = setTimeout(() => child.kill('SIGKILL'), stopGraceMs)
    const code = await this.exited
    clearTimeout(grace)
    return code
  }
}

export interface LocalCluster {
  readonly members: ClusterProcess[]
  /**
   * A process for a member added at runtime (not started yet): a fresh data dir,
   * --initial-cluster-state existing and the --initial-cluster `member add` printed. It is
   * stopped with the cluster.
   */
  joiner(name: string, peerUrl: string, initialCluster: string, extraArgs?: readonly string[]): ClusterProcess
  /** Stops every member and removes the data dirs. */
  stop(): Promise<void>
}

export interface ClusterOptions {
  /**
   * Puts a fault-injecting proxy on every peer link: each member advertises a proxy port and
   * listens for peers on another (see peer-proxy.ts). Stopped with the cluster.
   */
  proxy?: PeerProxy
  /** The peer URLs' scheme (https: give the --peer-* TLS flags in extraArgs). */
  peerScheme?: 'http' | 'https'
}

/** The flags of member `name` listening for peers on `listenPeerUrl` and advertising `peerUrl` (the same unless a proxy is in front). */
export function memberArgs(name: string, dataDir: string, peerUrl: string, initialCluster: string, extraArgs: readonly string[], listenPeerUrl = peerUrl): string[] {
  return [
    '--name', name,
    '--data-dir', dataDir,
    '--listen-client-urls', 'http://127.0.0.1:0',
    '--listen-peer-urls', listenPeerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', initialCluster,
    '--initial-cluster-token', clusterToken,
    ...extraArgs,
  ]
}

/** Starts `size` members named m1, m2 … with etcd's default timings unless `extraArgs` say otherwise. */
export async function startCluster(size: number, extraArgs: readonly string[] = [], options: ClusterOptions = {}): Promise<LocalCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(size, extraArgs, options)
    } catch (error) {
      // A peer port found free can be taken by another test file's process before the member
      // binds it; new ports then. Not with a proxy: a failed start has closed it.
      if (attempt >= 3 || options.proxy !== undefined || !(error as Error).message.includes('EADDRINUSE')) throw error
    }
  }
}

async function startClusterOnce(size: number, extraArgs: readonly string[], options: ClusterOptions): Promise<LocalCluster> {
  const root = await mkdtemp(join(tmpdir(), 'ectl-cluster-'))
  const names = Array.from({length: size}, (_, i) => `m${i + 1}`)
  const token = clusterToken
  const listenPorts: number[] = []
  for (let i = 0; i < size; i++) listenPorts.push(await freePort())
  const proxy = options.proxy
  // what each member advertises: its own listener, or its proxy in front of it
  const advertisedPorts = proxy === undefined ? listenPorts : await Promise.all(names.map((name, i) => proxy.add(name, listenPorts[i]!)))
  const scheme = options.peerScheme ?? 'http'
  const peerUrls = advertisedPorts.map((port) => `${scheme}://127.0.0.1:${port}`)
  if (proxy !== undefined) names.forEach((name, i) => proxy.name(computeMemberId([peerUrls[i]!], token).toString(16), name))
  const initialCluster = names.map((name, i) => `${name}=${peerUrls[i]}`).join(',')
  const members = names.map((name, i) => {
    const peerUrl = peerUrls[i]!
    return new ClusterProcess(name, join(root, name), peerUrl, memberArgs(name, join(root, name), peerUrl, initialCluster, extraArgs, `${scheme}://127.0.0.1:${listenPorts[i]}`))
  })
  const cluster: LocalCluster = {
    members,
    joiner(name, peerUrl, joinCluster, joinArgs = extraArgs) {
      const member = new ClusterProcess(name, join(root, name), peerUrl, memberArgs(name, join(root, name), peerUrl, joinCluster, ['--initial-cluster-state', 'existing', ...joinArgs]))
      members.push(member)
      return member
    },
    async stop() {
      await Promise.all(members.map((member) => member.stop()))
      await proxy?.close()
      await rm(root, {recursive: true, force: true})
    },
  }
  try {
    await Promise.all(members.map((member) => member.start()))
  } catch (error) {
    await cluster.stop()
    throw error
  }
  return cluster
}

/** `promise`, or a rejection after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
