// Asks for a password as etcdctl does when --user names no password: `Password: ` and a line
// typed without echo on a terminal; from a pipe, the first line of stdin.
import {createInterface} from 'node:readline'

/** A password is a line; anything longer than this is not one. */
const maxPasswordBytes = 4096

export async function readPassword(prompt = 'Password: '): Promise<string> {
  return process.stdin.isTTY ? readHidden(prompt) : readLine()
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.resume()
  return new Promise((resolve, reject) => {
    let typed = ''
    const done = (error?: Error): void => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(typed)
    }
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done()
        if (char === '\u0003') return done(new Error('interrupted'))
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1)
        else typed += char
        if (typed.length > maxPasswordBytes) return done(new Error(`password longer than ${maxPasswordBytes} bytes`))
      }
    }
    stdin.on('data', onData)
  })
}

async function readLine(): Promise<string> {
  const lines = createInterface({input: process.stdin, crlfDelay: Infinity})
  try {
    for await (const line of lines) return line.slice(0, maxPasswordBytes)
    return ''
  } finally {
    lines.close()
  }
}
