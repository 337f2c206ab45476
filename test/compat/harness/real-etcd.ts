// Starts and stops a real etcd 3.4 (the reference the golden tests compare against): one
// member on loopback, free ports, a fresh data directory, removed again on stop.
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {listensOn} from './port-owner.js'

export const etcdBinary = process.env.COMPAT_ETCD_BIN ?? '/usr/bin/etcd'
export const etcdctlBinary = process.env.COMPAT_ETCDCTL_BIN ?? '/usr/bin/etcdctl'

const healthTimeoutMs = 20_000
const stopGraceMs = 5_000
/** Keep only the tail of etcd's own log, to explain a failed start. */
const logTailBytes = 8 * 1024

/** Fails loudly (never skips): the comparison means nothing without the real programs. */
export function assertRealEtcdInstalled(): void {
  const missing = [etcdBinary, etcdctlBinary].filter((path) => !existsSync(path))
  if (missing.length > 0) {
    throw new Error(
      `compat tests need the real etcd 3.4 and etcdctl 3.4, but ${missing.join(' and ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} not installed (install etcd 3.4 so that /usr/bin/etcd and ` +
        `/usr/bin/etcdctl exist, or point COMPAT_ETCD_BIN / COMPAT_ETCDCTL_BIN at them)`,
    )
  }
}

/** A port nobody listens on right now: bind port 0, read what the kernel chose, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error('listening socket has no port'))
        return
      }
      server.close(() => resolve(address.port))
    })
  })
}

// Every etcd this process started and has not yet stopped, so that even an abrupt exit of the
// test runner does not leave members behind.
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export interface RealEtcd {
  /** host:port for etcdctl's --endpoints / ETCDCTL_ENDPOINTS. */
  readonly endpoint: string
  /** The etcd process, for benchmarks that read its memory. */
  readonly pid: number
  stop(): Promise<void>
}

/** Ports are picked free and released before etcd binds them, so another test's server can take one in between: then etcd cannot bind it (or a health check reaches the other server), and etcd is started again on new ports. */
const startAttempts = 4

export async function startRealEtcd(): Promise<RealEtcd> {
  assertRealEtcdInstalled()
  for (let attempt = 1; ; attempt++) {
    const started = await startOnFreshPorts()
    if (started.owned) return started.etcd
    await started.etcd.stop()
    if (attempt === startAttempts) throw new Error(`etcd could not keep its ports in ${startAttempts} tries: another server took them first`)
  }
}

async function startOnFreshPorts(): Promise<{etcd: RealEtcd; owned: boolean}> {
  const dataDir = await mkdtemp(join(tmpdir(), 'compat-etcd-'))
  const [clientPort, peerPort] = await distinctFreePorts()
  const clientUrl = `http://127.0.0.1:${clientPort}`
  const peerUrl = `http://127.0.0.1:${peerPort}`
  const child = spawn(
    etcdBinary,
    [
      '--name', 'default',
      '--data-dir', join(dataDir, 'member-data'),
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      '--log-level', 'error',
    ],
    {stdio: ['ignore', 'ignore', 'pipe']},
  )
  live.add(child)
  let logTail = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    logTail = (logTail + chunk.toString('utf8')).slice(-logTailBytes)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const grace = setTimeout(() => child.kill('SIGKILL'), stopGraceMs)
      await exited
      clearTimeout(grace)
    }
    live.delete(child)
    await rm(dataDir, {recursive: true, force: true})
  }

  const etcd = {endpoint: `127.0.0.1:${clientPort}`, pid: child.pid!, stop}
  try {
    await waitForHealth(clientUrl, exited, () => logTail)
  } catch (error) {
    await stop()
    if (/address already in use/.test(logTail)) return {etcd, owned: false}
    throw error
  }
  const owned = (await listensOn(child.pid!, clientPort)) && (await listensOn(child.pid!, peerPort))
  return {etcd, owned}
}

async function distinctFreePorts(): Promise<[number, number]> {
  const first = await freePort()
  let second = await freePort()
  while (second === first) second = await freePort()
  return [first, second]
}

async function waitForHealth(clientUrl: string, exited: Promise<void>, logTail: () => string): Promise<void> {
  const deadline = Date.now() + healthTimeoutMs
  let hasExited = false
  void exited.then(() => {
    hasExited = true
  })
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`etcd exited before becoming healthy; its log ends with:\n${logTail()}`)
    try {
      const response = await fetch(`${clientUrl}/health`, {signal: AbortSignal.timeout(1_000)})
      const body = (await response.json()) as {health?: string}
      if (body.health === 'true') return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`etcd at ${clientUrl} not healthy after ${healthTimeoutMs} ms; its log ends with:\n${logTail()}`)
}
