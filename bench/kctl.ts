// kctl against the real kubectl on the same API server: wall time of a whole `get pods`
// process (20 pods in the namespace), median of 10, and how long `kctl sandbox up` takes from
// a fresh data dir (certificates made) and from an existing one. NODE_EXTRA_CA_CERTS is unset
// for both tools (it adds ~55 ms to every Node start here).
import {spawnSync} from 'node:child_process'
import {loadavg} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median, type Result, tempDir} from './util.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = 10

function timed(argv: string[], env: NodeJS.ProcessEnv, input = ''): number {
  const t0 = performance.now()
  const r = spawnSync(argv[0]!, argv.slice(1), {env, encoding: 'utf8', input})
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`)
  return ms
}

export async function benchKctl(): Promise<Result[]> {
  const dir = tempDir('kctl-bench-')
  const kubeconfig = join(dir.path, 'kubeconfig')
  const env: NodeJS.ProcessEnv = {...process.env, KUBECONFIG: kubeconfig, HOME: dir.path}
  delete env['NODE_EXTRA_CA_CERTS']
  const kctl = [process.execPath, join(root, 'bin/kctl.js')]
  const sandbox = ['--data-dir', join(dir.path, 'sandbox'), '--kubeconfig', kubeconfig]
  const results: Result[] = []
  try {
    const firstUp = timed([...kctl, 'sandbox', 'up', ...sandbox], env)
    const pods = Array.from({length: 20}, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-${i}\n  labels: {app: web}\nspec:\n  containers:\n  - name: web\n    image: nginx\n`).join('---\n')
    timed(['kubectl', 'apply', '-f', '-'], env, pods)
    // one warm-up each (kubectl fills its discovery cache in $HOME/.kube/cache)
    timed(['kubectl', 'get', 'pods'], env)
    timed([...kctl, 'get', 'pods'], env)
    // alternated, so a change in the machine's load falls on both tools alike
    const loadBefore = loadavg()[0]!
    const kubectlRuns: number[] = []
    const kctlRuns: number[] = []
    for (let i = 0; i < runs; i++) {
      kubectlRuns.push(timed(['kubectl', 'get', 'pods'], env))
      kctlRuns.push(timed([...kctl, 'get', 'pods'], env))
    }
    const load = `load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`
    results.push({name: '`kctl get pods` (20 pods) process wall time, median of 10', value: median(kctlRuns), unit: 'ms', target: '<= kubectl', peer: median(kubectlRuns), note: load})
    timed([...kctl, 'sandbox', 'down', ...sandbox], env)
    const againUp = median(
      Array.from({length: 3}, () => {
        const ms = timed([...kctl, 'sandbox', 'up', ...sandbox], env)
        timed([...kctl, 'sandbox', 'down', ...sandbox], env)
        return ms
      }),
    )
    results.push({name: '`kctl sandbox up`, fresh data dir (certificates made)', value: firstUp, unit: 'ms', target: 'a couple of seconds'})
    results.push({name: '`kctl sandbox up`, existing data dir, median of 3', value: againUp, unit: 'ms', target: 'a couple of seconds'})
  } finally {
    spawnSync(kctl[0]!, [...kctl.slice(1), 'sandbox', 'down', ...sandbox], {env})
    dir.remove()
  }
  return results
}
