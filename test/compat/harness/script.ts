// A golden script: steps run in order against an empty store, once through the real etcdctl
// (against a fresh real etcd) and once through our ectl (on a fresh embedded data directory).
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {startEctlServer} from './ectl-server.js'
import {InProcessEctl} from './in-process-ectl.js'
import {etcdctlBinary, startRealEtcd} from './real-etcd.js'
import {runProcess, type ProcessResult} from './run-process.js'

export interface Step {
  /** Arguments after the program name, identical for etcdctl and ectl. */
  argv: readonly string[]
  /** Text (or bytes) on stdin; stdin is empty and closed when absent. */
  stdin?: string | Buffer
  /** Extra environment variables for this step (on top of a clean environment). */
  env?: Readonly<Record<string, string>>
}

export interface Script {
  /** What the script proves; names the test suite. */
  name: string
  steps: readonly Step[]
}

export type ScriptRun = {ok: true; results: ProcessResult[]} | {ok: false; error: Error}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
/** The built CLI of this checkout; COMPAT_ECTL_BIN points at another build (e.g. a snapshot). */
export const ectlLauncher = process.env.COMPAT_ECTL_BIN ?? join(repoRoot, 'bin', 'ectl.js')

/**
 * The environment both programs start from: the runner's, without anything that would point
 * either program somewhere else or make it behave as a test (etcdctl reads ETCDCTL_*, ectl
 * ECTL_*, node NODE_OPTIONS and the test runner's context).
 */
function cleanEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('ETCDCTL_') || name.startsWith('ECTL_')) continue
    if (name === 'NODE_OPTIONS' || name === 'NODE_TEST_CONTEXT') continue
    env[name] = value
  }
  return {...env, ...extra}
}

/**
 * The real etcdctl's environment: command and dial timeouts well above their 5 s and 2 s
 * defaults, so a real etcd slowed by a busy machine (bcrypt on every authentication, which a
 * `--user` run does while it dials) does not turn a step into `context deadline exceeded`.
 */
function etcdctlEnv(step: Step, endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...cleanEnv(step.env), ETCDCTL_ENDPOINTS: endpoint}
  // etcdctl refuses a variable shadowed by its flag, so a step that sets the flag keeps it alone
  const unlessOwn = (flag: string, variable: string, value: string): void => {
    if (!step.argv.some((arg) => arg.startsWith(flag)) && env[variable] === undefined) env[variable] = value
  }
  unlessOwn('--command-timeout', 'ETCDCTL_COMMAND_TIMEOUT', '60s')
  unlessOwn('--dial-timeout', 'ETCDCTL_DIAL_TIMEOUT', '30s')
  return env
}

function stdinBytes(step: Step): Buffer | undefined {
  if (step.stdin === undefined) return undefined
  return typeof step.stdin === 'string' ? Buffer.from(step.stdin, 'utf8') : step.stdin
}

/** Runs the script through the real etcdctl against a fresh real etcd, stopped afterwards. */
export async function runOnRealEtcdctl(script: Script): Promise<ProcessResult[]> {
  const etcd = await startRealEtcd()
  try {
    const results: ProcessResult[] = []
    for (const step of script.steps) {
      results.push(
        await runProcess({
          command: etcdctlBinary,
          args: step.argv,
          // The endpoint goes in the environment, not argv, so the argv (and anything etcdctl
          // echoes of it, like usage text) is exactly what ectl gets.
          env: etcdctlEnv(step, etcd.endpoint),
          stdin: stdinBytes(step),
        }),
      )
    }
    return results
  } finally {
    await etcd.stop()
  }
}

/**
 * Runs the script through the real etcdctl against `ectl server` (the built bin/ectl.js) on a
 * fresh data dir: the same client as the reference, so any difference is the server's.
 */
export async function runOnEctlServer(script: Script): Promise<ProcessResult[]> {
  const server = await startEctlServer(ectlLauncher, cleanEnv(undefined))
  try {
    const results: ProcessResult[] = []
    for (const step of script.steps) {
      results.push(
        await runProcess({
          command: etcdctlBinary,
          args: step.argv,
          env: etcdctlEnv(step, server.endpoint),
          stdin: stdinBytes(step),
        }),
      )
    }
    return results
  } finally {
    const exitCode = await server.stop()
    // A server that does not stop cleanly on SIGTERM fails the script, with its log.
    if (exitCode !== 0) throw new Error(`ectl server exited with ${exitCode} on SIGTERM; its log:\n${server.log()}`)
  }
}

/**
 * Runs the script through the built ectl over the network (`ETCDCTL_ENDPOINTS`, as the
 * reference gets it) against a fresh real etcd, or against a fresh `ectl server`.
 */
export async function runOnEctlEndpoints(script: Script, server: 'etcd' | 'ectl-server'): Promise<ProcessResult[]> {
  const target = server === 'etcd' ? await startRealEtcd() : await startEctlServer(ectlLauncher, cleanEnv(undefined))
  // every step in one Node process (see in-process-ectl.ts): the commands' code is the same,
  // the start-up of Node is paid once per script instead of once per step
  const ectl = new InProcessEctl(ectlLauncher, {...cleanEnv(undefined), ETCDCTL_ENDPOINTS: target.endpoint})
  try {
    const results: ProcessResult[] = []
    for (const step of script.steps) results.push(await ectl.run(step.argv, step.env, stdinBytes(step)))
    return results
  } finally {
    await ectl.close()
    await target.stop()
  }
}

/** Runs the script through the built ectl (bin/ectl.js) on a fresh embedded data directory. */
export async function runOnEctl(script: Script): Promise<ProcessResult[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'compat-ectl-'))
  try {
    const results: ProcessResult[] = []
    for (const step of script.steps) {
      results.push(
        await runProcess({
          command: process.execPath,
          args: [ectlLauncher, '--data-dir', dataDir, ...step.argv],
          env: cleanEnv(step.env),
          stdin: stdinBytes(step),
        }),
      )
    }
    return results
  } finally {
    await rm(dataDir, {recursive: true, force: true})
  }
}

/** Never rejects: a failure to run becomes a value, reported by every step of the script. */
export async function settle(run: Promise<ProcessResult[]>): Promise<ScriptRun> {
  try {
    return {ok: true, results: await run}
  } catch (error) {
    return {ok: false, error: error instanceof Error ? error : new Error(String(error))}
  }
}
