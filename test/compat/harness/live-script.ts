// Golden scripts with live steps, for commands that run for a while (watch, lock, elect) and for
// outputs that carry lease ids. On top of script.ts's steps:
//
// - `start`: runs a command in the background (e.g. a watcher) and goes on after `settleMs`;
//   later steps write while it runs. `stop` waits until it printed `afterLines` lines, sends it
//   a signal (none: waits for it to exit) and compares what it printed and its exit status.
// - Lease ids are random on both sides. Each side's ids are numbered in order of first
//   appearance, and every spelling of one (etcdctl's %016x hex, decimal in json and fields,
//   %x in lock and election keys) becomes `<lease-N>`; only text in exactly those forms is
//   masked, so a malformed or inconsistent id still fails. `{lease-N}` in a later argv is
//   replaced by that side's N-th id (in hex), so steps can revoke what they granted.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, test} from 'node:test'
import {isDeepStrictEqual} from 'node:util'
import {displayLines} from './display.js'
import {lineDiff} from './line-diff.js'
import {normalizeOutput} from './normalize.js'
import {etcdctlBinary, startRealEtcd} from './real-etcd.js'
import {runProcess, stepTimeoutMs, type ProcessResult} from './run-process.js'
import {InProcessEctl} from './in-process-ectl.js'
import {ectlLauncher, type Step} from './script.js'

export type LiveStep =
  | Step
  | {start: string; argv: readonly string[]; settleMs: number}
  | {stop: string; signal?: NodeJS.Signals; afterLines: number}

export interface LiveScript {
  name: string
  /** Key prefixes (`mylock/`) under which keys end with a lease id in %x (lock and election keys). */
  leaseKeyPrefixes?: readonly string[]
  steps: readonly LiveStep[]
}

/** `inProcess`: foreground steps go to one long-lived ectl process instead of one process each. */
type Side = {command: string; prefix: string[]; env: NodeJS.ProcessEnv; inProcess?: InProcessEctl}

function cleanEnv(extra?: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('ETCDCTL_') || name.startsWith('ECTL_') || name === 'NODE_OPTIONS' || name === 'NODE_TEST_CONTEXT') continue
    env[name] = value
  }
  return {...env, ...extra}
}

/** Numbers lease ids in order of first appearance and masks exactly their printed forms. */
export class LeaseIdMasker {
  private readonly ids: bigint[] = []
  constructor(private readonly keyPrefixes: readonly string[] = []) {}

  /** The hex id of the n-th lease seen (1-based), for `{lease-N}` in argv. */
  hex(n: number): string {
    const id = this.ids[n - 1]
    assert.ok(id !== undefined, `no lease ${n} was printed yet`)
    return id.toString(16).padStart(16, '0')
  }

  private label(id: bigint): string {
    let index = this.ids.indexOf(id)
    if (index < 0) index = this.ids.push(id) - 1
    return `<lease-${index + 1}>`
  }

  mask(output: Buffer): Buffer {
    let text = output.toString('latin1')
    // simple output: `lease %016x …` and the id lines of `lease list`
    text = text.replace(/(^|\n)lease ([0-9a-f]{16})(?= )/g, (_all, start: string, hex: string) => `${start}lease ${this.label(BigInt('0x' + hex))}`)
    text = text.replace(/(^|\n)([0-9a-f]{16})(?=\n)/g, (_all, start: string, hex: string) => `${start}${this.label(BigInt('0x' + hex))}`)
    // json (lease responses, kv "lease") and fields (`"ID" : N`, `"Lease" : N`); 0 is no lease
    text = text.replace(/"(ID|id|lease)":([1-9][0-9]*)/g, (_all, name: string, n: string) => `"${name}":${this.label(BigInt(n))}`)
    text = text.replace(/(^|\n)"(ID|Lease|PrevLease)" : ([1-9][0-9]*)(?=\n)/g, (_all, start: string, name: string, n: string) => `${start}"${name}" : ${this.label(BigInt(n))}`)
    for (const prefix of this.keyPrefixes) {
      const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      text = text.replace(new RegExp(`(^|\\n|[ =])${escaped}([0-9a-f]{1,16})(?=[\\n ])`, 'g'), (_all, start: string, hex: string) => `${start}${prefix}${this.label(BigInt('0x' + hex))}`)
    }
    return Buffer.from(text, 'latin1')
  }
}

const idleProbeMs = 100
const idleProbesInARow = 3
const idleTimeoutMs = 20_000

/** CPU time the process has used so far (user + system, in clock ticks), from /proc. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return undefined
  }
}

/**
 * Waits at least `minMs`, then until the background command has stopped using CPU for a few
 * probes in a row: it has started and is blocked on its watch, lock or election. On a loaded
 * machine start-up takes longer than any fixed wait, and an event written before the watcher
 * is ready would be missed on one side only.
 */
async function untilIdle(pid: number, minMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, minMs))
  const deadline = Date.now() + idleTimeoutMs
  let last = cpuTicks(pid)
  let quiet = 0
  while (last !== undefined && quiet < idleProbesInARow && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, idleProbeMs))
    const now = cpuTicks(pid)
    quiet = now === last ? quiet + 1 : 0
    last = now
  }
}

async function runSide(script: LiveScript, side: Side): Promise<ProcessResult[]> {
  const masker = new LeaseIdMasker(script.leaseKeyPrefixes)
  const argvOf = (argv: readonly string[]) => argv.map((a) => a.replace(/\{lease-(\d+)\}/g, (_all, n: string) => masker.hex(Number(n))))
  const running = new Map<string, {child: ChildProcess; stdout: Buffer[]; stderr: Buffer[]; exit: Promise<number>}>()
  const results: ProcessResult[] = []
  const finish = (r: ProcessResult): ProcessResult => ({...r, stdout: masker.mask(r.stdout), stderr: masker.mask(r.stderr)})
  try {
    for (const step of script.steps) {
      if ('start' in step) {
        const child = spawn(side.command, [...side.prefix, ...argvOf(step.argv)], {env: side.env, stdio: ['ignore', 'pipe', 'pipe']})
        const entry = {child, stdout: [] as Buffer[], stderr: [] as Buffer[], exit: Promise.resolve(0)}
        child.stdout!.on('data', (c: Buffer) => entry.stdout.push(c))
        child.stderr!.on('data', (c: Buffer) => entry.stderr.push(c))
        entry.exit = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9))))
        running.set(step.start, entry)
        await untilIdle(child.pid!, step.settleMs)
        results.push({stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0})
      } else if ('stop' in step) {
        const entry = running.get(step.stop)
        assert.ok(entry, `no background command named ${step.stop}`)
        const deadline = Date.now() + stepTimeoutMs
        let harnessNote: string | undefined
        while (Buffer.concat(entry.stdout).toString('latin1').split('\n').length - 1 < step.afterLines) {
          if (Date.now() > deadline) {
            harnessNote = `gave up waiting for ${step.afterLines} lines`
            break
          }
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        if (step.signal !== undefined) entry.child.kill(step.signal)
        const exitCode = await entry.exit
        running.delete(step.stop)
        results.push(finish({stdout: Buffer.concat(entry.stdout), stderr: Buffer.concat(entry.stderr), exitCode, harnessNote}))
      } else {
        const stdin = step.stdin === undefined ? undefined : Buffer.from(step.stdin)
        const r = side.inProcess
          ? await side.inProcess.run(argvOf(step.argv), step.env, stdin)
          : await runProcess({command: side.command, args: [...side.prefix, ...argvOf(step.argv)], env: {...side.env, ...step.env}, stdin})
        results.push(finish(r))
      }
    }
    return results
  } finally {
    for (const entry of running.values()) entry.child.kill('SIGKILL')
  }
}

async function runOnRealEtcdctl(script: LiveScript): Promise<ProcessResult[]> {
  const etcd = await startRealEtcd()
  try {
    return await runSide(script, {command: etcdctlBinary, prefix: [], env: {...cleanEnv(), ETCDCTL_ENDPOINTS: etcd.endpoint}})
  } finally {
    await etcd.stop()
  }
}

async function runOnEctl(script: LiveScript): Promise<ProcessResult[]> {
  if (process.env.COMPAT_SELF_CHECK === '1') return runOnRealEtcdctl(script)
  const dataDir = await mkdtemp(join(tmpdir(), 'compat-ectl-live-'))
  try {
    return await runSide(script, {command: process.execPath, prefix: [ectlLauncher, '--data-dir', dataDir], env: cleanEnv()})
  } finally {
    await rm(dataDir, {recursive: true, force: true})
  }
}

/**
 * The reference run, made again once when one of its steps gave up waiting (a harness note):
 * on a loaded machine the real etcdctl can be slower than a step allows, and the reference is
 * not what is under test. Our side gets no second try.
 */
async function referenceRun(script: LiveScript): Promise<ProcessResult[]> {
  const first = await runOnRealEtcdctl(script)
  if (first.every((result) => result.harnessNote === undefined)) return first
  return runOnRealEtcdctl(script)
}

/** ectl over the network (`ETCDCTL_ENDPOINTS`, as the reference) against a fresh real etcd. */
async function runOnEctlEndpoints(script: LiveScript): Promise<ProcessResult[]> {
  const etcd = await startRealEtcd()
  const env = {...cleanEnv(), ETCDCTL_ENDPOINTS: etcd.endpoint}
  // a lease's remaining TTL is read in wall time: the steps between grant and timetolive must
  // be as quick as etcdctl's, so they run in one process (background commands get their own)
  const inProcess = new InProcessEctl(ectlLauncher, env)
  try {
    return await runSide(script, {command: process.execPath, prefix: [ectlLauncher], env, inProcess})
  } finally {
    await inProcess.close()
    await etcd.stop()
  }
}

function describeStep(step: LiveStep): string {
  if ('start' in step) return `start ${step.start}: etcdctl ${step.argv.join(' ')}`
  if ('stop' in step) return `stop ${step.stop}${step.signal ? ` with ${step.signal}` : ''} after ${step.afterLines} lines`
  return `etcdctl ${step.argv.join(' ')}`.replace(/[\x00-\x1f\x7f]/g, '?')
}

// When a signal stops etcdctl, its Go client may or may not log the call it was making as
// cancelled, depending on which goroutine sees the cancellation first: that line is a race in
// the reference, not something to match.
const cancelledCallWarning = /^\{"level":"warn",.*"retrying of unary invoker failed".*"error":"rpc error: code = Canceled desc = context canceled"\}\n/gm

function compare(expected: ProcessResult, actual: ProcessResult, stoppedBySignal = false): void {
  if (stoppedBySignal) {
    expected = {...expected, stderr: withoutCancelWarnings(expected.stderr)}
    actual = {...actual, stderr: withoutCancelWarnings(actual.stderr)}
  }
  if (expected.harnessNote !== undefined) throw new Error(`the reference run of this step is unusable: ${expected.harnessNote}`)
  const differences: string[] = []
  if (actual.harnessNote !== undefined) differences.push(`ectl: ${actual.harnessNote}`)
  if (actual.exitCode !== expected.exitCode) differences.push(`exit code: real etcdctl ${expected.exitCode}, ectl ${actual.exitCode}`)
  for (const stream of ['stdout', 'stderr'] as const) {
    const e = displayLines(normalizeOutput(expected[stream]))
    const a = displayLines(alignCountdowns(normalizeOutput(expected[stream]), normalizeOutput(actual[stream])))
    if (!isDeepStrictEqual(a, e)) differences.push(`${stream} (- real etcdctl, + ectl):\n${lineDiff(e, a).replace(/^/gm, '    ')}`)
  }
  if (differences.length > 0) throw new assert.AssertionError({message: `ectl differs from the real etcdctl\n${differences.join('\n')}`})
}

function withoutCancelWarnings(stderr: Buffer): Buffer {
  return Buffer.from(stderr.toString('latin1').replace(cancelledCallWarning, ''), 'latin1')
}

// A lease's remaining TTL counts down while a script runs, and the two sides run side by side
// on a shared machine: one may reach a step a second or two after the other.
const countdown = /(remaining\(|"ttl":|"TTL" : )(-?\d+)/g
const countdownSlackSeconds = 5

/**
 * Where `actual` shows a remaining TTL within a few seconds of the one `expected` shows at the
 * same place, takes the expected number; a larger difference stays and fails the comparison.
 */
function alignCountdowns(expectedBytes: Buffer, actualBytes: Buffer): Buffer {
  const [expected, actual] = [expectedBytes.toString('latin1'), actualBytes.toString('latin1')]
  const wanted = [...expected.matchAll(countdown)].map((m) => Number(m[2]))
  let index = 0
  const aligned = actual.replace(countdown, (whole, prefix: string, seconds: string) => {
    const want = wanted[index++]
    if (want === undefined || Math.abs(want - Number(seconds)) > countdownSlackSeconds) return whole
    return `${prefix}${want}`
  })
  return Buffer.from(aligned, 'latin1')
}

/**
 * One suite per script, one test per step; the two sides of a script run side by side. Our
 * side is ectl on an embedded data dir, or (`ectl-endpoints`) ectl over gRPC on a real etcd.
 */
export function registerLiveScripts(scripts: readonly LiveScript[], side: 'ectl' | 'ectl-endpoints' = 'ectl'): void {
  for (const script of scripts) {
    const ours = side === 'ectl-endpoints' && process.env.COMPAT_SELF_CHECK !== '1' ? runOnEctlEndpoints(script) : runOnEctl(script)
    const runs = Promise.all([settled(referenceRun(script)), settled(ours)])
    describe(script.name, () => {
      let sides: [Settled, Settled] | undefined
      before(async () => {
        sides = await runs
      })
      script.steps.forEach((step, index) => {
        test(`${index + 1}. ${describeStep(step)}`, () => {
          const [reference, ours] = sides!
          if (!reference.ok) throw reference.error
          if (!ours.ok) throw ours.error
          const stoppedBySignal = 'stop' in step && step.signal !== undefined
          compare(reference.results[index]!, ours.results[index]!, stoppedBySignal)
        })
      })
    })
  }
}

type Settled = {ok: true; results: ProcessResult[]} | {ok: false; error: Error}
async function settled(run: Promise<ProcessResult[]>): Promise<Settled> {
  try {
    return {ok: true, results: await run}
  } catch (error) {
    return {ok: false, error: error instanceof Error ? error : new Error(String(error))}
  }
}
