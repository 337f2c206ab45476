// Wall time of a whole `ectl get k` process (embedded engine, one key), median of 10, next to
// the real `etcdctl get k` against a real etcd on loopback; and of `kctl version --client`
// (start-up alone, no server). NODE_EXTRA_CA_CERTS is unset for both: on this machine it adds
// ~55 ms to every Node start. The load average is noted: on a shared machine it moves the
// numbers more than anything we do.
import {spawn, spawnSync} from 'node:child_process'
import {loadavg} from 'node:os'
import {fileURLToPath} from 'node:url'
import {median, type Result, tempDir} from './util.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = 10

function timeCommand(argv: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now()
  const child = spawnSync(argv[0], argv.slice(1), {env, encoding: 'utf8'})
  const ms = performance.now() - t0
  if (child.status !== 0) throw new Error(`${argv.join(' ')} failed: ${child.stderr}`)
  return ms
}

export async function benchCli(): Promise<Result[]> {
  const env = {...process.env}
  delete env.NODE_EXTRA_CA_CERTS
  const dir = tempDir('ectl-cli-')
  const results: Result[] = []
  try {
    const ectl = [process.execPath, `${root}bin/ectl.js`, '--data-dir', dir.path]
    const kctl = [process.execPath, `${root}bin/kctl.js`, 'version', '--client']
    // the first runs also write the bundles' code caches
    timeCommand([...ectl, 'put', 'k', 'v'], env)
    timeCommand(kctl, env)
    const loadBefore = loadavg()[0]!
    const bare = median(Array.from({length: runs}, () => timeCommand([process.execPath, '-e', '0'], env)))
    const ectlMs = median(Array.from({length: runs}, () => timeCommand([...ectl, 'get', 'k'], env)))
    const kctlMs = median(Array.from({length: runs}, () => timeCommand(kctl, env)))
    const load = `load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`
    const etcdMs = await withRealEtcd((endpoint) => {
      timeCommand(['etcdctl', '--endpoints', endpoint, 'put', 'k', 'v'], env)
      return median(Array.from({length: runs}, () => timeCommand(['etcdctl', '--endpoints', endpoint, 'get', 'k'], env)))
    })
    results.push({name: '`ectl get k` process wall time, median of 10', value: ectlMs, unit: 'ms', target: '<= 100 ms', peer: etcdMs, note: `bare node -e 0: ${bare.toFixed(1)} ms; ${load}`})
    results.push({name: '`kctl version --client` process wall time, median of 10', value: kctlMs, unit: 'ms', target: '', note: load})
  } finally {
    dir.remove()
  }
  return results
}

async function withRealEtcd<T>(body: (endpoint: string) => T): Promise<T | undefined> {
  if (spawnSync('etcd', ['--version']).status !== 0) return undefined
  const dir = tempDir('etcd-bench-')
  const port = 23000 + Math.floor(Math.random() * 2000)
  const endpoint = `http://127.0.0.1:${port}`
  const etcd = spawn('etcd', ['--data-dir', dir.path, '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--listen-peer-urls', `http://127.0.0.1:${port + 1}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${port + 1}`, '--initial-cluster', `default=http://127.0.0.1:${port + 1}`], {stdio: 'ignore'})
  try {
    for (let i = 0; i < 100; i++) {
      if (spawnSync('etcdctl', ['--endpoints', endpoint, 'endpoint', 'health']).status === 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return body(endpoint)
  } finally {
    etcd.kill('SIGTERM')
    await new Promise((resolve) => etcd.once('exit', resolve))
    dir.remove()
  }
}
