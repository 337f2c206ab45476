// The in-process API server of an embedded data dir, for kctl with nothing configured (no
// kubeconfig entry, no --server): the data dir's engine (through whichever process holds it,
// as ectl reaches it) under an API server living in this process, reached without sockets.
import {KubeClient} from '../../client/kube/client.js'
import {InProcessTransport} from '../../client/kube/inprocess-transport.js'
import type {EtcdClient, EtcdWatchLeaseClient} from '../../client/etcd/client.js'

/** Longest a one-shot command waits at exit for the controllers to finish what it started. */
const DRAIN_MS = 10_000

/**
 * With `controllers`, the controllers run in this process while the client is open (a delete
 * needs the garbage collector); closing the client first lets them finish their queued work.
 */
export async function openEmbedded(dataDir: string | undefined, opts: {controllers?: boolean} = {}): Promise<KubeClient> {
  const {openClient} = await import('../connect.js')
  const etcd = (await openClient({dataDir})) as EtcdClient & EtcdWatchLeaseClient
  const {createApiServer} = await import('../../engine/kube/apiserver/start.js')
  const api = createApiServer({etcd, serverAddress: 'in-process'})
  try {
    await api.start()
  } catch (err) {
    await etcd.close()
    throw err
  }
  let controllers: import('../../engine/kube/controllers/start.js').RunningControllers | undefined
  const transport = new InProcessTransport(api, undefined, async () => {
    if (controllers) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([controllers.whenIdle(), new Promise((r) => (timer = setTimeout(r, DRAIN_MS)))])
      clearTimeout(timer)
      await controllers.stop()
    }
    await api.close()
    await etcd.close()
  })
  if (opts.controllers) {
    const {startControllers} = await import('../../engine/kube/controllers/start.js')
    controllers = await startControllers(new KubeClient(new InProcessTransport(api), 'kube-controller-manager/v1.32'))
  }
  return new KubeClient(transport, 'kctl/v1.32')
}
