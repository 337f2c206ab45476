// The parent side of steps-in-one-process.ts: one Node process running the built ectl, given
// one step at a time, answering with that step's output and exit code as a ProcessResult.
import {spawn, type ChildProcess} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {ProcessResult} from './run-process.js'
import {stepTimeoutMs} from './run-process.js'

const runner = fileURLToPath(new URL('./steps-in-one-process.ts', import.meta.url))

export class InProcessEctl {
  private readonly child: ChildProcess
  private readonly marker = `--step-done-${randomUUID()}`
  private stdout = Buffer.alloc(0)
  private stderr = Buffer.alloc(0)
  private onOutput: () => void = () => undefined
  private exited = false

  /** `launcher` is the ectl launcher (bin/ectl.js); `env` the whole environment of the process. */
  constructor(launcher: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', runner, dirname(dirname(launcher)), this.marker], {env, stdio: ['pipe', 'pipe', 'pipe']})
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout = Buffer.concat([this.stdout, chunk])
      this.onOutput()
    })
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = Buffer.concat([this.stderr, chunk])
      this.onOutput()
    })
    this.child.stdin!.on('error', () => undefined)
    this.child.once('exit', () => {
      this.exited = true
      this.onOutput()
    })
  }

  async run(argv: readonly string[], env: Readonly<Record<string, string>> = {}, stdin?: Buffer): Promise<ProcessResult> {
    if (this.exited) throw new Error(`the in-process ectl runner exited: ${this.stderr.toString('utf8').slice(-4096)}`)
    this.child.stdin!.write(JSON.stringify({argv, env, stdin: stdin?.toString('base64')}) + '\n')
    const outEnd = new RegExp(`${this.marker} (-?\\d+)\\n`)
    const errEnd = `${this.marker}\n`
    const done = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), stepTimeoutMs)
      this.onOutput = () => {
        if (this.exited || (outEnd.test(this.stdout.toString('latin1')) && this.stderr.includes(errEnd))) {
          clearTimeout(timer)
          resolve(!this.exited)
        }
      }
      this.onOutput()
    })
    this.onOutput = () => undefined
    if (!done) {
      this.child.kill('SIGKILL')
      return {stdout: this.stdout, stderr: this.stderr, exitCode: -1, harnessNote: 'the in-process ectl runner did not finish the step'}
    }
    const out = this.stdout.toString('latin1')
    const match = outEnd.exec(out)!
    const errAt = this.stderr.indexOf(errEnd)
    const result = {stdout: this.stdout.subarray(0, match.index), stderr: this.stderr.subarray(0, errAt), exitCode: Number(match[1])}
    this.stdout = this.stdout.subarray(match.index + match[0].length)
    this.stderr = this.stderr.subarray(errAt + errEnd.length)
    return result
  }

  async close(): Promise<void> {
    if (this.exited) return
    const exit = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.stdin!.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
    await exit
    clearTimeout(timer)
  }
}
