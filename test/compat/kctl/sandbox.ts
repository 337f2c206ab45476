// One `kctl sandbox` per test file, and steps run through both kctl and the real kubectl 1.32
// against it: kubectl in namespace `left`, kctl in `right`, so each side works on its own
// objects and both run at once. stdout, stderr and exit code must match after masking what
// differs by nature (namespace names, uids, resource versions, timestamps, ages, temp paths).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before} from 'node:test'
import {fileURLToPath} from 'node:url'
import {runOne, type Run} from './side-by-side.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))

// neither name contains the other tool's name (the normalizer maps kubectl to kctl)
export const NS = {kubectl: 'left', kctl: 'right'} as const

export interface StepOptions {
  stdin?: string
  /** files written per side (`{ns}` replaced) before the step; `@name` in args is the path */
  files?: Record<string, string>
  /** extra environment (`{ns}` and `@name` replaced as in args) */
  env?: Record<string, string>
}

export interface Sandbox {
  dir: string
  dataDir: string
  kubeconfig: string
  env: NodeJS.ProcessEnv
  kctlSync(args: string[]): {status: number | null; stdout: string; stderr: string}
  /** Runs a command through both tools, each in its namespace, and asserts they agree. */
  step(args: string[], opts?: StepOptions): Promise<void>
  /** A command that runs until interrupted (a watch): each side gets SIGINT once its stdout satisfies `until`, then they must agree. */
  watchStep(args: string[], until: (stdout: string) => boolean, opts?: StepOptions): Promise<void>
  /** Runs a command with the real kubectl in both namespaces (setup, not compared). */
  setup(args: string[], opts?: StepOptions): void
}

/** Starts a sandbox before the file's tests (namespaces left and right made) and stops it after. */
export function useSandbox(prefix: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  const dataDir = join(dir, 'sandbox')
  const kubeconfig = join(dir, 'kubeconfig')
  const env: NodeJS.ProcessEnv = {...process.env, KUBECONFIG: kubeconfig, HOME: dir}
  delete env['NODE_EXTRA_CA_CERTS']

  const kctlSync = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, 'bin/kctl.js'), ...args], {env, encoding: 'utf8', timeout: 60_000})
    return {status: r.status, stdout: r.stdout, stderr: r.stderr}
  }

  before(() => {
    const up = kctlSync(['sandbox', 'up', '--data-dir', dataDir, '--kubeconfig', kubeconfig])
    assert.equal(up.status, 0, up.stderr)
    assert.match(up.stdout, /^Sandbox "kctl-sandbox" is up at https:\/\/127\.0\.0\.1:\d+ \(pid \d+, ready in [\d.]+s\)\n/)
    for (const ns of Object.values(NS)) assert.equal(kctlSync(['create', 'namespace', ns]).status, 0)
  })

  after(() => {
    const down = kctlSync(['sandbox', 'down', '--data-dir', dataDir, '--kubeconfig', kubeconfig])
    rmSync(dir, {recursive: true, force: true})
    assert.equal(down.status, 0, down.stderr)
  })

  const mask = (r: Run, ns: string): Run => {
    const fix = (s: string) =>
      s
        .replace(new RegExp(`\\b${ns}\\b`, 'g'), 'NS')
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, 'UID')
        .replace(/("?resourceVersion"?:\s*)"\d+"/g, '$1"RV"')
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
        // describe's times (RFC 1123 with a numeric zone) and diff's file stamps
        .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}\b/g, 'TIME')
        .replace(/\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4}/g, '\tTIME')
        .replace(/("?generation"?:\s*)\d+/g, '$1G')
        // Go's %v of a decoded object (a template's debugging dump)
        .replace(/\bresourceVersion:\d+/g, 'resourceVersion:RV')
        // the temp folders diff and edit use
        .replace(/\/(LIVE|MERGED)-\w+\//g, '/$1-N/')
        .replace(/\/kctl-edit-\d+\.yaml/g, '/EDIT.yaml')
        .replaceAll(dir, 'DIR')
    return {code: r.code, stdout: fix(r.stdout), stderr: fix(r.stderr)}
  }

  const sideEnv = (ns: string, opts: StepOptions): NodeJS.ProcessEnv => {
    const out = {...env}
    for (const [k, v] of Object.entries(opts.env ?? {})) out[k] = subst(v, ns)
    return out
  }
  const subst = (s: string, ns: string) => s.replaceAll('{ns}', ns).replace(/@([\w.-]+)/g, (_m, f: string) => join(dir, `${ns}-${f}`))
  const writeFiles = (ns: string, opts: StepOptions) => {
    for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, `${ns}-${name}`), text.replaceAll('{ns}', ns), {mode: 0o755})
  }
  // -n first: words after `--` belong to the command being created
  const sideArgs = (args: string[], ns: string): string[] => ['-n', ns, ...args.map((a) => (a.startsWith('@') ? subst(a, ns) : a.replaceAll('{ns}', ns)))]

  const both = async (args: string[], opts: StepOptions, until?: (stdout: string) => boolean) => {
    const [kubectl, kctl] = await Promise.all(
      (['kubectl', 'kctl'] as const).map(async (side) => {
        const ns = NS[side]
        writeFiles(ns, opts)
        const r = mask(await runOne(side, sideArgs(args, ns), sideEnv(ns, opts), opts.stdin === undefined ? '' : opts.stdin.replaceAll('{ns}', ns), until), ns)
        // the file names differ by side only in their prefix
        return {...r, stdout: r.stdout.replaceAll(`/${ns}-`, '/'), stderr: r.stderr.replaceAll(`/${ns}-`, '/')}
      }),
    )
    assert.deepEqual(kctl, kubectl)
  }

  return {
    dir,
    dataDir,
    kubeconfig,
    env,
    kctlSync,
    step(args, opts = {}) {
      return both(args, opts)
    },
    watchStep(args, until, opts = {}) {
      return both(args, opts, until)
    },
    setup(args, opts = {}) {
      for (const ns of Object.values(NS)) {
        writeFiles(ns, opts)
        const r: {status: number | null; stderr: string} = spawnSync('kubectl', sideArgs(args, ns), {env: sideEnv(ns, opts), encoding: 'utf8', input: opts.stdin?.replaceAll('{ns}', ns), timeout: 30_000})
        assert.equal(r.status, 0, `kubectl ${args.join(' ')}: ${r.stderr}`)
      }
    },
  }
}
