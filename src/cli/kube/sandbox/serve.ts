// The sandbox's server process (`kctl sandbox serve`, started detached by `sandbox up`): the
// embedded engine on DIR/data and the Kubernetes API server on it, over HTTPS on 127.0.0.1
// with the sandbox's certificates. It writes DIR/sandbox.json once it listens and removes it
// when SIGTERM or SIGINT has closed everything.
import {writeFileSync, renameSync} from 'node:fs'
import {join} from 'node:path'
import {optimizeHotPathsSooner} from '../../jit-tiering.js'
import {loadOrMakePki} from './pki.js'
import {clearState, stateFile, type SandboxState} from './state.js'

const controllerCaller = {user: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated']}

export async function serveSandbox(dataDir: string, port: number, log: (s: string) => void): Promise<void> {
  optimizeHotPathsSooner()
  const pki = loadOrMakePki(dataDir)
  const {tryHoldDataDir} = await import('../../../engine/etcd/holder.js')
  const {createApiServer, serveHttps} = await import('../../../engine/kube/apiserver/start.js')
  // held as ectl holds a data dir: `ectl --data-dir DIR/data` and `kctl --data-dir DIR/data`
  // reach this process's engine over the local socket instead of opening the files a second time
  const held = await tryHoldDataDir(join(dataDir, 'data'))
  if (held === undefined) throw new Error(`the data dir ${join(dataDir, 'data')} is held by another process`)
  const engine = held.engine
  const api = createApiServer({etcd: engine, serverAddress: `127.0.0.1:${port}`})
  await api.start()
  const serving = await serveHttps(api, {port, host: '127.0.0.1', tls: {key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert}})
  const state: SandboxState = {pid: process.pid, port: serving.port, host: '127.0.0.1', startedAt: new Date().toISOString()}
  const tmp = `${stateFile(dataDir)}.tmp`
  writeFileSync(tmp, JSON.stringify(state) + '\n')
  renameSync(tmp, stateFile(dataDir))
  log(`${state.startedAt} serving the Kubernetes API on https://127.0.0.1:${serving.port} (data dir ${dataDir})\n`)
  // The controllers run beside the API server and reach it in-process, through client/kube;
  // like kube-controller-manager they start once the API answers, without holding up readiness.
  const {KubeClient} = await import('../../../client/kube/client.js')
  const {InProcessTransport} = await import('../../../client/kube/inprocess-transport.js')
  const {startControllers} = await import('../../../engine/kube/controllers/start.js')
  const controllers = startControllers(new KubeClient(new InProcessTransport(api, controllerCaller), 'kube-controller-manager/v1.32')).catch((err: unknown) => {
    log(`${new Date().toISOString()} controllers did not start: ${(err as Error).message}\n`)
    return undefined
  })
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${new Date().toISOString()} ${signal}: stopping\n`)
      resolve()
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  await serving.close()
  await (await controllers)?.stop()
  await api.close()
  await held.release()
  clearState(dataDir)
  log(`${new Date().toISOString()} stopped\n`)
}
