// `kctl sandbox down`: SIGTERM to the server, a wait for it to finish (SIGKILL after the
// grace), the pid and state files removed, and the kubeconfig entries too.
import {KctlError} from '../errors.js'
import {removeSandboxContext, targetKubeconfig} from './kubeconfig.js'
import {alive, clearState, readPid} from './state.js'

export async function sandboxDown(dataDir: string, kubeconfig: string | undefined, graceMs: number): Promise<{pid?: number; killed: boolean; removedContext: boolean; kubeconfig: string}> {
  const pid = readPid(dataDir)
  let killed = false
  if (pid !== undefined && alive(pid)) {
    process.kill(pid, 'SIGTERM')
    const deadline = Date.now() + graceMs
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    if (alive(pid)) {
      process.kill(pid, 'SIGKILL')
      killed = true
      const hard = Date.now() + 5000
      while (alive(pid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 50))
      if (alive(pid)) throw new KctlError(`the sandbox server (pid ${pid}) did not stop`)
    }
  }
  clearState(dataDir)
  const file = targetKubeconfig(kubeconfig)
  return {pid, killed, removedContext: removeSandboxContext(file), kubeconfig: file}
}
