// Reading new passwords as etcdctl user add / passwd do: on a terminal, a prompt on stdout and a line typed without
// echo (speakeasy); with --interactive=false, the first word of stdin (fmt.Scanf("%s")).
import {CliError, ExitCode} from './exit.js'

/** A password longer than this is refused (bcrypt reads 72 bytes anyway). */
const MAX_PASSWORD_BYTES = 4096

/** Asks on the terminal, echo off; without a terminal, reads one line of stdin after the prompt. */
export async function askPassword(prompt: string): Promise<string> {
  process.stdout.write(prompt)
  const stdin = process.stdin
  const raw = stdin.isTTY === true
  if (raw) stdin.setRawMode(true)
  try {
    const line = await readLine(raw)
    return line
  } finally {
    if (raw) stdin.setRawMode(false)
    stdin.pause()
    process.stdout.write('\n')
  }
}

function readLine(raw: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin
    let typed = ''
    const finish = (error?: Error) => {
      stdin.off('data', onData)
      stdin.off('end', onEnd)
      if (error) reject(error)
      else resolve(typed)
    }
    const onEnd = () => finish()
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish()
        if (raw && char === '\u0003') return finish(new CliError(ExitCode.interrupted, 'interrupted'))
        if (raw && (char === '\u007f' || char === '\b')) {
          typed = typed.slice(0, -1)
          continue
        }
        typed += char
        if (Buffer.byteLength(typed) > MAX_PASSWORD_BYTES) return finish(new CliError(ExitCode.badArgs, 'password too long'))
      }
    }
    stdin.on('data', onData)
    stdin.on('end', onEnd)
    stdin.resume()
  })
}

/**
 * etcdctl's readPasswordInteractive: asks twice; an empty password or two different ones end
 * the command (exit 128) with etcdctl's words.
 */
export async function readPasswordInteractive(name: string): Promise<string> {
  const first = await askPassword(`Password of ${name}: `)
  if (first.length === 0) throw new CliError(ExitCode.badArgs, 'empty password')
  const second = await askPassword(`Type password of ${name} again for confirmation: `)
  if (first !== second) throw new CliError(ExitCode.badArgs, 'given passwords are different')
  return first
}

/** fmt.Scanf("%s"): the first word of stdin's first line ('' when there is none). */
export async function scanPassword(): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    size += (chunk as Buffer).length
    if (size > MAX_PASSWORD_BYTES || (chunk as Buffer).includes(0x0a)) break
  }
  const firstLine = Buffer.concat(chunks).toString('utf8').split('\n')[0]!
  return /^[ \t\r]*(\S*)/.exec(firstLine)![1]!
}
