// Where a sandbox keeps its bookkeeping, inside its data dir: the pid file, the state the
// server writes once it listens (pid, port, start time), and the log.
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

export const SANDBOX_NAME = 'kctl-sandbox'

export interface SandboxState {
  pid: number
  port: number
  host: string
  startedAt: string
}

export function defaultSandboxDir(): string {
  const dataHome = process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share')
  return join(dataHome, SANDBOX_NAME)
}

export const pidFile = (dir: string) => join(dir, 'sandbox.pid')
export const stateFile = (dir: string) => join(dir, 'sandbox.json')
export const logFile = (dir: string) => join(dir, 'sandbox.log')

export function readPid(dir: string): number | undefined {
  try {
    const n = Number(readFileSync(pidFile(dir), 'utf8').trim())
    return Number.isInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}

export function readState(dir: string): SandboxState | undefined {
  if (!existsSync(stateFile(dir))) return undefined
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as SandboxState
  } catch {
    return undefined
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function clearState(dir: string): void {
  rmSync(pidFile(dir), {force: true})
  rmSync(stateFile(dir), {force: true})
}
