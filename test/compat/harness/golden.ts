// Registers golden scripts with node:test: one suite per script, one test per step, each
// comparing what ectl printed with what the real etcdctl printed for the same step.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {before, describe, test} from 'node:test'
import {isDeepStrictEqual} from 'node:util'
import {displayLines} from './display.js'
import {lineDiff} from './line-diff.js'
import {normalizeOutput} from './normalize.js'
import {assertRealEtcdInstalled, etcdctlBinary} from './real-etcd.js'
import type {ProcessResult} from './run-process.js'
import {runOnEctl, runOnEctlEndpoints, runOnEctlServer, runOnRealEtcdctl, settle, type Script, type ScriptRun, type Step} from './script.js'

/**
 * Scripts of one file run at most this many at a time (each runs its etcdctl and ectl sides
 * side by side), so a file keeps two cores busy without starving the other test files.
 */
const scriptsInFlight = 2

/**
 * What is compared with the real etcdctl against the real etcd:
 * - `ectl`: our CLI on an embedded data dir (the default);
 * - `ectl-server`: the real etcdctl against `ectl server` (our engine over gRPC);
 * - `ectl-endpoints`: our CLI over gRPC (`--endpoints`) against a real etcd (our client);
 * - `ectl-endpoints-server`: our CLI over gRPC against `ectl server` (both ends ours).
 */
export type OurSide = 'ectl' | 'ectl-server' | 'ectl-endpoints' | 'ectl-endpoints-server'

const sideLabel: Record<OurSide, string> = {
  ectl: 'ectl',
  'ectl-server': 'etcdctl on ectl server',
  'ectl-endpoints': 'ectl --endpoints on etcd',
  'ectl-endpoints-server': 'ectl --endpoints on ectl server',
}

export function registerGoldenScripts(scripts: readonly Script[], side: OurSide = 'ectl'): void {
  test('the real etcd 3.4 and etcdctl 3.4 are installed', () => {
    assertRealEtcdInstalled()
    const version = execFileSync(etcdctlBinary, ['version'], {encoding: 'utf8'})
    assert.match(version, /^etcdctl version: 3\.4\./, `the reference must be etcdctl 3.4, found:\n${version}`)
  })

  const limit = concurrencyLimit(scriptsInFlight)
  for (const script of scripts) {
    // Started now (not in the suite) so that scripts overlap; settle() keeps a failure a value
    // until the suite reads it, so no rejection goes unhandled.
    const runs = limit(() => Promise.all([settle(runOnRealEtcdctl(script)), settle(runOursSide(script, side))]))
    describe(script.name, () => {
      let reference: ScriptRun | undefined
      let ours: ScriptRun | undefined
      before(async () => {
        ;[reference, ours] = await runs
      })
      script.steps.forEach((step, index) => {
        test(`${index + 1}. ${describeStep(step)}`, () => {
          compareStep(resultOf(reference, index, 'the real etcdctl'), resultOf(ours, index, sideLabel[side]), sideLabel[side])
        })
      })
    })
  }
}

/**
 * COMPAT_SELF_CHECK=1 puts a second real etcdctl + etcd where ectl goes: every step must then
 * pass, which shows the cases are deterministic and the normalization is enough (and no more).
 */
function runOursSide(script: Script, side: OurSide): Promise<ProcessResult[]> {
  if (process.env.COMPAT_SELF_CHECK === '1') return runOnRealEtcdctl(script)
  switch (side) {
    case 'ectl-server':
      return runOnEctlServer(script)
    case 'ectl-endpoints':
      return runOnEctlEndpoints(script, 'etcd')
    case 'ectl-endpoints-server':
      return runOnEctlEndpoints(script, 'ectl-server')
    default:
      return runOnEctl(script)
  }
}

function resultOf(run: ScriptRun | undefined, index: number, side: string): ProcessResult {
  assert.ok(run !== undefined, `the ${side} run did not happen`)
  if (!run.ok) throw new Error(`running the script on ${side} failed: ${run.error.message}`, {cause: run.error})
  const result = run.results[index]
  assert.ok(result !== undefined, `${side} has no result for step ${index + 1}`)
  return result
}

/** What a step is compared on: exit code, then stdout and stderr line by line. */
interface StepView {
  exitCode: number
  stdout: string[]
  stderr: string[]
  harnessNote?: string
}

function view(result: ProcessResult): StepView {
  const shown: StepView = {
    exitCode: result.exitCode,
    stdout: displayLines(normalizeOutput(result.stdout)),
    stderr: displayLines(normalizeOutput(result.stderr)),
  }
  if (result.harnessNote !== undefined) shown.harnessNote = result.harnessNote
  return shown
}

function compareStep(reference: ProcessResult, ours: ProcessResult, label: string): void {
  if (reference.harnessNote !== undefined) {
    throw new Error(`the reference run of this step is unusable: ${reference.harnessNote}`)
  }
  const expected = view(reference)
  const actual = view(ours)
  const differences: string[] = []
  if (actual.harnessNote !== undefined) differences.push(`${label}: ${actual.harnessNote}`)
  if (actual.exitCode !== expected.exitCode) {
    differences.push(`exit code: real etcdctl ${expected.exitCode}, ${label} ${actual.exitCode}`)
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    if (!isDeepStrictEqual(actual[stream], expected[stream])) {
      differences.push(`${stream} (- real etcdctl, + ${label}):\n${indent(lineDiff(expected[stream], actual[stream]))}`)
    }
  }
  if (differences.length === 0) return
  // The message carries the whole diff; no actual/expected, which the reporter would print again.
  throw new assert.AssertionError({message: `${label} differs from the real etcdctl\n${differences.join('\n')}`})
}

function indent(text: string): string {
  return text.length === 0 ? '    (nothing)' : text.replace(/^/gm, '    ')
}

function describeStep(step: Step): string {
  const shownArgs = step.argv.map((arg) => (arg === '' || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg))
  let title = ['etcdctl', ...shownArgs].join(' ')
  if (step.env !== undefined) {
    title = `${Object.entries(step.env).map(([name, value]) => `${name}=${value}`).join(' ')} ${title}`
  }
  if (step.stdin !== undefined) {
    const stdin = typeof step.stdin === 'string' ? step.stdin : step.stdin.toString('latin1')
    const preview = stdin.length > 60 ? `${stdin.slice(0, 40)}… (${stdin.length} bytes)` : stdin
    title += ` <<< ${JSON.stringify(preview)}`
  }
  // Keep the reporter's line intact: no raw control characters in a test name.
  return title.replace(/[\x00-\x1f\x7f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** Runs at most `slots` tasks at once, in the order they were asked for. */
function concurrencyLimit(slots: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: (() => void)[] = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finished task hands its slot straight to the next waiter, so `running` never overshoots.
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve))
    else running += 1
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next === undefined) running -= 1
      else next()
    }
  }
}
