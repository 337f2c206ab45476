// Line sources for `txn`: stdin read as it arrives (a pipe, or a terminal without -i), and
// prompts on a terminal with -i. Lines are byte strings (latin1), as the txn grammar expects.
import type {Readable, Writable} from 'node:stream'
import {CliError, ExitCode} from '../exit.js'
import type {LineSource} from './grammar.js'

/** A txn line longer than this is refused (etcd refuses requests over 1.5 MiB anyway). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024

/**
 * Lines from a byte stream. With `echoTitles` each section title is written to `out` first,
 * as `etcdctl txn -i` does even when its input is a pipe.
 */
export function streamLines(input: Readable, out: Writable | undefined): LineSource {
  const chunks = input[Symbol.asyncIterator]()
  let pending = ''
  let ended = false
  return {
    section(title) {
      out?.write(title + '\n')
    },
    async next() {
      while (true) {
        const nl = pending.indexOf('\n')
        if (nl >= 0) {
          const line = pending.slice(0, nl)
          pending = pending.slice(nl + 1)
          return line
        }
        // an unterminated last line is a read error for etcdctl (EOF), like no line at all
        if (ended) return undefined
        const {value, done} = await chunks.next()
        if (done === true) {
          ended = true
          continue
        }
        pending += Buffer.isBuffer(value) ? value.toString('latin1') : Buffer.from(String(value)).toString('latin1')
        if (pending.length > MAX_LINE_BYTES && !pending.includes('\n')) {
          throw new CliError(ExitCode.invalidInput, `txn line longer than ${MAX_LINE_BYTES} bytes`)
        }
      }
    },
  }
}

/** Prompts on a terminal, through @inquirer/prompts (loaded only here, only on a TTY). */
export function promptLines(): LineSource {
  let message = ''
  return {
    section(title) {
      message = title
    },
    async next() {
      const {input} = await import('@inquirer/prompts')
      const answer = await input({message})
      message = ''
      return Buffer.from(answer, 'utf8').toString('latin1')
    },
  }
}
