// Runs a child process that prints `ready` once it is writing, SIGKILLs it `killAfterMs` later,
// and hands every other complete stdout line to `onLine`. Rejects if the child exits by itself.
import {spawn} from 'node:child_process'

export function runUntilKilled(args: string[], killAfterMs: number, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let pending = ''
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop()! // a line is only taken once its newline arrived
      for (const line of lines) {
        if (line.startsWith('ready')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
        else onLine(line)
      }
    })
    child.on('error', reject)
    child.on('close', (_code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (signal ${signal}): ${stderr}`))
      else resolve()
    })
  })
}
