// A sandbox for side-by-side steps: `kctl sandbox up` over a temp data dir, two namespaces
// (kubectl works in one, kctl in the other), and `step`, which runs one command line through
// both tools and requires the same stdout, stderr and exit code after masking what differs by
// nature (namespace names, uids, resource versions, timestamps, ages).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {runOne, type Run} from './side-by-side.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))

// neither name contains the other tool's name (the normalizer maps kubectl to kctl)
export const NS = {kubectl: 'left', kctl: 'right'} as const

export interface SandboxPair {
  dir: string
  env: NodeJS.ProcessEnv
  kctlSync(args: string[], stdin?: string): {status: number | null; stdout: string; stderr: string}
  /** One step through both tools, each in its namespace; `{ns}` in args, stdin and files is that namespace, `@f` a file written per side. */
  step(args: string[], opts?: {stdin?: string; files?: Record<string, string>}): Promise<{kubectl: Run; kctl: Run}>
  down(): void
}

export function sandboxPair(prefix: string): SandboxPair {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const dataDir = join(dir, 'sandbox')
  const kubeconfig = join(dir, 'kubeconfig')
  const env: NodeJS.ProcessEnv = {...process.env, KUBECONFIG: kubeconfig, HOME: dir}
  delete env['NODE_EXTRA_CA_CERTS']
  const kctlSync = (args: string[], stdin?: string) => {
    const r = spawnSync(process.execPath, [join(root, 'bin/kctl.js'), ...args], {env, encoding: 'utf8', timeout: 60_000, input: stdin})
    return {status: r.status, stdout: r.stdout, stderr: r.stderr}
  }
  const up = kctlSync(['sandbox', 'up', '--data-dir', dataDir, '--kubeconfig', kubeconfig])
  assert.equal(up.status, 0, up.stderr)
  for (const ns of Object.values(NS)) assert.equal(kctlSync(['create', 'namespace', ns]).status, 0)

  const mask = (r: Run, ns: string): Run => {
    const fix = (s: string) =>
      s
        .replace(new RegExp(`\\b${ns}\\b`, 'g'), 'NS')
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, 'UID')
        .replace(/("?resourceVersion"?:\s*)"\d+"/g, '$1"RV"')
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
        .replace(/("?generation"?:\s*)\d+/g, '$1G')
        .replaceAll(dir, 'DIR')
    return {code: r.code, stdout: fix(r.stdout), stderr: fix(r.stderr)}
  }

  const step: SandboxPair['step'] = async (args, opts = {}) => {
    const [kubectl, kctl] = await Promise.all(
      (['kubectl', 'kctl'] as const).map(async (side) => {
        const ns = NS[side]
        const sub = (s: string) => s.replaceAll('{ns}', ns)
        for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, `${ns}-${name}`), sub(text))
        const argv = ['-n', ns, ...args.map((a) => sub(a).replace(/^@(.*)$/, (_m, f: string) => join(dir, `${ns}-${f}`)))]
        const r = mask(await runOne(side, argv, env, opts.stdin === undefined ? '' : sub(opts.stdin)), ns)
        return {...r, stdout: r.stdout.replaceAll(`/${ns}-`, '/'), stderr: r.stderr.replaceAll(`/${ns}-`, '/')}
      }),
    )
    assert.deepEqual(kctl, kubectl)
    return {kubectl, kctl}
  }

  const down = () => {
    const r = kctlSync(['sandbox', 'down', '--data-dir', dataDir, '--kubeconfig', kubeconfig])
    rmSync(dir, {recursive: true, force: true})
    assert.equal(r.status, 0, r.stderr)
  }
  return {dir, env, kctlSync, step, down}
}
