// One load-generator process for the API server benchmark: reads its task as JSON from argv,
// talks HTTPS to the server with the admin client certificate (keep-alive connections, JSON
// bodies, as client-go does), and prints its result as JSON on the last line of stdout.
//   create: POSTs pods [from, to) from `clients` concurrent loops; latency of each create.
//   watch:  opens `watchers` watches on the namespace, prints "ready", then records for each
//           ADDED event how long after its creator sent it (the pod's send-time annotation) it
//           arrived, until each watcher has seen `expect` events.
import {Agent, request} from 'node:https'

export interface Tls {
  ca: string
  cert: string
  key: string
}

export type KubeWorkerTask =
  | {kind: 'create'; url: string; tls: Tls; namespace: string; from: number; to: number; clients: number; prefix: string}
  | {kind: 'watch'; url: string; tls: Tls; namespace: string; watchers: number; expect: number; resourceVersion: string}

export interface KubeWorkerResult {
  latenciesMs: number[]
  cpuMs: number
  ops: number
  errors: number
}

export const sentAnnotation = 'bench.kctl.dev/sent-ms'

export function podBody(name: string, sentMs?: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name, labels: {app: 'bench', shard: String(name.length % 7)}, ...(sentMs === undefined ? {} : {annotations: {[sentAnnotation]: String(sentMs)}})},
    spec: {containers: [{name: 'app', image: 'nginx:1.27', ports: [{containerPort: 80}], resources: {requests: {cpu: '10m', memory: '16Mi'}}}]},
  })
}

export function send(agent: Agent, url: string, method: string, path: string, body?: string): Promise<{status: number; text: string}> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), {method, agent, headers: {'content-type': 'application/json', accept: 'application/json', ...(body ? {'content-length': Buffer.byteLength(body)} : {})}}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function create(task: Extract<KubeWorkerTask, {kind: 'create'}>): Promise<KubeWorkerResult> {
  const agent = new Agent({keepAlive: true, maxSockets: task.clients, ca: task.tls.ca, cert: task.tls.cert, key: task.tls.key})
  const latenciesMs: number[] = []
  let next = task.from
  let errors = 0
  await Promise.all(
    Array.from({length: task.clients}, async () => {
      while (next < task.to) {
        const i = next++
        const t0 = performance.now()
        const res = await send(agent, task.url, 'POST', `/api/v1/namespaces/${task.namespace}/pods`, podBody(`${task.prefix}${i}`, Date.now()))
        latenciesMs.push(performance.now() - t0)
        if (res.status !== 201) errors++
      }
    }),
  )
  agent.destroy()
  return {latenciesMs, cpuMs: 0, ops: latenciesMs.length, errors}
}

async function watch(task: Extract<KubeWorkerTask, {kind: 'watch'}>): Promise<KubeWorkerResult> {
  const agent = new Agent({keepAlive: true, maxSockets: task.watchers, ca: task.tls.ca, cert: task.tls.cert, key: task.tls.key})
  const latenciesMs: number[] = []
  let opened = 0
  let errors = 0
  const done = Array.from(
    {length: task.watchers},
    () =>
      new Promise<void>((resolve) => {
        let seen = 0
        const path = `/api/v1/namespaces/${task.namespace}/pods?watch=true&resourceVersion=${task.resourceVersion}&timeoutSeconds=600`
        const req = request(new URL(path, task.url), {agent, headers: {accept: 'application/json'}}, (res) => {
          opened++
          if (opened === task.watchers) process.stdout.write('ready\n')
          let pending = ''
          res.on('data', (chunk: Buffer) => {
            const now = Date.now()
            pending += chunk.toString('utf8')
            let nl: number
            while ((nl = pending.indexOf('\n')) >= 0) {
              const line = pending.slice(0, nl)
              pending = pending.slice(nl + 1)
              const e = JSON.parse(line) as {type: string; object: {metadata?: {annotations?: Record<string, string>}}}
              if (e.type !== 'ADDED') continue
              const sent = Number(e.object.metadata?.annotations?.[sentAnnotation])
              if (Number.isFinite(sent)) latenciesMs.push(now - sent)
              if (++seen >= task.expect) {
                req.destroy()
                resolve()
              }
            }
          })
          res.on('error', () => resolve())
          res.on('end', () => resolve())
        })
        req.on('error', () => {
          errors++
          resolve()
        })
        req.end()
      }),
  )
  await Promise.all(done)
  agent.destroy()
  return {latenciesMs, cpuMs: 0, ops: latenciesMs.length, errors}
}

if (process.argv[1]?.endsWith('worker.ts') && process.argv[2]) {
  const task = JSON.parse(process.argv[2]) as KubeWorkerTask
  const cpu0 = process.cpuUsage()
  const result = task.kind === 'create' ? await create(task) : await watch(task)
  const cpu = process.cpuUsage(cpu0)
  result.cpuMs = (cpu.user + cpu.system) / 1000
  // exit only once the result is written: a pipe takes large writes asynchronously
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0))
}
