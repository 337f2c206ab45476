// Runs the same command line through the real kubectl 1.32 and the built kctl and returns
// both results, normalized only where the two may honestly differ: kubectl's own name in its
// messages (`See 'kubectl get --help'`), ages, and klog's timestamp and pid.
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../../..', import.meta.url))

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `until`: a command that runs until stopped (a watch) gets SIGINT once its stdout satisfies it. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, stdin: string, until?: (stdout: string) => boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => {
      stdout += c
      if (until?.(stdout)) child.kill('SIGINT')
    })
    child.stderr.on('data', (c) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGTERM'), 30_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
    child.stdin.end(stdin)
  })
}

const AGE = /\b\d+(s|m|h|d)(\d+(s|m|h))?\b/g
// both sides read the same objects, so a uid is the same on each; it goes first because a
// random uid can hold a run like `836d` that the age pattern would take
const UID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g

export function normalize(r: Run): Run {
  const fix = (s: string) =>
    s
      .replace(/kubectl/g, 'kctl')
      .replace(/^E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ /gm, 'E0000 00:00:00.000000 PID ')
      .replace(UID, 'UID')
      .replace(AGE, 'AGE')
      // an age of different width shifts the columns after it: compare cells, not spacing
      .replace(/ {2,}/g, '  ')
  return {code: r.code, stdout: fix(r.stdout), stderr: fix(r.stderr)}
}

function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {...env, NO_COLOR: '1'}
  delete base['NODE_EXTRA_CA_CERTS']
  return base
}

export async function runOne(side: 'kubectl' | 'kctl', args: string[], env: NodeJS.ProcessEnv, stdin = '', until?: (stdout: string) => boolean): Promise<Run> {
  const r = side === 'kubectl' ? await run('kubectl', args, cleanEnv(env), stdin, until) : await run(process.execPath, [`${root}/bin/kctl.js`, ...args], cleanEnv(env), stdin, until)
  return normalize(r)
}

export async function sideBySide(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<{kubectl: Run; kctl: Run}> {
  const base: NodeJS.ProcessEnv = {...env, NO_COLOR: '1'}
  delete base['NODE_EXTRA_CA_CERTS']
  const [kubectl, kctl] = await Promise.all([
    run('kubectl', args, base, stdin),
    run(process.execPath, [`${root}/bin/kctl.js`, ...args], base, stdin),
  ])
  return {kubectl: normalize(kubectl), kctl: normalize(kctl)}
}
