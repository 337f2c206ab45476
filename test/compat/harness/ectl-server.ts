// Starts and stops `ectl server` (the built bin/ectl.js) for the third side of the golden tests:
// the real etcdctl talking to our server instead of to the real etcd. One member on loopback,
// a port the server picks itself (port 0, read back from its ready line), a fresh data dir.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const readyTimeoutMs = 20_000
// Longer than the server's own shutdown grace (5 s, after which it cuts the connections still
// open and exits 0): a server that stops cleanly but slowly is not killed mid-shutdown.
const stopGraceMs = 15_000
const logTailBytes = 8 * 1024
const readyLine = /ready to serve client requests on https?:\/\/127\.0\.0\.1:(\d+)/

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export interface EctlServer {
  /** host:port for etcdctl's --endpoints / ETCDCTL_ENDPOINTS. */
  readonly endpoint: string
  /** The server process, for benchmarks that read its memory. */
  readonly pid: number
  /** Stops the server with SIGTERM (SIGKILL after a grace period); resolves with its exit code. */
  stop(): Promise<number | null>
  /** What the server wrote on stderr so far (its tail). */
  log(): string
}

export async function startEctlServer(launcher: string, env: NodeJS.ProcessEnv, extraArgs: readonly string[] = []): Promise<EctlServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'compat-ectl-server-'))
  const child = spawn(
    process.execPath,
    [
      launcher,
      'server',
      '--name', 'default',
      '--data-dir', join(dataDir, 'member-data'),
      '--listen-client-urls', 'http://127.0.0.1:0',
      ...extraArgs,
    ],
    {stdio: ['ignore', 'ignore', 'pipe'], env},
  )
  live.add(child)
  let logTail = ''
  let onLog: () => void = () => undefined
  child.stderr!.on('data', (chunk: Buffer) => {
    logTail = (logTail + chunk.toString('utf8')).slice(-logTailBytes)
    onLog()
  })
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code
      resolve(code)
    }),
  )

  let stopping: Promise<number | null> | undefined
  const stop = () => {
    stopping ??= (async () => {
      if (exitCode === undefined) {
        child.kill('SIGTERM')
        const grace = setTimeout(() => child.kill('SIGKILL'), stopGraceMs)
        await exited
        clearTimeout(grace)
      }
      live.delete(child)
      await rm(dataDir, {recursive: true, force: true})
      return exitCode ?? null
    })()
    return stopping
  }

  try {
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ectl server not ready after ${readyTimeoutMs} ms; its log:\n${logTail}`)), readyTimeoutMs)
      onLog = () => {
        const match = readyLine.exec(logTail)
        if (match) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      }
      void exited.then(() => {
        clearTimeout(timer)
        reject(new Error(`ectl server exited before it was ready; its log:\n${logTail}`))
      })
    })
    return {endpoint: `127.0.0.1:${port}`, pid: child.pid!, stop, log: () => logTail}
  } catch (error) {
    await stop()
    throw error
  }
}
