// Runs golden steps through the built ectl in this one process, one after the other, as if each
// were its own `ectl` run: argv, environment and stdin set per step; what the step writes goes
// to this process's stdout and stderr (as would a command it starts, e.g. `lock NAME -- cmd`),
// and the end of each step is marked on both with a line the parent splits on. Starting Node
// once per script instead of once per step keeps the network variants of the golden suite
// fast, and quick like etcdctl between steps where wall time shows (a lease's remaining TTL).
//
// Usage: node --import tsx steps-in-one-process.ts <ectl package dir> <marker>
// Reads one step a line on stdin: {argv, env, stdin (base64)}. After each step writes
// `<marker> <exit code>\n` on stdout and `<marker>\n` on stderr. Exits at the end of its input.
import {createRequire} from 'node:module'
import {createInterface} from 'node:readline'
import {Readable} from 'node:stream'

interface StepIn {
  argv: string[]
  env: Record<string, string>
  stdin?: string
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`)
  }
}

const [packageDir, marker] = process.argv.slice(2) as [string, string]
// the iterator is taken at once: lines that arrive before the loop waits are kept, not dropped
const control = createInterface({input: process.stdin, crlfDelay: Infinity})[Symbol.asyncIterator]()
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true'
// the same bundle and loader bin/ectl.js runs (dist/launch.cjs: the code-cached dist/ectl.cjs)
const require = createRequire(import.meta.url)
const {loadBundle} = require(`${packageDir}/dist/launch.cjs`) as {loadBundle: (bundle: string) => unknown}
const {main} = loadBundle(`${packageDir}/dist/ectl.cjs`) as {main: (cli: 'ectl', dir: string) => Promise<void>}

const realExit = process.exit.bind(process)
const baseEnv = {...process.env}

for await (const line of {[Symbol.asyncIterator]: () => control}) {
  const step = JSON.parse(line) as StepIn
  for (const name of Object.keys(process.env)) if (!(name in baseEnv)) delete process.env[name]
  Object.assign(process.env, baseEnv, step.env)
  const stdin = Readable.from(step.stdin === undefined ? [] : [Buffer.from(step.stdin, 'base64')])
  Object.defineProperty(process, 'stdin', {value: stdin, configurable: true, writable: true})
  process.argv = [process.argv[0]!, `${packageDir}/bin/ectl.js`, ...step.argv]
  process.exitCode = undefined
  process.exit = ((code?: number) => {
    throw new ExitCalled(code ?? 0)
  }) as typeof process.exit
  // oclif's flush() waits for 'drain' on the streams; in a process of its own that listener
  // would die with the process, here it is removed after the step
  const drainListeners = [process.stdout.listeners('drain'), process.stderr.listeners('drain')] as const
  let exitCode: number
  try {
    await main('ectl', packageDir)
    exitCode = Number(process.exitCode ?? 0)
  } catch (error) {
    exitCode = error instanceof ExitCalled ? error.code : 70
    if (!(error instanceof ExitCalled)) process.stderr.write(`harness: ${(error as Error).stack}\n`)
  } finally {
    process.exit = realExit
    for (const [stream, before] of [[process.stdout, drainListeners[0]], [process.stderr, drainListeners[1]]] as const) {
      for (const listener of stream.listeners('drain')) if (!before.includes(listener)) stream.off('drain', listener as () => void)
    }
  }
  // pipes are written synchronously on Linux: everything the step wrote is in the pipe already
  process.stdout.write(`${marker} ${exitCode}\n`)
  process.stderr.write(`${marker}\n`)
}
process.exitCode = 0
