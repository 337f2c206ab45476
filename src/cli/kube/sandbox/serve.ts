// The sandbox's server process (`kctl sandbox serve`, started detached by `sandbox up`): the
// embedded engine on DIR/data and the Kubernetes API server on it, over HTTPS on 127.0.0.1
// with the sandbox's certificates. It writes DIR/sandbox.json once it listens and removes it
// when SIGTERM or SIGINT has closed everything.
import {writeFileSync, renameSync} from 'node:fs'
import {join} from 'node:path'
import {loadOrMakePki} from './pki.js'
import {clearState, stateFile, type SandboxState} from './state.js'

export async function serveSandbox(dataDir: string, port: number, log: (s: string) => void): Promise<void> {
  const pki = loadOrMakePki(dataDir)
  const {openEmbedded} = await import('../../../engine/etcd/embedded.js')
  const {createApiServer, serveHttps} = await import('../../../engine/kube/apiserver/start.js')
  const engine = await openEmbedded(join(dataDir, 'data'))
  const api = createApiServer({etcd: engine, serverAddress: `127.0.0.1:${port}`})
  await api.start()
  const serving = await serveHttps(api, {port, host: '127.0.0.1', tls: {key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert}})
  const state: SandboxState = {pid: process.pid, port: serving.port, host: '127.0.0.1', startedAt: new Date().toISOString()}
  const tmp = `${stateFile(dataDir)}.tmp`
  writeFileSync(tmp, JSON.stringify(state) + '\n')
  renameSync(tmp, stateFile(dataDir))
  log(`${state.startedAt} serving the Kubernetes API on https://127.0.0.1:${serving.port} (data dir ${dataDir})\n`)
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${new Date().toISOString()} ${signal}: stopping\n`)
      resolve()
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  await serving.close()
  await api.close()
  await engine.close()
  clearState(dataDir)
  log(`${new Date().toISOString()} stopped\n`)
}
