// A real etcd 3.4 for the gRPC client's tests, with what the golden harness's does not offer:
// extra flags (TLS, auth token TTL), https client URLs, and a TCP proxy in front that a test can
// cut. Readiness is read from an http metrics URL, so it works whatever the client URL's TLS.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {etcdBinary, freePort} from '../../../compat/harness/real-etcd.js'

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export interface EtcdMember {
  /** host:port of the client URL */
  address: string
  stop(): Promise<void>
}

export async function startEtcd(options: {https?: boolean; args?: string[]} = {}): Promise<EtcdMember> {
  const dir = await mkdtemp(join(tmpdir(), 'grpc-client-etcd-'))
  const [clientPort, peerPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
  const clientUrl = `${options.https ? 'https' : 'http'}://127.0.0.1:${clientPort}`
  const peerUrl = `http://127.0.0.1:${peerPort}`
  const child = spawn(
    etcdBinary,
    [
      '--name', 'default',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--listen-metrics-urls', `http://127.0.0.1:${metricsPort}`,
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      '--log-level', 'error',
      ...(options.args ?? []),
    ],
    {stdio: ['ignore', 'ignore', 'pipe']},
  )
  live.add(child)
  let log = ''
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-8192)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    live.delete(child)
    await rm(dir, {recursive: true, force: true})
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`etcd exited: ${log}`)
    }
    try {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/health`, {signal: AbortSignal.timeout(1_000)})
      if (((await response.json()) as {health?: string}).health === 'true') break
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`etcd not healthy: ${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {address: `127.0.0.1:${clientPort}`, stop}
}

/** A TCP proxy to `target` whose connections a test can cut (and which can refuse new ones). */
export interface CuttableProxy {
  address: string
  /** Destroys every open connection; with `refuse`, stops accepting new ones too. */
  cut(refuse?: boolean): Promise<void>
  close(): Promise<void>
}

export async function startProxy(target: string): Promise<CuttableProxy> {
  const [host, port] = target.split(':') as [string, string]
  const sockets = new Set<Socket>()
  const server: Server = createServer((incoming) => {
    const outgoing = connect(Number(port), host)
    sockets.add(incoming).add(outgoing)
    const drop = (): void => {
      incoming.destroy()
      outgoing.destroy()
      sockets.delete(incoming)
      sockets.delete(outgoing)
    }
    incoming.on('error', drop).on('close', drop)
    outgoing.on('error', drop).on('close', drop)
    incoming.pipe(outgoing)
    outgoing.pipe(incoming)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as {port: number}
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return {
    address: `127.0.0.1:${address.port}`,
    async cut(refuse = false) {
      if (refuse) await close()
      else for (const socket of sockets) socket.destroy()
    },
    close: () => (server.listening ? close() : Promise.resolve()),
  }
}

/** An address where nothing listens: a port bound and released. */
export async function deadAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`
}

/** A TCP listener that accepts connections and never answers (a member that hangs). */
export async function silentListener(): Promise<{address: string; close(): Promise<void>}> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    address: `127.0.0.1:${(server.address() as {port: number}).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
