// The Kubernetes API server under load, as `kctl sandbox up` runs it (HTTPS with client
// certificates, the embedded engine, the garbage collector beside it): 10,000 pods created by
// 50 concurrent clients spread over several load-generator processes (worker.ts), listed whole
// and in pages of 500, watched by 100 watchers (delivery latency from the creator's send to the
// watcher's receipt), and the server's RSS holding them. The server's and the generators' CPU
// are reported so a reader can tell which side was the limit.
import {spawn, spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {Agent} from 'node:https'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {loadOrMakePki} from '../../src/cli/kube/sandbox/pki.js'
import {median, percentile, tempDir, type Result} from '../util.js'
import {podBody, send, type KubeWorkerResult, type KubeWorkerTask, type Tls} from './worker.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const pods = Number(process.env.BENCH_PODS ?? 10_000)
const clients = Number(process.env.BENCH_CLIENTS ?? 50)
const generators = Number(process.env.BENCH_GENERATORS ?? 2)
const watchers = Number(process.env.BENCH_WATCHERS ?? 100)
const watchEvents = Number(process.env.BENCH_WATCH_EVENTS ?? 200)

/** User plus system CPU time of a process so far, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

function rssMbOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!
  return Number(line.split(/\s+/)[1]) / 1024
}

interface Running {
  result: Promise<KubeWorkerResult>
  ready: Promise<void>
}

function runWorker(task: KubeWorkerTask): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/kube-server/worker.ts'), JSON.stringify(task)], {stdio: ['ignore', 'pipe', 'inherit']})
  let out = ''
  let readyResolve: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (readyResolve = resolve))
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    if (out.startsWith('ready\n')) readyResolve()
  })
  const result = new Promise<KubeWorkerResult>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load worker exited ${code}`))
      const lines = out.trim().split('\n')
      resolve(JSON.parse(lines[lines.length - 1]!) as KubeWorkerResult)
    })
  })
  return {result, ready}
}

export async function benchKubeServer(): Promise<Result[]> {
  const dir = tempDir('kube-bench-')
  const kubeconfig = join(dir.path, 'kubeconfig')
  const dataDir = join(dir.path, 'sandbox')
  const env: NodeJS.ProcessEnv = {...process.env, KUBECONFIG: kubeconfig, HOME: dir.path}
  delete env['NODE_EXTRA_CA_CERTS']
  const kctl = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, 'bin/kctl.js'), ...args], {env, encoding: 'utf8'})
    if (r.status !== 0) throw new Error(`kctl ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  const results: Result[] = []
  try {
    const up = kctl('sandbox', 'up', '--data-dir', dataDir, '--kubeconfig', kubeconfig)
    const url = /https:\/\/[\d.:]+/.exec(up)![0]
    const pid = Number(/pid (\d+)/.exec(up)![1])
    const pki = loadOrMakePki(dataDir)
    const tls: Tls = {ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey}
    kctl('create', 'namespace', 'bench')
    kctl('create', 'namespace', 'watch-bench')
    const rssEmptyMb = rssMbOf(pid)

    // creates: 50 clients over several processes
    const serverCpu0 = cpuMsOf(pid)
    const t0 = performance.now()
    const per = Math.ceil(pods / generators)
    const creates = Array.from({length: generators}, (_, g) =>
      runWorker({kind: 'create', url, tls, namespace: 'bench', from: g * per, to: Math.min(pods, (g + 1) * per), clients: Math.floor(clients / generators) + (g < clients % generators ? 1 : 0), prefix: 'pod-'}),
    )
    const created = await Promise.all(creates.map((c) => c.result))
    const seconds = (performance.now() - t0) / 1000
    const serverCpu = (cpuMsOf(pid) - serverCpu0) / 1000 / seconds
    const generatorCpu = created.reduce((s, r) => s + r.cpuMs, 0) / 1000 / seconds
    const latencies = created.flatMap((r) => r.latenciesMs).sort((a, b) => a - b)
    const errors = created.reduce((s, r) => s + r.errors, 0)
    const cpuNote = `server ${fmtCpu(serverCpu)} CPU, generators ${fmtCpu(generatorCpu)}${errors ? `, ${errors} errors` : ''}`
    results.push({name: `create ${pods} pods, ${clients} clients over ${generators} processes`, value: pods / seconds, unit: 'objects/s', note: cpuNote})
    results.push({name: `create ${pods} pods: p50 latency`, value: percentile(latencies, 50), unit: 'ms'})
    results.push({name: `create ${pods} pods: p99 latency`, value: percentile(latencies, 99), unit: 'ms'})
    results.push({name: `server RSS holding ${pods} pods (empty: ${Math.round(rssEmptyMb)} MB)`, value: rssMbOf(pid), unit: 'MB'})

    // lists: the whole collection, and page by page (limit=500), median of 3
    const agent = new Agent({keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key})
    const full = median(
      await sequence(3, async () => {
        const s = performance.now()
        const res = await send(agent, url, 'GET', '/api/v1/namespaces/bench/pods')
        // the time to the last byte; checking the count is the client's own work
        const ms = performance.now() - s
        const n = (JSON.parse(res.text) as {items: unknown[]}).items.length
        if (n !== pods) throw new Error(`listed ${n} pods, want ${pods}`)
        return ms
      }),
    )
    results.push({name: `list ${pods} pods in one response`, value: full, unit: 'ms'})
    const paged = median(
      await sequence(3, async () => {
        const s = performance.now()
        let token = ''
        let n = 0
        do {
          // each page is parsed: the next request needs its continue token, as a client's would
          const res = await send(agent, url, 'GET', `/api/v1/namespaces/bench/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`)
          const page = JSON.parse(res.text) as {items: unknown[]; metadata: {continue?: string}}
          n += page.items.length
          token = page.metadata.continue ?? ''
        } while (token)
        if (n !== pods) throw new Error(`paged through ${n} pods, want ${pods}`)
        return performance.now() - s
      }),
    )
    results.push({name: `list ${pods} pods in pages of 500 (all pages)`, value: paged, unit: 'ms'})

    // watch delivery: watchers over the generator processes, one creator at a modest rate
    const rv = (JSON.parse((await send(agent, url, 'GET', '/api/v1/namespaces/watch-bench/pods')).text) as {metadata: {resourceVersion: string}}).metadata.resourceVersion
    const watching = Array.from({length: generators}, (_, g) =>
      runWorker({kind: 'watch', url, tls, namespace: 'watch-bench', watchers: Math.floor(watchers / generators) + (g < watchers % generators ? 1 : 0), expect: watchEvents, resourceVersion: rv}),
    )
    await Promise.all(watching.map((w) => w.ready))
    for (let i = 0; i < watchEvents; i++) {
      const res = await send(agent, url, 'POST', '/api/v1/namespaces/watch-bench/pods', podBody(`w-${i}`, Date.now()))
      if (res.status !== 201) throw new Error(`create for watchers: ${res.status} ${res.text}`)
      await new Promise((r) => setTimeout(r, 10))
    }
    const delivered = (await Promise.all(watching.map((w) => w.result))).flatMap((r) => r.latenciesMs).sort((a, b) => a - b)
    results.push({name: `watch delivery, ${watchers} watchers × ${watchEvents} creates: p50`, value: percentile(delivered, 50), unit: 'ms', note: `${delivered.length} events received`})
    results.push({name: `watch delivery, ${watchers} watchers × ${watchEvents} creates: p99`, value: percentile(delivered, 99), unit: 'ms'})
    results.push({name: `server RSS after the watch run`, value: rssMbOf(pid), unit: 'MB'})
    agent.destroy()
  } finally {
    spawnSync(process.execPath, [join(root, 'bin/kctl.js'), 'sandbox', 'down', '--data-dir', dataDir, '--kubeconfig', kubeconfig], {env})
    dir.remove()
  }
  return results
}

const fmtCpu = (cores: number) => `${Math.round(cores * 100)}%`

async function sequence<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(await fn())
  return out
}
