// Runs one program to completion with given stdin and env, capturing stdout, stderr and the
// exit code as raw bytes (the comparison is byte for byte, so nothing is decoded here).
import {spawn} from 'node:child_process'

/** The most output one step may produce; a runaway program is killed rather than buffered. */
export const maxCapturedBytes = 16 * 1024 * 1024
/** A step that has not finished by then is killed: a hung CLI must fail the case, not the run. */
export const stepTimeoutMs = 30_000

export interface ProcessResult {
  stdout: Buffer
  stderr: Buffer
  /** The exit status; a process killed by a signal reports 128 + signal number, as a shell would. */
  exitCode: number
  /** Why the harness itself stopped the program (timeout, too much output), if it did. */
  harnessNote?: string
}

export interface ProcessRequest {
  command: string
  args: readonly string[]
  /** The whole environment of the child (nothing is inherited implicitly). */
  env: NodeJS.ProcessEnv
  /** Written to the child's stdin, which is then closed; an empty stdin when absent. */
  stdin?: Buffer
  cwd?: string
}

const signalNumbers: Record<string, number> = {SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15}

export function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(request.command, [...request.args], {
      env: request.env,
      cwd: request.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const stdout = new BoundedSink()
    const stderr = new BoundedSink()
    let harnessNote: string | undefined
    const stop = (note: string): void => {
      harnessNote ??= note
      child.kill('SIGKILL')
    }
    const timer = setTimeout(() => stop(`killed by the harness after ${stepTimeoutMs} ms`), stepTimeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      if (!stdout.add(chunk)) stop(`killed by the harness: stdout passed ${maxCapturedBytes} bytes`)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (!stderr.add(chunk)) stop(`killed by the harness: stderr passed ${maxCapturedBytes} bytes`)
    })
    // A child that exits without reading its stdin makes the write fail with EPIPE; that is
    // the child's business (its output and exit code say what happened), not a harness error.
    child.stdin.on('error', () => {})
    child.stdin.end(request.stdin ?? Buffer.alloc(0))
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({stdout: stdout.bytes(), stderr: stderr.bytes(), exitCode: -1, harnessNote: `spawn failed: ${error.message}`})
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const exitCode = code ?? 128 + (signal === null ? 0 : (signalNumbers[signal] ?? 0))
      resolve({stdout: stdout.bytes(), stderr: stderr.bytes(), exitCode, harnessNote})
    })
  })
}

/** Collects chunks up to maxCapturedBytes; add() returns false once the limit is passed. */
class BoundedSink {
  private readonly chunks: Buffer[] = []
  private size = 0

  add(chunk: Buffer): boolean {
    if (this.size + chunk.length > maxCapturedBytes) return false
    this.chunks.push(chunk)
    this.size += chunk.length
    return true
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size)
  }
}
