// `kctl sandbox up`: starts the sandbox's server as a detached child (log and pid file in the
// data dir), waits until /readyz answers over TLS with the admin certificate, writes the
// kubeconfig context and says how long it took.
import {spawn} from 'node:child_process'
import {mkdirSync, openSync, closeSync, readFileSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import {KctlError} from '../errors.js'
import {loadOrMakePki, type Pki} from './pki.js'
import {targetKubeconfig, writeSandboxContext} from './kubeconfig.js'
import {alive, clearState, logFile, pidFile, readPid, readState, SANDBOX_NAME} from './state.js'

export interface UpOptions {
  dataDir: string
  port: number
  kubeconfig?: string
  /** the launcher and its arguments that run `kctl sandbox serve` */
  serveCommand: string[]
  waitMs: number
  progress: (elapsedMs: number, done: boolean) => void
}

function ready(port: number, pki: Pki): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.request(
      {host: '127.0.0.1', port, path: '/readyz', method: 'GET', ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, timeout: 1000, agent: false},
      (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      },
    )
    req.on('error', () => resolve(false))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/** The log's last lines, indented, so a failed start says why without another command. */
function logTail(dataDir: string): string {
  let text: string
  try {
    text = readFileSync(logFile(dataDir), 'utf8')
  } catch {
    return ''
  }
  const lines = text.trimEnd().split('\n').slice(-20)
  return lines.length === 0 || lines[0] === '' ? '' : `; its last lines:\n${lines.map((l) => `  ${l}`).join('\n')}`
}

export async function sandboxUp(o: UpOptions): Promise<{server: string; kubeconfig: string; elapsedMs: number; pid: number; already: boolean}> {
  const start = Date.now()
  mkdirSync(o.dataDir, {recursive: true})
  const existing = readPid(o.dataDir)
  const pki = loadOrMakePki(o.dataDir)
  const kubeconfig = targetKubeconfig(o.kubeconfig)
  if (existing !== undefined && alive(existing)) {
    const state = readState(o.dataDir)
    if (state === undefined) throw new KctlError(`the sandbox in ${o.dataDir} is starting (pid ${existing}); see ${logFile(o.dataDir)}`)
    const server = `https://127.0.0.1:${state.port}`
    writeSandboxContext(kubeconfig, server, pki)
    return {server, kubeconfig, elapsedMs: Date.now() - start, pid: existing, already: true}
  }
  clearState(o.dataDir)
  const logFd = openSync(logFile(o.dataDir), 'a')
  const env = {...process.env}
  // the child's start-up should not pay for extra CA certificates it never uses
  delete env['NODE_EXTRA_CA_CERTS']
  const child = spawn(o.serveCommand[0]!, [...o.serveCommand.slice(1), '--data-dir', o.dataDir, '--api-port', String(o.port)], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env,
  })
  closeSync(logFd)
  const pid = child.pid
  if (pid === undefined) throw new KctlError('could not start the sandbox server')
  writeFileSync(pidFile(o.dataDir), `${pid}\n`)
  let exited: number | null | undefined
  child.on('exit', (code) => (exited = code))
  child.unref()
  const deadline = start + o.waitMs
  while (true) {
    o.progress(Date.now() - start, false)
    if (exited !== undefined) {
      clearState(o.dataDir)
      throw new KctlError(`the sandbox server exited (code ${exited}) before it was ready; see ${logFile(o.dataDir)}${logTail(o.dataDir)}`)
    }
    const state = readState(o.dataDir)
    if (state !== undefined && (await ready(state.port, pki))) {
      const server = `https://127.0.0.1:${state.port}`
      writeSandboxContext(kubeconfig, server, pki)
      o.progress(Date.now() - start, true)
      return {server, kubeconfig, elapsedMs: Date.now() - start, pid, already: false}
    }
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGTERM')
      throw new KctlError(`the sandbox was not ready after ${Math.round(o.waitMs / 1000)}s; see ${logFile(o.dataDir)}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

export {SANDBOX_NAME}
